#!/bin/bash
# A Trezor Safe 7 (the simulator's, speaking only THP) pairs once through
# pinentry, then serves ssh-keygen -D, ssh -I, pkcs11-tool and ssh-add -s
# with a login through the agent like any other Trezor. Later programs
# connect with the credential, without pairing or a question on the device;
# the agent reconnects after the Trezor restarted. A plain credential (no
# autoconnect) brings the device's question once after a restart. A wrong
# code, a pairing refused on the device, pinentry cancelled and a wiped
# device each say so in one line.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim --model "Safe 7"
use_fake_pinentry
write_identities 'alice@example.com'
setup_sshd "$ALICE_KEY alice@example.com"
data="$HOME/.local/share/trezor-pkcs11"
questions() { grep -o 'THP question: .*' "$tmp/sim.log" | sed 's/THP question: //'; }

# ---- the first program pairs -----------------------------------------------------

stdout=$(ssh-keygen -D "$MODULE" 2> "$tmp/stderr")
expect_eq "ssh-keygen -D lists alice's key" "$ALICE_KEY alice@example.com" "$stdout"
expect_eq "nothing on stderr off a terminal" "" "$(cat "$tmp/stderr")"
expect_eq "the Trezor showed one code" 1 "$(sim_count 'pairing code:')"
expect_eq "pinentry asked for the code, once" "GETPIN Code: description=yes" \
	"$(cat "$tmp/pinentry.log")"
expect_eq "the device asked to pair, then to connect without asking" \
	"thp_pairing_request
thp_autoconnect_credential_request" "$(questions)"
expect_eq "the data directory is private" 700 "$(stat -c %a "$data")"
expect_eq "the host key is private" 600 "$(stat -c %a "$data/thp-host-key")"
expect_eq "the credentials are private" 600 "$(stat -c %a "$data/thp-credentials")"
device_id=$(awk 'NR == 2 { print $4 }' "$data/thp-credentials")
expect_eq "one credential, autoconnect, with the device's id" \
	"trezor-pkcs11 thp credentials 1
autoconnect $device_id" "$(awk 'NR == 1 { print } NR > 1 { print $3, $4 }' "$data/thp-credentials")"
expect_eq "the device id is the simulator's" 24 "${#device_id}"

# ---- later programs connect with the credential ------------------------------------

stdout=$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo logged in 2> "$tmp/stderr")
expect_eq "ssh -I logs in" "logged in" "$stdout"
expect_eq "ssh -I: nothing on stderr" "" "$(cat "$tmp/stderr")"
expect_eq "no second pairing" 1 "$(sim_count 'pairing code:')"
expect_eq "no question to connect" 0 "$(questions | grep -c connection_request)"
expect_eq "one signature, confirmed" 1 "$(sim_count '<- SignIdentity')"
expect_eq "one seed for both programs: the session moved to the new channel" 1 \
	"$(sim_count 'seed derived')"

tool() { pkcs11-tool --module "$MODULE" "$@" 2> "$tmp/tool.stderr"; }
printf '%b' "$(printf '\\x%02x' $(seq 160 191))" > "$tmp/digest"
tool --sign -m ECDSA --id "$ALICE_ID" -i "$tmp/digest" -o "$tmp/sig.raw" > /dev/null
expect_eq "pkcs11-tool: r||s is the firmware's vector" \
	"9a9c40ff057fc0378f6b607df35052c781990063783f7b4efbe979ee565e6a942cffe25bdfde710d9c3486f2b647007614df2af87d18847e1c64464ed4d1ef03" \
	"$(od -An -tx1 -v "$tmp/sig.raw" | tr -d ' \n')"
tool --read-object --type pubkey --id "$ALICE_ID" -o "$tmp/alice.der"
openssl pkey -pubin -inform DER -in "$tmp/alice.der" -out "$tmp/alice.pem" 2> /dev/null
tool --sign -m ECDSA --id "$ALICE_ID" -i "$tmp/digest" -o "$tmp/sig.der" \
	--signature-format openssl > /dev/null
