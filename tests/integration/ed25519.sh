#!/bin/bash
# Ed25519 identities, trezor-agent's own keys: `add -e ed25519` prints
# byte for byte the line trezor-agent prints (derived here independently);
# with OpenSSH 10.1 and later ssh -I, PKCS11Provider, ssh-add -s into the
# stock agent and git commit signing through it log in and sign with them;
# an older OpenSSH skips them and keeps the P-256 keys working; pkcs11-tool
# signs EdDSA, verified with OpenSSL; p11tool lists them; PIN, passphrase
# (with the hidden-wallet confirmation) and the key cache work for them.
. "$abs_top_srcdir/tests/integration/lib.sh"

ALICE_ED=$(agent_line alice@example.com)
ALICE_ED_ID=48074c50cb627e9a01485c49aca089b2
ALICE_ED_TREZOR=$(agent_line alice@example.com TREZOR)

start_sim
export TREZOR_PKCS11_IDENTITIES="$tmp/identities"

# ---- the command: trezor-agent's line, byte for byte ------------------------------

"$CLI" add -e ed25519 alice@example.com > "$tmp/add.out" 2> "$tmp/add.err"
expect_eq "add -e ed25519 exits 0" 0 $?
expect_eq "and prints exactly trezor-agent's line (with its newline)" \
	"$(agent_line alice@example.com | od -An -c)" "$(od -An -c < "$tmp/add.out")"
expect_eq "and says what it added" \
	"trezor-pkcs11: added alice@example.com ed25519 to $tmp/identities" "$(cat "$tmp/add.err")"
"$CLI" add alice@example.com bob@example.org:2222 > /dev/null 2>&1
expect_eq "the file holds the type after the identity" "alice@example.com ed25519
alice@example.com
bob@example.org:2222" "$(cat "$tmp/identities")"
expect_eq "pubkey -e ed25519: the same line" "$ALICE_ED" \
	"$("$CLI" pubkey -e ed25519 alice@example.com 2>&1)"
expect_eq "pubkey: every key of the file, in its order" "$ALICE_ED
$ALICE_KEY alice@example.com
$BOB_KEY bob@example.org:2222" "$("$CLI" pubkey 2>&1)"
expect_eq "list names the type" "  alice@example.com ed25519
  alice@example.com
  bob@example.org:2222" "$("$CLI" list 2>&1 | grep '^  ')"
expect_eq "a type that is none" "trezor-pkcs11: pubkey: the key type is ed25519 or nist256p1, not \"ed448\"
2" "$("$CLI" pubkey -e ed448 alice@example.com 2>&1; echo $?)"
expect_eq "the cache holds the 32-byte key on its own line" \
	"$ALICE_ED_ID f2fba6502fd61a64bae9eedded1b2d876d7a9d0dc7769f8ef40a138364038d14" \
	"$(grep "^$ALICE_ED_ID " "$HOME"/.cache/trezor-pkcs11/*.keys)"
expect_eq "listing again asks the device no key" 3 "$(sim_count '<- GetPublicKey')"

# ---- OpenSSH ------------------------------------------------------------------------

setup_sshd "$ALICE_ED"
printf '%s\n' "$ALICE_ED" > "$tmp/ed.pub"
printf '%s alice@example.com\n' "$ALICE_KEY" > "$tmp/p256.pub"
signatures=$(sim_count '<- SignIdentity')
if ssh_takes_ed25519; then
	expect_eq "ssh-keygen -D lists the Ed25519 key with trezor-agent's comment" "$ALICE_ED
$ALICE_KEY alice@example.com
$BOB_KEY bob@example.org:2222
ok" "$(listing ssh-keygen -D "$MODULE")"
	stdout=$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo ed25519 via -I 2> "$tmp/stderr")
	expect_eq "ssh -I logs in with the Ed25519 key" "ed25519 via -I" "$stdout"
	expect_eq "one confirmation" $((signatures + 1)) "$(sim_count '<- SignIdentity')"
	expect_contains "sshd took the ED25519 key" "ED25519 SHA256:" "$(grep Accepted "$tmp/sshd.log")"
	stdout=$(ssh -F "$tmp/ssh_config" simhost-p11 echo ed25519 via PKCS11Provider 2>&1)
	expect_eq "PKCS11Provider logs in with it" "ed25519 via PKCS11Provider" "$stdout"

	start_agent -P "$(dirname "$(readlink -f "$MODULE")")/*"
	add_card "$MODULE"
	expect_eq "ssh-add -s: the agent offers trezor-agent's line among the keys" "0 $ALICE_ED
