#!/bin/bash
# pkcs11-tool (OpenSC) shows the token, both objects of each identity and the
# mechanisms; its signatures verify with openssl and the public key it reads.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim
write_identities 'alice@example.com' 'bob@example.org:2222'
tool() { pkcs11-tool --module "$MODULE" "$@" 2> "$tmp/tool.stderr"; }

# The slot id comes from the device id, the same in every process.
expect_eq "pkcs11-tool -L" "Available slots:
Slot 0 (0x711f1fb): Trezor One at udp:127.0.0.1:$SIM_PORT
  token label        : Simulated Trezor
  token manufacturer : SatoshiLabs
  token model        : Trezor One
  token flags        : PIN pad present, token initialized, readonly
  hardware version   : 1.0
  firmware version   : 1.14
  serial num         : 58ACF278961FCEF6
  pin min/max        : 1/50" "$(tool -L)"

expect_eq "pkcs11-tool -O" "Public Key Object; EC  EC_POINT 256 bits
  EC_POINT:   044104b9afc638371743324c09dc8136847a0478e9f26a3dfcc0b9923f4bcbdcf93fdbfaefbe4fc8425d3abb485c25895f0ea467d64e589f03051a8a511e64194ca61c
  EC_PARAMS:  06082a8648ce3d030107
  label:      alice@example.com
  ID:         $ALICE_ID
  Usage:      verify
  Access:     local
Private Key Object; EC
  label:      alice@example.com
  ID:         $ALICE_ID
  Usage:      sign
  Access:     sensitive, always sensitive, never extractable, local
  Allowed mechanisms: ECDSA,ECDSA-SHA256,ECDSA-SHA384,ECDSA-SHA512
Public Key Object; EC  EC_POINT 256 bits
  EC_POINT:   0441044b76fcdf4deb65800cbe55a4077edfa306fcd4684dd860b69c733ecccbbe58af59acd086df056c93aa5b964aa62bc9bdf7a31d116e5d65ed0c51b3432db9eeb9
  EC_PARAMS:  06082a8648ce3d030107
  label:      bob@example.org:2222
  ID:         $BOB_ID
  Usage:      verify
  Access:     local
Private Key Object; EC
  label:      bob@example.org:2222
  ID:         $BOB_ID
  Usage:      sign
  Access:     sensitive, always sensitive, never extractable, local
  Allowed mechanisms: ECDSA,ECDSA-SHA256,ECDSA-SHA384,ECDSA-SHA512" "$(tool -O)"

expect_eq "pkcs11-tool -M" "Supported mechanisms:
  ECDSA, keySize={256,256}, hw, sign, EC F_P, EC OID, EC uncompressed
  ECDSA-SHA256, keySize={256,256}, hw, sign, EC F_P, EC OID, EC uncompressed
  ECDSA-SHA384, keySize={256,256}, hw, sign, EC F_P, EC OID, EC uncompressed
  ECDSA-SHA512, keySize={256,256}, hw, sign, EC F_P, EC OID, EC uncompressed" "$(tool -M)"

# The public key, read back through pkcs11-tool, for openssl.
tool --read-object --type pubkey --id "$ALICE_ID" -o "$tmp/alice.der"
openssl pkey -pubin -inform DER -in "$tmp/alice.der" -out "$tmp/alice.pem"
expect_eq "the key read back is alice's" \
	"04b9afc638371743324c09dc8136847a0478e9f26a3dfcc0b9923f4bcbdcf93fdbfaefbe4fc8425d3abb485c25895f0ea467d64e589f03051a8a511e64194ca61c" \
	"$(openssl pkey -pubin -in "$tmp/alice.pem" -outform DER | tail -c 65 | od -An -tx1 -v | tr -d ' \n')"

# ECDSA over a SHA-256 digest: exactly the firmware's signature.
printf '%b' "$(printf '\\x%02x' $(seq 160 191))" > "$tmp/digest"
tool --sign -m ECDSA --id "$ALICE_ID" -i "$tmp/digest" -o "$tmp/sig.raw"
expect_eq "ECDSA: r||s is the emulator vector" \
	"9a9c40ff057fc0378f6b607df35052c781990063783f7b4efbe979ee565e6a942cffe25bdfde710d9c3486f2b647007614df2af87d18847e1c64464ed4d1ef03" \
	"$(od -An -tx1 -v "$tmp/sig.raw" | tr -d ' \n')"
tool --sign -m ECDSA --id "$ALICE_ID" -i "$tmp/digest" -o "$tmp/sig.der" --signature-format openssl
expect_eq "openssl verifies the ECDSA signature" "Signature Verified Successfully" \
	"$(openssl pkeyutl -verify -pubin -inkey "$tmp/alice.pem" -in "$tmp/digest" -sigfile "$tmp/sig.der" 2>&1)"

# ECDSA-SHA256 over data, hashed by the module.
printf 'data to sign\n' > "$tmp/data"
tool --sign -m ECDSA-SHA256 --id "$ALICE_ID" -i "$tmp/data" -o "$tmp/data.sig" --signature-format openssl
expect_eq "openssl verifies the ECDSA-SHA256 signature" "Verified OK" \
	"$(openssl dgst -sha256 -verify "$tmp/alice.pem" -signature "$tmp/data.sig" "$tmp/data" 2>&1)"
expect_eq "a signature is one SignIdentity each" 3 "$(sim_count '<- SignIdentity')"

# Ids depend on the identity alone, not on its place in the file.
write_identities 'bob@example.org:2222' 'alice@example.com'
expect_eq "ids survive reordering" "  ID:         $BOB_ID
  ID:         $BOB_ID
  ID:         $ALICE_ID
  ID:         $ALICE_ID" "$(tool -O | grep 'ID:')"
finish