expect_eq "openssl verifies pkcs11-tool's signature" "Signature Verified Successfully" \
	"$(openssl pkeyutl -verify -pubin -inkey "$tmp/alice.pem" -in "$tmp/digest" \
		-sigfile "$tmp/sig.der" 2>&1)"

# An Ed25519 identity (trezor-agent's ssh:// key) signs inside the channel too.
printf 'alice@example.com ed25519\n' > "$tmp/identities-ed25519"
head -c 300 /dev/urandom > "$tmp/data"
TREZOR_PKCS11_IDENTITIES="$tmp/identities-ed25519" tool --sign -m EDDSA \
	--id 48074c50cb627e9a01485c49aca089b2 -i "$tmp/data" -o "$tmp/ed.sig" > /dev/null
# Its SubjectPublicKeyInfo: the Ed25519 prefix, then the key.
printf '%b' "$(printf '302a300506032b6570032100%s' \
	f2fba6502fd61a64bae9eedded1b2d876d7a9d0dc7769f8ef40a138364038d14 | sed 's/../\\x&/g')" |
	openssl pkey -pubin -inform DER -out "$tmp/ed.pem" 2> /dev/null
expect_eq "an Ed25519 signature through THP verifies with trezor-agent's key" \
	"Signature Verified Successfully" \
	"$(openssl pkeyutl -verify -pubin -inkey "$tmp/ed.pem" -rawin -in "$tmp/data" \
		-sigfile "$tmp/ed.sig" 2>&1)"

# ---- ssh-agent keeps its channel, and gets a new one after a restart ----------------

start_agent -P "$MODULE"
ssh-add -s "$MODULE" < /dev/null > /dev/null 2>&1
expect_eq "the agent has the key" "$ALICE_KEY alice@example.com" "$(ssh-add -L 2>&1)"
expect_eq "a login through the agent" "agent" \
	"$(ssh -F "$tmp/ssh_config" simhost-agent echo agent 2>&1)"
handshakes=$(sim_count 'THP handshake')
expect_eq "a second login through the agent" "agent again" \
	"$(ssh -F "$tmp/ssh_config" simhost-agent echo agent again 2>&1)"
expect_eq "the agent kept its channel" "$handshakes" "$(sim_count 'THP handshake')"
kill -USR1 "$SIM_PID"
wait_for "$tmp/sim.log" 'restarted'
expect_eq "a login after the Trezor restarted" "restarted" \
	"$(ssh -F "$tmp/ssh_config" simhost-agent echo restarted 2>&1)"
expect_eq "the agent reconnected with the credential" $((handshakes + 1)) \
	"$(sim_count 'THP handshake')"
expect_eq "autoconnect: no question, no pairing after the restart" "0 1" \
	"$(questions | grep -c connection_request) $(sim_count 'pairing code:')"
stop_agent

# ---- a plain credential: one question after a restart -------------------------------

stdout=$("$CLI" pair --no-autoconnect 2>&1)
expect_contains "pair --no-autoconnect" \
	"(device id $device_id): paired, asks to allow each connection after a restart" "$stdout"
expect_eq "the credential kept is plain now" confirm \
	"$(awk 'NR == 2 { print $3 }' "$data/thp-credentials")"
kill -USR1 "$SIM_PID"
wait_for "$tmp/sim.log" 'restarted'
stdout=$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo asked 2>&1)
expect_eq "ssh -I after a restart" "asked" "$stdout"
expect_eq "the device asked to allow the connection, once" 1 \
	"$(questions | grep -c connection_request)"
stdout=$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo not asked 2>&1)
expect_eq "the next ssh -I replaces the channel: no question" "not asked 1" \
	"$stdout $(questions | grep -c connection_request)"
