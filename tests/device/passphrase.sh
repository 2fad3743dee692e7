#!/bin/bash
# A passphrase wallet: its own keys, after the hidden-wallet confirmation on
# the device; a second program resumes its session (no passphrase, no
# confirmation again); ssh -I signs with it.
. "$abs_top_srcdir/tests/device/lib.sh"

if ! device_has_passphrase; then
	skip "no passphrase tests: the device has no passphrase protection (or is locked)"
	exit 77
fi
if [ -z "${TREZOR_DEVICE_PASSPHRASE:-}" ]; then
	skip "no passphrase tests: TREZOR_DEVICE_PASSPHRASE names no passphrase to try"
	exit 77
fi

TREZOR_PASSPHRASE= ssh-keygen -D "$MODULE" > "$tmp/standard" 2> /dev/null
tell_person "confirm twice on the Trezor: it opens the hidden wallet of the test passphrase"
TREZOR_PASSPHRASE=$TREZOR_DEVICE_PASSPHRASE TREZOR_PKCS11_DEBUG=1 ssh-keygen -D "$MODULE" \
	> "$tmp/hidden" 2> "$tmp/hidden.log"
expect_eq "the hidden wallet lists both identities" 2 "$(grep -c '^ecdsa-sha2-nistp256 ' "$tmp/hidden")"
expect_absent "with keys of its own" "$(head -n 1 "$tmp/hidden")" "$(cat "$tmp/standard")"
expect_eq "the passphrase went to the device once" 1 \
	"$(device_requests PassphraseAck "$tmp/hidden.log")"

TREZOR_PASSPHRASE=$TREZOR_DEVICE_PASSPHRASE TREZOR_PKCS11_CACHE=off TREZOR_PKCS11_DEBUG=1 \
	ssh-keygen -D "$MODULE" > "$tmp/again" 2> "$tmp/again.log"
expect_eq "a second program: the same keys" "$(cat "$tmp/hidden")" "$(cat "$tmp/again")"
expect_eq "from the resumed session: no passphrase, no confirmation" "0 0" \
	"$(device_requests PassphraseAck "$tmp/again.log") $(device_requests ButtonAck "$tmp/again.log")"

setup_sshd "$(grep ' alice@example.com$' "$tmp/hidden")"
tell_person "press the Trezor's button to confirm: ssh -I with the hidden wallet's key"
expect_eq "ssh -I with the hidden wallet's key" "logged in" \
	"$(TREZOR_PASSPHRASE=$TREZOR_DEVICE_PASSPHRASE ssh -F "$tmp/ssh_config" -I "$MODULE" \
		simhost echo logged in 2>&1)"
finish
