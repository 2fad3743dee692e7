#!/bin/bash
# The device test run (tests/device/, ./quickstart check-device) against the
# simulator with its debug link, as against the Trezor One emulator: every
# part runs (PIN through the debug link, restarts with SIGUSR1, a passphrase
# wallet) and passes, so that the run that checks real firmware keeps working.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim --pin 1234 --passphrase-protection --debuglink
debuglink=$(sed -n 's/^debuglink on \(127\.0\.0\.1:[0-9]*\)$/udp:\1/p' "$tmp/sim.log")
expect_contains "the simulator's debug link" "udp:127.0.0.1:" "$debuglink"

for test in listing logins restart pin passphrase; do
	TREZOR_DEBUGLINK=$debuglink TREZOR_DEVICE_PIN=1234 TREZOR_DEVICE_PASSPHRASE=secret \
		TREZOR_DEVICE_SEED=all TREZOR_DEVICE_RESTART="kill -USR1 $SIM_PID" \
		bash "$abs_top_srcdir/tests/device/$test.sh" > "$tmp/$test.out" 2>&1
	status=$?
	expect_eq "tests/device/$test.sh passes against the simulator" 0 "$status"
	[ "$status" -eq 0 ] || sed 's/^/    /' "$tmp/$test.out"
	expect_absent "tests/device/$test.sh skips nothing" "skip: no" "$(cat "$tmp/$test.out")"
done
expect_contains "the run says which device it ran on" \
	"device: Trezor One \"Simulated Trezor\" at $TREZOR_PATH: firmware 1.14.2, " \
	"$(cat "$tmp/listing.out")"
finish
