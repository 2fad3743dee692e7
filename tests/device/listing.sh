#!/bin/bash
# Which device this run is on, and its keys: a cold listing starts a
# session and asks one GetPublicKey per identity, a warm one asks nothing,
# and a second program resumes the first one's session.
. "$abs_top_srcdir/tests/device/lib.sh"

line=$(device_line)
expect_contains "the module finds the device" " at $TREZOR_PATH: firmware " "$line"
printf 'device: %s\n' "$line"

if device_has_pin && [ -z "${FAKE_PINENTRY_PIN:-}" ]; then
	tell_person "pinentry may ask for the Trezor's PIN: type it as the grid on the device shows"
fi
TREZOR_PKCS11_DEBUG=1 ssh-keygen -D "$MODULE" > "$tmp/cold" 2> "$tmp/cold.log"
expect_eq "cold listing: a P-256 key per identity, labelled" \
	"ecdsa-sha2-nistp256 alice@example.com
ecdsa-sha2-nistp256 bob@example.org:2222" "$(cut -d' ' -f1,3 "$tmp/cold")"
expect_eq "cold: one Initialize, one GetPublicKey per identity" "1 2" \
	"$(device_requests Initialize "$tmp/cold.log") $(device_requests GetPublicKey "$tmp/cold.log")"
if [ "${TREZOR_DEVICE_SEED:-}" = all ] && [ -z "${TREZOR_PASSPHRASE:-}" ]; then
	expect_eq "the keys are the vectors of HACKING 5.6" "$ALICE_KEY alice@example.com
$BOB_KEY bob@example.org:2222" "$(cat "$tmp/cold")"
else
	skip "keys not compared with the vectors of HACKING 5.6 (TREZOR_DEVICE_SEED=all, no passphrase, says they must be)"
fi

TREZOR_PKCS11_DEBUG=1 ssh-keygen -D "$MODULE" > "$tmp/warm" 2> "$tmp/warm.log"
expect_eq "warm listing: the same keys" "$(cat "$tmp/cold")" "$(cat "$tmp/warm")"
expect_eq "warm: no session, no GetPublicKey" "0 0" \
	"$(device_requests Initialize "$tmp/warm.log") $(device_requests GetPublicKey "$tmp/warm.log")"

TREZOR_PKCS11_CACHE=off TREZOR_PKCS11_DEBUG=1 ssh-keygen -D "$MODULE" > "$tmp/again" \
	2> "$tmp/again.log"
expect_eq "a second program, without the cache: the same keys" "$(cat "$tmp/cold")" \
	"$(cat "$tmp/again")"
expect_eq "it resumed the first one's session (no new seed derivation)" 0 \
	"$(grep -c 'a new session on the Trezor' "$tmp/again.log")"
finish
