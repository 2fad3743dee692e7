#!/bin/bash
# OpenSSL 3 through pkcs11-provider (Debian 13's package pkcs11-provider):
# it lists the Trezor's keys, signs with pkcs11: URIs (verified by OpenSSL
# alone, with the public key it exports), and makes a self-signed
# certificate, with a P-256 key and an Ed25519 key. Skipped (77) where the
# provider is not installed (Debian 12 has no package of it).
. "$abs_top_srcdir/tests/integration/lib.sh"

provider=$(find /usr/lib /usr/lib64 -path '*ossl-modules/pkcs11.so' 2>/dev/null | head -n 1)
if [ -z "$provider" ]; then
	echo "pkcs11-provider is not installed: skipped"
	exit 77
fi
# The README's configuration, examples/openssl-pkcs11.cnf, with this
# machine's provider and the module under test.
sed -e "s|^module = .*|module = $provider|" \
	-e "s|^pkcs11-module-path = .*|pkcs11-module-path = $MODULE|" \
	"$abs_top_srcdir/examples/openssl-pkcs11.cnf" > "$tmp/openssl.cnf"
export OPENSSL_CONF="$tmp/openssl.cnf"

start_sim
write_identities 'alice@example.com' 'alice@example.com ed25519'
printf 'signed through OpenSSL\n' > "$tmp/data"

listing=$(openssl storeutl -keys 'pkcs11:token=Simulated%20Trezor' 2>&1)
# pkcs11-provider 1.0 gives one key per pair ("0: Pkey"); each identity is there.
expect_eq "openssl storeutl finds a key for each identity" 2 \
	"$(grep -c -E '^[0-9]+: ' <<< "$listing")"

# sign_with LABEL-URI-PART NAME: sign, verify with OpenSSL's own code, make a certificate.
sign_with() {
	local object=$1 name=$2 signatures digest=()
	local key="pkcs11:token=Simulated%20Trezor;object=$object;type=private"
	local public="pkcs11:token=Simulated%20Trezor;object=$object;type=public"

	[ -z "${3:-}" ] || digest=(-digest "$3")    # Ed25519 hashes the message itself
	openssl pkey -pubin -in "$public" -out "$tmp/$name.pem" 2> "$tmp/$name.err"
	expect_eq "$name: the public key exported" 0 $?
	signatures=$(sim_count '<- SignIdentity')
	openssl pkeyutl -sign -inkey "$key" -rawin -in "$tmp/data" -out "$tmp/$name.sig" \
		"${digest[@]}" 2> "$tmp/$name.err"
	expect_eq "$name: openssl pkeyutl -sign with the pkcs11: URI, one confirmation" \
		"0 $((signatures + 1))" "$? $(sim_count '<- SignIdentity')"
	OPENSSL_CONF=/dev/null openssl pkeyutl -verify -pubin -inkey "$tmp/$name.pem" -rawin \
		-in "$tmp/data" -sigfile "$tmp/$name.sig" "${digest[@]}" > /dev/null 2>&1
	expect_eq "$name: OpenSSL alone verifies it" 0 $?
	openssl req -new -x509 -key "$key" -subj "/CN=$name" -days 1 -out "$tmp/$name.crt" \
		2> "$tmp/$name.err"
	expect_eq "$name: a self-signed certificate" 0 $?
	OPENSSL_CONF=/dev/null openssl verify -CAfile "$tmp/$name.crt" "$tmp/$name.crt" \
		> /dev/null 2>&1
	expect_eq "$name: which verifies" 0 $?
	expect_eq "$name: with the Trezor's key in it" \
		"$(openssl pkey -pubin -in "$tmp/$name.pem" -outform DER | od -An -tx1)" \
		"$(OPENSSL_CONF=/dev/null openssl x509 -in "$tmp/$name.crt" -noout -pubkey |
			openssl pkey -pubin -outform DER | od -An -tx1)"
}

sign_with 'alice@example.com' p256 sha256
# The README's command as it stands: no token named, the label alone.
expect_contains "the README's openssl req makes a certificate" "-----BEGIN CERTIFICATE-----" \
	"$(openssl req -new -x509 -subj /CN=alice \
		-key 'pkcs11:object=alice@example.com;type=private' 2>&1)"
# The Ed25519 label, <ssh://alice@example.com|ed25519>, percent-encoded.
sign_with '%3Cssh%3A%2F%2Falice%40example.com%7Ced25519%3E' ed25519
expect_eq "the Ed25519 key is the one trezor-agent shows" \
	"$(cut -d' ' -f2 <<< "$(agent_line alice@example.com)" | base64 -d | tail -c 32 | od -An -tx1)" \
	"$(OPENSSL_CONF=/dev/null openssl pkey -pubin -in "$tmp/ed25519.pem" -outform DER | tail -c 32 | od -An -tx1)"
finish