$ALICE_KEY alice@example.com
$BOB_KEY bob@example.org:2222" "$? $(agent_keys)"
	stdout=$(ssh -F "$tmp/ssh_config" simhost-agent echo ed25519 via the agent 2>&1)
	expect_eq "a login through the agent with it" "ed25519 via the agent" "$stdout"

	# git signs a commit with it through the agent; verify-commit accepts it.
	export GIT_CONFIG_NOSYSTEM=1
	unset GIT_CONFIG_GLOBAL GIT_DIR GIT_WORK_TREE
	repo="$tmp/repo"
	git init -q "$repo"
	git -C "$repo" config user.name "Alice Example"
	git -C "$repo" config user.email alice@example.com
	git -C "$repo" config gpg.format ssh
	git -C "$repo" config user.signingkey "key::$ALICE_ED"
	printf 'alice@example.com namespaces="git" %s\n' "$(cut -d' ' -f1,2 <<< "$ALICE_ED")" \
		> "$tmp/allowed_signers"
	git -C "$repo" config gpg.ssh.allowedSignersFile "$tmp/allowed_signers"
	git -C "$repo" commit -q --allow-empty -S -m "signed with ed25519" > "$tmp/git.out" 2>&1
	expect_eq "git commit -S signs with the Ed25519 key through the agent" "0" "$?"
	expect_eq "git sees a good signature by alice's Ed25519 key" \
		"G alice@example.com $(ssh-keygen -lf "$tmp/ed.pub" | cut -d' ' -f2)" \
		"$(git -C "$repo" log -1 --format='%G? %GS %GK')"
	remove_card "$MODULE"
	stop_agent
else
	# OpenSSH before 10.1: the Ed25519 key is skipped, the P-256 keys work.
	expect_eq "ssh-keygen -D lists the P-256 keys alone" "$ALICE_KEY alice@example.com
$BOB_KEY bob@example.org:2222
ok" "$(listing ssh-keygen -D "$MODULE")"
	stdout=$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo no 2> "$tmp/stderr")
	expect_eq "ssh -I cannot log in where only the Ed25519 key is authorized" "" "$stdout"
	expect_eq "nothing was signed" "$signatures" "$(sim_count '<- SignIdentity')"
	setup_sshd "$ALICE_KEY alice@example.com"
	stdout=$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo p256 still 2> "$tmp/stderr")
	expect_eq "the P-256 key logs in beside the Ed25519 line" "p256 still" "$stdout"
	start_agent -P "$(dirname "$(readlink -f "$MODULE")")/*"
	add_card "$MODULE"
	expect_eq "ssh-add -s: the agent holds the P-256 keys" "0 $ALICE_KEY alice@example.com
$BOB_KEY bob@example.org:2222" "$? $(agent_keys)"
	stop_agent
fi

# doctor says whether this ssh offers the Ed25519 identity, with a fake ssh each way.
mkdir -p "$tmp/bin"
printf '#!/bin/sh\necho "OpenSSH_9.2p1 Debian-2+deb12u10, OpenSSL 3.0.19" >&2\n' > "$tmp/bin/ssh"
chmod +x "$tmp/bin/ssh"
expect_eq "doctor with OpenSSH 9.2: a problem, and why" \
	"PROBLEM  OpenSSH_9.2p1 does not offer the 1 Ed25519 identity: OpenSSH takes Ed25519 keys from PKCS#11 only from 10.1 on, and skips them (\"skipping unsupported key type\")
         use OpenSSH 10.1 or later (Debian 13: trixie-backports) for them; the P-256 keys work with this one, and pkcs11-tool, OpenSSL and GnuTLS sign with the Ed25519 ones" \
	"$(PATH="$tmp/bin:$PATH" "$CLI" doctor | grep -A1 'OpenSSH_')"
printf '#!/bin/sh\necho "OpenSSH_10.1p1, OpenSSL 3.5.1" >&2\n' > "$tmp/bin/ssh"
expect_eq "doctor with OpenSSH 10.1: ok" \
	"ok       OpenSSH_10.1p1 offers the 1 Ed25519 identity (OpenSSH takes Ed25519 keys from PKCS#11 from 10.1 on)" \
	"$(PATH="$tmp/bin:$PATH" "$CLI" doctor | grep 'OpenSSH_')"

# ---- pkcs11-tool and OpenSSL, p11tool -------------------------------------------------

p11() { pkcs11-tool --module "$MODULE" "$@"; }
expect_contains "pkcs11-tool -M lists EDDSA" "EDDSA: keySize={256,256}; hw, sign" \
	"$(p11 -M 2>/dev/null | pkcs11_tool_mechanisms)"
expect_contains "pkcs11-tool -O: the Ed25519 public key" "Public Key Object: EC_EDWARDS
  label: <ssh://alice@example.com|ed25519>
  ID: $ALICE_ED_ID
  EC_POINT: 0420f2fba6502fd61a64bae9eedded1b2d876d7a9d0dc7769f8ef40a138364038d14
  EC_PARAMS: 06032b6570" "$(p11 -O 2>/dev/null | pkcs11_tool_objects | sed 's/, [0-9]* bits//')"
