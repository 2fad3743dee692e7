#!/bin/bash
# The public-key cache: a warm listing asks the device nothing (so a locked
# device stays locked), a wrong cached key is caught at signing time and
# replaced, a corrupt file or a point off the curve is survived,
# TREZOR_PKCS11_CACHE=off is obeyed.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim --pin 1234 --matrix-seed 3
write_identities 'alice@example.com' 'bob@example.org:2222'
use_fake_pinentry
export FAKE_PINENTRY_PIN=1234
cache="$HOME/.cache/trezor-pkcs11"
keys="$cache/58ACF278961FCEF660089D82.keys"
listing="$ALICE_KEY alice@example.com
$BOB_KEY bob@example.org:2222"

expect_eq "cold listing" "$listing" "$(ssh-keygen -D "$MODULE" 2>&1)"
expect_eq "cold: one GetPublicKey per identity, one PIN" "2 1" \
	"$(sim_count '<- GetPublicKey') $(pinentry_count)"
expect_eq "the cache directory is private" 700 "$(stat -c %a "$cache")"
expect_eq "the cache file too" 600 "$(stat -c %a "$keys")"
expect_eq "what the cache holds" "trezor-pkcs11 keys 1
device 58ACF278961FCEF660089D82
$ALICE_ID 04b9afc638371743324c09dc8136847a0478e9f26a3dfcc0b9923f4bcbdcf93fdbfaefbe4fc8425d3abb485c25895f0ea467d64e589f03051a8a511e64194ca61c
$BOB_ID 044b76fcdf4deb65800cbe55a4077edfa306fcd4684dd860b69c733ecccbbe58af59acd086df056c93aa5b964aa62bc9bdf7a31d116e5d65ed0c51b3432db9eeb9" \
	"$(cat "$keys")"

# Warm, on a device locked again: no key asked, so no PIN either.
restart_sim --pin 1234 --matrix-seed 4
: > "$tmp/pinentry.log"
expect_eq "warm listing" "$listing" "$(ssh-keygen -D "$MODULE" 2>&1)"
expect_eq "warm: no GetPublicKey, no PIN, Features once" "0 0 0 1" \
	"$(sim_count '<- GetPublicKey') $(sim_count '<- PinMatrixAck') $(pinentry_count) $(sim_count '<- GetFeatures')"
start_agent -P "$(dirname "$(readlink -f "$MODULE")")/*"
add_card "$MODULE"
expect_eq "ssh-add -s on a locked device: the keys, no unlocking" "0 $listing" "$? $(agent_keys)"
expect_eq "still no GetPublicKey" 0 "$(sim_count '<- GetPublicKey')"
stop_agent

# Another seed behind the same device id: the cached key is wrong. The
# signature is refused, said so, and the cache takes the device's key, once
# GetPublicKey confirms it (a SignedIdentity alone is not trusted with it).
restart_sim --mnemonic "$MNEMONIC_OTHER" --device-id 58ACF278961FCEF660089D82
setup_sshd "$ALICE_KEY alice@example.com"
output=$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo logged in 2>&1 | module_report)
expect_eq "a mismatch is CKR_DEVICE_ERROR (48), never a wrong signature" \
	"$(ssh_report 48 'trezor-pkcs11: the Trezor signed with another key than the one listed (another seed or passphrase?)')" \
	"$output"
SECOND_ALICE="ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBNTYnRw0B0hnl+QnD0edKNHa6LUMF074CPC1V9PLwBbsj1CBJj78GKSo/LT/leGey1TItQfnNhCchokbZqg8/hY="
expect_eq "the cache now holds the device's key" "$SECOND_ALICE alice@example.com" \
	"$(ssh-keygen -D "$MODULE" 2>&1 | head -n 1)"
expect_eq "confirmed once at the signature, not asked again" 1 \
	"$(sim_count '<- GetPublicKey')"

# A corrupt file is ignored with one line, and rewritten whole.
restart_sim
printf 'trezor-pkcs11 keys 1\ndevice 58ACF278961FCEF660089D82\nnot hex at all\n' > "$keys"
expect_eq "a corrupt cache is survived" "trezor-pkcs11: $keys: not a trezor-pkcs11 key cache for this device; ignored (it is rewritten when keys are next read)
$listing" "$(ssh-keygen -D "$MODULE" 2>&1)"
expect_eq "and rewritten" "trezor-pkcs11 keys 1" "$(head -n 1 "$keys")"
expect_eq "with both keys" 4 "$(wc -l < "$keys")"

# A point off the curve (its last digit changed) is not used: the device is
# asked for that key alone, and the file gets the right point back.
restart_sim
good_alice=$(sed -n 3p "$keys")
sed -i '3s/c$/d/' "$keys"
expect_eq "a point off P-256 is not used" "trezor-pkcs11: the key cache holds no P-256 point for alice@example.com; asking the device
$listing" "$(ssh-keygen -D "$MODULE" 2>&1)"
expect_eq "only that key is asked for" 1 "$(sim_count '<- GetPublicKey')"
expect_eq "the right point is back" "$good_alice" "$(sed -n 3p "$keys")"

# A file others may write is not trusted.
chmod 666 "$keys"
expect_eq "a file others can write is ignored" "trezor-pkcs11: $keys: not our own private file; ignored
$listing" "$(ssh-keygen -D "$MODULE" 2>&1)"
chmod 600 "$keys"

# TREZOR_PKCS11_CACHE=off: nothing read or written.
rm -rf "$cache"
restart_sim
expect_eq "cache off: the keys from the device" "$listing" \
	"$(TREZOR_PKCS11_CACHE=off ssh-keygen -D "$MODULE" 2>&1)"
expect_eq "and no file" "no cache" "$(ls "$cache"/*.keys 2>/dev/null || echo no cache)"
finish
