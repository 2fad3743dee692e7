#!/bin/bash
# Every consumer against the device: ssh -I, PKCS11Provider, ssh-add -s
# and a login through the stock agent, pkcs11-tool signing verified with
# OpenSSL. Each signature waits for a press of the button.
. "$abs_top_srcdir/tests/device/lib.sh"

alice=$(ssh-keygen -D "$MODULE" 2> /dev/null | grep ' alice@example.com$')
expect_contains "alice's key is listed" "ecdsa-sha2-nistp256 " "$alice"
setup_sshd "$alice"

tell_person "press the Trezor's button to confirm: ssh -I signs in as alice@example.com"
expect_eq "ssh -I" "logged in" "$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo logged in 2>&1)"
tell_person "press the Trezor's button to confirm: PKCS11Provider signs in as alice@example.com"
expect_eq "PKCS11Provider" "logged in" "$(ssh -F "$tmp/ssh_config" simhost-p11 echo logged in 2>&1)"

start_agent -P "$(dirname "$(readlink -f "$MODULE")")/*"
add_card "$MODULE"
expect_eq "ssh-add -s" 0 $?
expect_contains "the agent holds alice's key" "$alice" "$(agent_keys)"
tell_person "press the Trezor's button to confirm: a login through ssh-agent"
expect_eq "a login through the agent" "through the agent" \
	"$(ssh -F "$tmp/ssh_config" simhost-agent echo through the agent 2>&1)"
stop_agent

tool() { pkcs11-tool --module "$MODULE" "$@" 2> "$tmp/tool.stderr"; }
tool --read-object --type pubkey --id "$ALICE_ID" -o "$tmp/alice.der"
openssl pkey -pubin -inform DER -in "$tmp/alice.der" -out "$tmp/alice.pem" 2> /dev/null
expect_eq "pkcs11-tool reads alice's public key: the key ssh-keygen lists" \
	"$(printf '%s\n' "$alice" | cut -d' ' -f2)" \
	"$(ssh-keygen -i -m PKCS8 -f "$tmp/alice.pem" 2> /dev/null | cut -d' ' -f2)"
printf 'data to sign\n' > "$tmp/data"
tell_person "press the Trezor's button to confirm: pkcs11-tool signs with alice@example.com"
tool --sign -m ECDSA-SHA256 --id "$ALICE_ID" -i "$tmp/data" -o "$tmp/data.sig" \
	--signature-format openssl
openssl dgst -sha256 -verify "$tmp/alice.pem" -signature "$tmp/data.sig" "$tmp/data" > /dev/null 2>&1
expect_eq "openssl verifies pkcs11-tool's signature" 0 $?
printf 'other data\n' > "$tmp/other-data"
openssl dgst -sha256 -verify "$tmp/alice.pem" -signature "$tmp/data.sig" "$tmp/other-data" > /dev/null 2>&1
expect_eq "and not for other data" 1 $?
finish
