#!/bin/bash
# Through Trezor Bridge (a fake one, forwarding to the simulator): named in
# TREZOR_PATH, and found by itself when the USB device is held by another
# program, as when Trezor Suite runs.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim
write_identities 'alice@example.com'
setup_sshd "$ALICE_KEY alice@example.com"
start_fake_bridge "1=$SIM_PORT"

export TREZOR_PATH=bridge:1
stdout=$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo through Bridge 2> "$tmp/stderr")
expect_eq "ssh -I through bridge:1" "through Bridge" "$stdout"
expect_eq "and nothing on stderr" "" "$(cat "$tmp/stderr")"
expect_contains "Bridge carried the signature" "POST /call/" "$(cat "$tmp/bridge.log")"
expect_eq "one signature" 1 "$(sim_count '<- SignIdentity')"
# The module releases its Bridge session in C_Finalize, which ssh calls at
# its end; the ssh-pkcs11-helper of OpenSSH 10.1 and 10.2 exits without it,
# and Bridge gives the session to the next program that acquires.
if ssh_uses_pkcs11_helper; then
	expect_absent "the session is not released: OpenSSH's helper never calls C_Finalize" \
		"POST /release/" "$(cat "$tmp/bridge.log")"
else
	expect_contains "the session was released at the end" "POST /release/" "$(cat "$tmp/bridge.log")"
fi

# The USB device is busy (Trezor Suite holds it): the module asks Bridge.
use_fake_usb "1 5 webusb $SIM_PORT claim=busy"
stdout=$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo Suite holds USB 2> "$tmp/stderr")
expect_eq "ssh -I goes through Bridge when USB is busy" "Suite holds USB" "$stdout"
expect_eq "quietly" "" "$(cat "$tmp/stderr")"
expect_eq "two signatures in all" 2 "$(sim_count '<- SignIdentity')"

# No Bridge either: one line says what to do.
export TREZOR_PKCS11_BRIDGE=127.0.0.1:1
expect_eq "busy and no Bridge" "trezor-pkcs11: a Trezor is in use by another program (Trezor Suite?) and no Trezor Bridge answers: close that program, or run Bridge
failed" "$(listing ssh-keygen -D "$MODULE")"

# A TREZOR_PKCS11_BRIDGE that is no address is said to be one, not "no Bridge answers".
export TREZOR_PKCS11_BRIDGE=localhost
expect_eq "a malformed TREZOR_PKCS11_BRIDGE" "trezor-pkcs11: TREZOR_PKCS11_BRIDGE=localhost is not HOST:PORT (Bridge listens on 127.0.0.1:21325): Bridge is not asked
failed" "$(listing ssh-keygen -D "$MODULE")"
unset LD_PRELOAD
expect_contains "and so with a bridge: path in TREZOR_PATH" \
	"trezor-pkcs11: TREZOR_PKCS11_BRIDGE=localhost is not HOST:PORT" \
	"$(TREZOR_PATH=bridge:1 listing ssh-keygen -D "$MODULE")"
finish
