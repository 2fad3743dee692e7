#!/bin/bash
# Two programs, one emulator. The emulator (and the simulator) answer
# whoever wrote to them last, so the user's programs take turns: a second
# program waits while the first one's person is at the device, and neither
# takes the other's answers. A program whose wallet's session is not the
# device's active one (another program made its own active) resumes its own.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim --confirm-delay 1500
write_identities 'alice@example.com'
setup_sshd "$ALICE_KEY alice@example.com"

# A logs in: the person takes 1.5 s. B starts meanwhile and lists keys.
ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo A logged in > "$tmp/a.out" 2>&1 &
a=$!
wait_for "$tmp/sim.log" '-> ButtonRequest' || exit 1
b=$(TREZOR_PKCS11_CACHE=off ssh-keygen -D "$MODULE" 2>&1)
wait "$a"
expect_eq "A logs in" "A logged in" "$(cat "$tmp/a.out")"
expect_eq "B, started while A's person was at the device, lists the key" \
	"$ALICE_KEY alice@example.com" "$b"
expect_eq "B's requests came after A's signature" \
	"<- SignIdentity -> ButtonRequest <- ButtonAck -> SignedIdentity <- GetFeatures" \
	"$(grep -o -E '(<-|->) (SignIdentity|ButtonRequest|ButtonAck|SignedIdentity|GetFeatures)$' \
		"$tmp/sim.log" | tail -n 5 | tr '\n' ' ' | sed 's/ $//')"
expect_eq "the device ignored no request" 0 "$(sim_count 'ignored')"

# Two wallets: the agent's, and another program's in between.
restart_sim --passphrase-protection
export TREZOR_PASSPHRASE=first
start_agent -P "$(dirname "$(readlink -f "$MODULE")")/*"
ssh-add -s "$MODULE" < /dev/null > /dev/null 2>&1
first_key=$(ssh-add -L 2>&1)
setup_sshd "$first_key"
expect_eq "the agent logs in with the wallet of \"first\"" "first" \
	"$(ssh -F "$tmp/ssh_config" simhost-agent echo first 2>&1)"
expect_absent "a key of that wallet" "$ALICE_KEY" "$first_key"
TREZOR_PASSPHRASE=second TREZOR_PKCS11_CACHE=off ssh-keygen -D "$MODULE" > "$tmp/second" 2>&1
expect_eq "another program lists the wallet of \"second\"" 1 \
	"$(grep -c '^ecdsa-sha2-nistp256 ' "$tmp/second")"
expect_absent "with another key" "$(cut -d' ' -f2 "$tmp/second")" "$first_key"
expect_eq "the agent signs again, in its own wallet" "first again" \
	"$(ssh -F "$tmp/ssh_config" simhost-agent echo first again 2>&1)"
expect_eq "after resuming its session (no third one)" "2 1" \
	"$(sim_count 'session started') $(sim_count 'session resumed')"
stop_agent
finish
