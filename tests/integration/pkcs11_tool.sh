#!/bin/bash
# pkcs11-tool (OpenSC) shows the token, both objects of each identity and the
# mechanisms; its signatures verify with openssl and the public key it reads.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim
write_identities 'alice@example.com' 'bob@example.org:2222'
tool() { pkcs11-tool --module "$MODULE" "$@" 2> "$tmp/tool.stderr"; }

# verifies SIGNATURE INPUT [DIGEST]: whether openssl finds SIGNATURE (DER)
# of INPUT (a digest, or data hashed with DIGEST) good, by alice's key
# (openssl's exit status; its words differ between its commands).
verifies() {
	if [ $# -eq 2 ]; then
		openssl pkeyutl -verify -pubin -inkey "$tmp/alice.pem" -in "$2" -sigfile "$1"
	else
		openssl dgst "-$3" -verify "$tmp/alice.pem" -signature "$1" "$2"
	fi > /dev/null 2>&1 && echo good || echo bad
}

# What pkcs11-tool shows, as facts (lib.sh: OpenSC 0.23 and 0.26 lay it out
# differently). The slot id comes from the device id, the same in every
# process.
expect_eq "pkcs11-tool -L: the slot names the device; the token's fields" \
	"slot 0x711f1fb: Trezor One at udp:127.0.0.1:$SIM_PORT
  token label: Simulated Trezor
  token manufacturer: SatoshiLabs
  token model: Trezor One
  token flags: PIN pad present, readonly, token initialized
  hardware version: 1.0
  firmware version: 1.14
  serial num: 58ACF278961FCEF6
  pin min/max: 1/50" "$(tool -L | pkcs11_tool_slots)"

# objects ID LABEL POINT: an identity's two objects, as pkcs11_tool_objects
# gives them.
objects() {
	cat <<-EOF
	Public Key Object: EC, 256 bits
	  label: $2
	  ID: $1
	  EC_POINT: 0441$3
	  EC_PARAMS: 06082a8648ce3d030107
	  Usage: verify
	  Access: local
	Private Key Object: EC
	  label: $2
	  ID: $1
	  Usage: sign
	  Access: always sensitive, local, never extractable, sensitive
	  Allowed mechanisms: ECDSA, ECDSA-SHA256, ECDSA-SHA384, ECDSA-SHA512
	EOF
}
ALICE_POINT=04b9afc638371743324c09dc8136847a0478e9f26a3dfcc0b9923f4bcbdcf93fdbfaefbe4fc8425d3abb485c25895f0ea467d64e589f03051a8a511e64194ca61c
BOB_POINT=044b76fcdf4deb65800cbe55a4077edfa306fcd4684dd860b69c733ecccbbe58af59acd086df056c93aa5b964aa62bc9bdf7a31d116e5d65ed0c51b3432db9eeb9
expect_eq "pkcs11-tool -O: per identity a public key (the point, P-256) and a private key that only signs" \
	"$(objects "$ALICE_ID" alice@example.com "$ALICE_POINT"; objects "$BOB_ID" bob@example.org:2222 "$BOB_POINT")" \
	"$(tool -O | pkcs11_tool_objects)"

expect_eq "pkcs11-tool -M: ECDSA on P-256 and EdDSA, in hardware, signing only" \
	"ECDSA: keySize={256,256}; EC F_P, EC OID, EC uncompressed, hw, sign
ECDSA-SHA256: keySize={256,256}; EC F_P, EC OID, EC uncompressed, hw, sign
ECDSA-SHA384: keySize={256,256}; EC F_P, EC OID, EC uncompressed, hw, sign
ECDSA-SHA512: keySize={256,256}; EC F_P, EC OID, EC uncompressed, hw, sign
EDDSA: keySize={256,256}; hw, sign" \
	"$(tool -M | pkcs11_tool_mechanisms)"

# The public key, read back through pkcs11-tool, for openssl.
tool --read-object --type pubkey --id "$ALICE_ID" -o "$tmp/alice.der"
openssl pkey -pubin -inform DER -in "$tmp/alice.der" -out "$tmp/alice.pem"
expect_eq "the key read back is alice's" "$ALICE_POINT" \
	"$(openssl pkey -pubin -in "$tmp/alice.pem" -outform DER | tail -c 65 | od -An -tx1 -v | tr -d ' \n')"

# ECDSA over a SHA-256 digest: exactly the firmware's signature.
printf '%b' "$(printf '\\x%02x' $(seq 160 191))" > "$tmp/digest"
tool --sign -m ECDSA --id "$ALICE_ID" -i "$tmp/digest" -o "$tmp/sig.raw"
expect_eq "ECDSA: r||s is the emulator vector" \
	"9a9c40ff057fc0378f6b607df35052c781990063783f7b4efbe979ee565e6a942cffe25bdfde710d9c3486f2b647007614df2af87d18847e1c64464ed4d1ef03" \
	"$(od -An -tx1 -v "$tmp/sig.raw" | tr -d ' \n')"
tool --sign -m ECDSA --id "$ALICE_ID" -i "$tmp/digest" -o "$tmp/sig.der" --signature-format openssl
expect_eq "openssl verifies the ECDSA signature" good "$(verifies "$tmp/sig.der" "$tmp/digest")"
printf '%b' "$(printf '\\x%02x' $(seq 161 192))" > "$tmp/other-digest"
expect_eq "and not for another digest" bad "$(verifies "$tmp/sig.der" "$tmp/other-digest")"

# ECDSA-SHA256 over data, hashed by the module.
printf 'data to sign\n' > "$tmp/data"
tool --sign -m ECDSA-SHA256 --id "$ALICE_ID" -i "$tmp/data" -o "$tmp/data.sig" --signature-format openssl
expect_eq "openssl verifies the ECDSA-SHA256 signature" good "$(verifies "$tmp/data.sig" "$tmp/data" sha256)"
printf 'other data\n' > "$tmp/other-data"
expect_eq "and not for other data" bad "$(verifies "$tmp/data.sig" "$tmp/other-data" sha256)"
expect_eq "a signature is one SignIdentity each" 3 "$(sim_count '<- SignIdentity')"

# Ids depend on the identity alone, not on its place in the file.
write_identities 'bob@example.org:2222' 'alice@example.com'
expect_eq "ids survive reordering" "$BOB_ID $BOB_ID $ALICE_ID $ALICE_ID" \
	"$(tool -O | pkcs11_tool_objects | sed -n 's/^  ID: //p' | paste -s -d ' ')"
finish
