#!/bin/bash
# A PIN-locked device: a warm listing leaves it locked, a cold one and a
# login ask the PIN once (pinentry, the matrix read over the debug link).
. "$abs_top_srcdir/tests/device/lib.sh"

if ! device_has_pin; then
	skip "no PIN tests: the device has no PIN"
	exit 77
fi
if [ -z "${TREZOR_DEVICE_RESTART:-}" ] || [ -z "${FAKE_PINENTRY_PIN:-}" ]; then
	skip "no PIN tests: they need TREZOR_DEVICE_RESTART (to lock the device) and" \
		"TREZOR_DEBUGLINK with TREZOR_DEVICE_PIN (to type the PIN)"
	exit 77
fi

ssh-keygen -D "$MODULE" > "$tmp/keys" 2> /dev/null
alice=$(grep ' alice@example.com$' "$tmp/keys")
setup_sshd "$alice"

restart_device || exit 1
: > "$tmp/pinentry.log"
expect_contains "the device is locked after a restart" ", locked" "$(device_line)"
expect_eq "a warm listing" "$(cat "$tmp/keys")" "$(ssh-keygen -D "$MODULE" 2>&1)"
expect_eq "asks no PIN" 0 "$(pinentry_count)"
expect_contains "and leaves the device locked" ", locked" "$(device_line)"

expect_eq "a cold listing" "$(cat "$tmp/keys")" \
	"$(TREZOR_PKCS11_CACHE=off ssh-keygen -D "$MODULE" 2>&1)"
expect_eq "asks the PIN once" 1 "$(pinentry_count)"

restart_device || exit 1
: > "$tmp/pinentry.log"
expect_eq "ssh -I on a locked device" "logged in" \
	"$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo logged in 2>&1)"
expect_eq "asks the PIN once" 1 "$(pinentry_count)"
finish
