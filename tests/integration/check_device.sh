#!/bin/bash
# The device test run (tests/device/, ./quickstart check-device) against the
# simulator with its debug link, as against the Trezor One emulator: every
# part runs (PIN through the debug link, restarts with SIGUSR1, a passphrase
# wallet, Ed25519) and passes, so that the run that checks real firmware keeps working.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim --pin 1234 --passphrase-protection --debuglink
debuglink=$(sed -n 's/^debuglink on \(127\.0\.0\.1:[0-9]*\)$/udp:\1/p' "$tmp/sim.log")
expect_contains "the simulator's debug link" "udp:127.0.0.1:" "$debuglink"

for test in listing logins restart pin passphrase ed25519; do
	TREZOR_DEBUGLINK=$debuglink TREZOR_DEVICE_PIN=1234 TREZOR_DEVICE_PASSPHRASE=secret \
		TREZOR_DEVICE_SEED=all TREZOR_DEVICE_RESTART="kill -USR1 $SIM_PID" \
		bash "$abs_top_srcdir/tests/device/$test.sh" > "$tmp/$test.out" 2>&1
	status=$?
	expect_eq "tests/device/$test.sh passes against the simulator" 0 "$status"
	[ "$status" -eq 0 ] || sed 's/^/    /' "$tmp/$test.out"
	if [ "$test" = ed25519 ] && ! ssh_takes_ed25519; then
		# This OpenSSH takes no Ed25519 key from a module: that part alone is left out.
		expect_eq "tests/device/ed25519.sh skips only ssh -I, with this OpenSSH" \
			"skip: no ssh -I with the Ed25519 key: $(ssh -V 2>&1) takes none from a module (10.1 and later do)" \
			"$(grep '^skip:' "$tmp/$test.out")"
	else
		expect_absent "tests/device/$test.sh skips nothing" "skip: " "$(cat "$tmp/$test.out")"
	fi
done
expect_contains "the run says which device it ran on" \
	"device: Trezor One \"Simulated Trezor\" at $TREZOR_PATH: firmware 1.14.2, " \
	"$(cat "$tmp/listing.out")"
finish