kill -USR1 "$SIM_PID"
wait_for "$tmp/sim.log" 'restarted'
stdout=$(script -qec "ssh -F '$tmp/ssh_config' -I '$MODULE' simhost echo done" /dev/null \
	< /dev/null | tr -d '\r')
expect_eq "on a terminal: what the device asks" \
	"Confirm on your Trezor: let trezor-pkcs11 on this computer connect
Confirm on your Trezor: sign in as alice@example.com
done" "$stdout"

stdout=$("$CLI" list 2>&1)
expect_contains "list: the pairing" "paired (asks to allow each connection after a restart)" \
	"$stdout"
expect_contains "list: the credentials kept" "paired Trezors ($data/thp-credentials):
  $device_id" "$stdout"

# ---- what goes wrong -------------------------------------------------------------------

"$CLI" unpair "$device_id" > /dev/null
stdout=$(FAKE_PINENTRY_WRONG_CODE=1 ssh-keygen -D "$MODULE" 2> "$tmp/stderr")
expect_eq "a wrong code: no key" "" "$stdout"
expect_contains "a wrong code: one line says so" \
	"trezor-pkcs11: $TREZOR_PATH: the code typed is not the one the Trezor showed: nothing was paired (try again)" \
	"$(cat "$tmp/stderr")"
expect_eq "a wrong code: no credential kept" "" \
	"$(awk 'NR > 1' "$data/thp-credentials")"

stdout=$(FAKE_PINENTRY_WRONG_CODE=1 "$CLI" pair 2>&1)
expect_eq "pair, a wrong code: it fails" 1 "$?"
expect_contains "pair, a wrong code: the line" \
	"not paired: $TREZOR_PATH: the code typed is not the one the Trezor showed" "$stdout"

stdout=$(FAKE_PINENTRY_CANCEL=1 ssh-keygen -D "$MODULE" 2> "$tmp/stderr")
expect_contains "pinentry cancelled: one line says so" \
	"trezor-pkcs11: $TREZOR_PATH: cancelled in pinentry" "$(cat "$tmp/stderr")"

restart_sim --model "Safe 7" --decline
stdout=$(ssh-keygen -D "$MODULE" 2> "$tmp/stderr")
expect_contains "pairing refused on the device: one line says so" \
	"trezor-pkcs11: $TREZOR_PATH: pairing was refused on the Trezor" "$(cat "$tmp/stderr")"

restart_sim --model "Safe 7"
ssh-keygen -D "$MODULE" > /dev/null 2>&1
expect_eq "paired again" 1 "$(awk 'NR > 1' "$data/thp-credentials" | wc -l)"
# Its credentials forgotten (the firmware's "forget all" bumps a counter):
# the same static key, the credential refused: said, and paired again.
restart_sim --model "Safe 7" --thp-credential-counter 1
stdout=$(ssh-keygen -D "$MODULE" 2> "$tmp/stderr")
expect_eq "a refused credential: the key after pairing again" "$ALICE_KEY alice@example.com" \
	"$stdout"
expect_eq "a refused credential: one line, and pairing again" \
	"trezor-pkcs11: the Trezor did not accept this computer's pairing (was it wiped?): pairing again" \
	"$(cat "$tmp/stderr")"
expect_eq "a refused credential: one credential, the new one; one code shown" "1 1" \
	"$(awk 'NR > 1' "$data/thp-credentials" | wc -l) $(sim_count 'pairing code:')"
# Wiped: a new device secret, so new THP keys: a device never seen, paired.
restart_sim --model "Safe 7" --thp-secret wiped
stdout=$(ssh-keygen -D "$MODULE" 2> "$tmp/stderr")
expect_eq "a wiped Trezor: the key after pairing again" "$ALICE_KEY alice@example.com" "$stdout"
expect_eq "a wiped Trezor: no complaint" "" "$(cat "$tmp/stderr")"
expect_eq "a wiped Trezor: the old credential of its device id replaced" 1 \
	"$(awk 'NR > 1' "$data/thp-credentials" | wc -l)"
finish
