#!/bin/bash
# Trezor's own host library (trezorlib, Debian's python3-trezor) works against
# the simulator as against a device: Initialize and Features, public keys
# and SignIdentity on nist256p1 and ed25519, Bitcoin addresses, Ping,
# EndSession and LockDevice, what trezor-agent calls (a resumed session, a
# Testnet address, ECDH), and a PIN typed from the debug link's matrix.
# The checks are in trezorlib_check.py beside this file.
. "$abs_top_srcdir/tests/integration/lib.sh"

PYTHON=/usr/bin/python3
if ! "$PYTHON" -c 'import trezorlib, ecdsa, cryptography' 2>/dev/null; then
	echo "skipped: $PYTHON has no trezorlib (Debian: python3-trezor)"
	exit 77
fi

# run_checks CHECKS: the script's lines as this test's checks.
run_checks() {
	local line
	while IFS= read -r line; do
		case "$line" in
		PASS\ *) pass "trezorlib: ${line#PASS }" ;;
		*) fail "trezorlib: ${line#FAIL }" ;;
		esac
	done < <("$PYTHON" "$abs_top_srcdir/tests/integration/trezorlib_check.py" "$SIM_PORT" "$1" 2>&1)
}

start_sim --debuglink
run_checks plain
expect_eq "one session for the host and one for trezor-agent, resumed" 1 \
	"$(sim_count 'session resumed')"
expect_eq "a seed derived per new session that needed one" 1 "$(sim_count 'seed derived')"
expect_eq "the PINGPING probe and nothing else unknown" 0 "$(sim_count '<- ?')"
stop_sim

start_sim --debuglink --pin 1234
run_checks pin
expect_eq "one PIN matrix" 1 "$(sim_count 'PIN matrix:')"
finish