head -c 300 /dev/urandom > "$tmp/data"
p11 --sign -m EDDSA --id "$ALICE_ED_ID" -i "$tmp/data" -o "$tmp/data.sig" > /dev/null 2>&1
expect_eq "pkcs11-tool signs with EDDSA" "0 64" "$? $(stat -c %s "$tmp/data.sig")"
python3 -c 'import base64,sys; k=bytes.fromhex(sys.argv[1]); print("-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(bytes.fromhex("302a300506032b6570032100") + k).decode() + "\n-----END PUBLIC KEY-----")' \
	f2fba6502fd61a64bae9eedded1b2d876d7a9d0dc7769f8ef40a138364038d14 > "$tmp/ed.pem"
openssl pkeyutl -verify -pubin -inkey "$tmp/ed.pem" -rawin -in "$tmp/data" \
	-sigfile "$tmp/data.sig" > /dev/null 2>&1
expect_eq "OpenSSL verifies the signature with the key trezor-agent shows" 0 $?
printf 'other' > "$tmp/other"
openssl pkeyutl -verify -pubin -inkey "$tmp/ed.pem" -rawin -in "$tmp/other" \
	-sigfile "$tmp/data.sig" > /dev/null 2>&1
expect_eq "and refuses it for other data" 1 $?
p11 --read-object --type pubkey --id "$ALICE_ED_ID" -o "$tmp/read.key" > /dev/null 2>&1
expect_eq "pkcs11-tool reads the public key as that key" \
	"$(openssl pkey -pubin -in "$tmp/ed.pem" -outform DER | od -An -tx1)" \
	"$(openssl pkey -pubin -in "$tmp/read.key" -outform DER 2>/dev/null | od -An -tx1)"
signatures=$(sim_count '<- SignIdentity')
head -c 600 /dev/urandom > "$tmp/long"
output=$(p11 --sign -m EDDSA --id "$ALICE_ED_ID" -i "$tmp/long" -o "$tmp/long.sig" 2>&1)
expect_eq "600 bytes are more than a Trezor One signs: refused" 1 $?
expect_contains "with the module's line" "trezor-pkcs11: a Trezor signs at most 512 bytes with an Ed25519 key; this is longer" "$output"
expect_eq "without asking the device" "$signatures" "$(sim_count '<- SignIdentity')"
expect_contains "p11tool lists the Ed25519 key" "Type: Public key (EdDSA (Ed25519))
  Label: <ssh://alice@example.com|ed25519>" \
	"$(p11tool --provider "$MODULE" --list-all 2>/dev/null | p11tool_objects)"

# ---- PIN, passphrase and the hidden wallet ------------------------------------------

use_fake_pinentry
export FAKE_PINENTRY_PIN=1234
restart_sim --pin 1234 --matrix-seed 5
write_identities 'alice@example.com ed25519'
setup_sshd "$ALICE_ED"
p11 --sign -m EDDSA --id "$ALICE_ED_ID" -i "$tmp/data" -o "$tmp/pin.sig" > /dev/null 2>&1
expect_eq "a locked Trezor: the PIN asked once, then the signature" "0 1" "$? $(pinentry_count)"
openssl pkeyutl -verify -pubin -inkey "$tmp/ed.pem" -rawin -in "$tmp/data" \
	-sigfile "$tmp/pin.sig" > /dev/null 2>&1
expect_eq "valid" 0 $?

restart_sim --passphrase-protection
export TREZOR_PASSPHRASE=TREZOR TREZOR_PKCS11_CACHE=off
expect_eq "the passphrase's wallet has its own Ed25519 key, as trezor-agent's" "$ALICE_ED_TREZOR" \
	"$("$CLI" pubkey 2>&1)"
expect_eq "the wallet was opened, and the hidden wallet confirmed twice on the device" "1 2" \
	"$(sim_count 'wallet chosen (a passphrase)') $(sim_count '-> ButtonRequest')"
p11 --sign -m EDDSA --id "$ALICE_ED_ID" -i "$tmp/data" -o "$tmp/pass.sig" > /dev/null 2>&1
expect_eq "it signs there, in the same session: one more confirmation, no passphrase" "0 1 3" \
	"$? $(sim_count '<- PassphraseAck') $(sim_count '-> ButtonRequest')"
python3 -c 'import base64,sys; print(base64.b64decode(sys.argv[1])[19:].hex())' \
	"$(cut -d' ' -f2 <<< "$ALICE_ED_TREZOR")" > "$tmp/trezor.hex"
python3 -c 'import base64,sys; k=bytes.fromhex(open(sys.argv[1]).read().strip()); print("-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(bytes.fromhex("302a300506032b6570032100") + k).decode() + "\n-----END PUBLIC KEY-----")' \
	"$tmp/trezor.hex" > "$tmp/trezor.pem"
openssl pkeyutl -verify -pubin -inkey "$tmp/trezor.pem" -rawin -in "$tmp/data" \
	-sigfile "$tmp/pass.sig" > /dev/null 2>&1
expect_eq "with that wallet's key" 0 $?
unset TREZOR_PASSPHRASE TREZOR_PKCS11_CACHE
finish
