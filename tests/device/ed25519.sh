#!/bin/bash
# Ed25519 identities on the device: the key it gives for ssh://alice is
# trezor-agent's (with TREZOR_DEVICE_SEED=all, the one derived here
# independently), pkcs11-tool signs EdDSA over a whole message, OpenSSL
# verifies it with the key pkcs11-tool reads, and the largest message the
# module lets through (512 bytes) is one the firmware signs; with OpenSSH
# 10.1 or later, ssh -I logs in with it.
. "$abs_top_srcdir/tests/device/lib.sh"

write_identities 'alice@example.com ed25519' 'alice@example.com'
ALICE_ED_ID=48074c50cb627e9a01485c49aca089b2
p11() { pkcs11-tool --module "$MODULE" "$@" 2> "$tmp/p11.stderr"; }

if device_has_pin && [ -z "${FAKE_PINENTRY_PIN:-}" ]; then
	tell_person "pinentry may ask for the Trezor's PIN: type it as the grid on the device shows"
fi
line=$("$CLI" pubkey -e ed25519 alice@example.com 2> "$tmp/pubkey.stderr")
expect_contains "the device gives an Ed25519 key, with trezor-agent's comment" \
	" <ssh://alice@example.com|ed25519>" "$line"
if [ "${TREZOR_DEVICE_SEED:-}" = all ] && [ -z "${TREZOR_PASSPHRASE:-}" ]; then
	expect_eq "the key trezor-agent shows for that seed" "$(agent_line alice@example.com)" "$line"
else
	skip "the Ed25519 key not compared with trezor-agent's (TREZOR_DEVICE_SEED=all, no passphrase, says it must be)"
fi

p11 --read-object --type pubkey --id "$ALICE_ED_ID" -o "$tmp/ed.key"
openssl pkey -pubin -in "$tmp/ed.key" -out "$tmp/ed.pem" 2> /dev/null
expect_eq "pkcs11-tool reads that key" \
	"$(printf '%s\n' "$line" | cut -d' ' -f2 | base64 -d | tail -c 32 | od -An -tx1)" \
	"$(openssl pkey -pubin -in "$tmp/ed.pem" -outform DER 2> /dev/null | tail -c 32 | od -An -tx1)"

# sign_and_verify NAME BYTES: pkcs11-tool signs BYTES random bytes, OpenSSL checks.
sign_and_verify() {
	head -c "$2" /dev/urandom > "$tmp/$1"
	tell_person "press the Trezor's button to confirm: pkcs11-tool signs $2 bytes with alice's Ed25519 key"
	p11 --sign -m EDDSA --id "$ALICE_ED_ID" -i "$tmp/$1" -o "$tmp/$1.sig"
	expect_eq "$1: pkcs11-tool signs $2 bytes with EDDSA" "0 64" "$? $(stat -c %s "$tmp/$1.sig" 2> /dev/null)"
	openssl pkeyutl -verify -pubin -inkey "$tmp/ed.pem" -rawin -in "$tmp/$1" \
		-sigfile "$tmp/$1.sig" > /dev/null 2>&1
	expect_eq "$1: OpenSSL verifies it" 0 $?
}
sign_and_verify short 300
sign_and_verify longest 512
head -c 513 /dev/urandom > "$tmp/too-long"
TREZOR_PKCS11_DEBUG=1 pkcs11-tool --module "$MODULE" --sign -m EDDSA --id "$ALICE_ED_ID" \
	-i "$tmp/too-long" -o "$tmp/too-long.sig" > /dev/null 2> "$tmp/too-long.log"
expect_eq "513 bytes: refused, without asking the device" "1 0" \
	"$? $(device_requests SignIdentity "$tmp/too-long.log")"

if ssh_takes_ed25519; then
	setup_sshd "$line"
	tell_person "press the Trezor's button to confirm: ssh -I signs in with alice's Ed25519 key"
	expect_eq "ssh -I logs in with the Ed25519 key" "logged in" \
		"$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo logged in 2>&1)"
else
	skip "no ssh -I with the Ed25519 key: $(ssh -V 2>&1) takes none from a module (10.1 and later do)"
fi
finish
