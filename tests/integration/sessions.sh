#!/bin/bash
# Sessions, as the firmware keeps them (HACKING 5.8): a Trezor
# just powered on has none, so every program starts or resumes one before
# its first key operation; a second program resumes the first one's (no
# second seed derivation); a device that restarted, or whose ten sessions
# pushed ours out, gets a new one, between programs and under ssh-agent
# alike. The simulator plays the firmware's sessions and says what it does.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim
write_identities 'alice@example.com'
setup_sshd "$ALICE_KEY alice@example.com"
session_file="$HOME/.cache/trezor-pkcs11/58ACF278961FCEF660089D82.session"

# Just powered on: no session. A cold listing starts one.
expect_eq "a cold listing on a device just powered on" "$ALICE_KEY alice@example.com" \
	"$(ssh-keygen -D "$MODULE" 2>&1)"
expect_eq "one session started, one seed derived" "1 1" \
	"$(sim_count 'session started (1 open)') $(sim_count 'seed derived')"
expect_eq "the session is kept for the device's standard wallet" 3 "$(wc -l < "$session_file")"
expect_contains "as the standard wallet's" "standard " "$(tail -n 1 "$session_file")"

# A second program, a login, a third: the same session, no new derivation.
expect_eq "a second program (no key cache) lists the key" "$ALICE_KEY alice@example.com" \
	"$(TREZOR_PKCS11_CACHE=off ssh-keygen -D "$MODULE" 2>&1)"
expect_eq "ssh -I logs in" "logged in" \
	"$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo logged in 2>&1)"
expect_eq "both resumed the first one's session: still one seed derivation" "2 1 1" \
	"$(sim_count 'session resumed') $(sim_count 'session started') $(sim_count 'seed derived')"

# A restart between programs: the kept id is unknown now, a new session.
kill -USR1 "$SIM_PID"
wait_for "$tmp/sim.log" 'restarted' || exit 1
expect_eq "ssh -I after a restart" "logged in" \
	"$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo logged in 2>&1)"
expect_eq "in a new session: a second seed derivation" "2 2" \
	"$(sim_count 'session started') $(sim_count 'seed derived')"

# Under ssh-agent. A Trezor One asks for the button before it finds the
# session gone: the person has pressed for nothing, the agent's module
# says so in one line, and the device asks once more.
start_agent -P "$(dirname "$(readlink -f "$MODULE")")/*"
ssh-add -s "$MODULE" < /dev/null > /dev/null 2>&1
expect_eq "a login through the agent" "first" \
	"$(ssh -F "$tmp/ssh_config" simhost-agent echo first 2>&1)"
kill -USR1 "$SIM_PID"
wait_for "$tmp/sim.log" 'restarted' || exit 1
before=$(sim_count '<- SignIdentity')
expect_eq "after a restart the agent signs again, unrestarted" "second" \
	"$(ssh -F "$tmp/ssh_config" simhost-agent echo second 2>&1)"
expect_eq "the request went twice: the first met no session" 2 \
	"$(( $(sim_count '<- SignIdentity') - before ))"
expect_eq "the agent's log says why the Trezor asks again" 1 \
	"$(grep -c -F 'trezor-pkcs11: the Trezor had lost its session (did it restart?) when you confirmed: confirm once more' "$tmp/agent.log")"
stop_agent

# Ten newer sessions push ours out (each passphrase wallet its own session).
restart_sim --passphrase-protection
export TREZOR_PASSPHRASE=first
start_agent -P "$(dirname "$(readlink -f "$MODULE")")/*"
ssh-add -s "$MODULE" < /dev/null > /dev/null 2>&1
first_key=$(ssh-add -L 2>&1)
setup_sshd "$first_key"
expect_eq "a login in the wallet of \"first\"" "in first" \
	"$(ssh -F "$tmp/ssh_config" simhost-agent echo in first 2>&1)"
for n in 1 2 3 4 5 6 7 8 9 10; do
	TREZOR_PASSPHRASE=other$n TREZOR_PKCS11_CACHE=off ssh-keygen -D "$MODULE" > /dev/null 2>&1
done
expect_eq "eleven sessions were started" 11 "$(sim_count 'session started')"
expect_eq "the agent's session was pushed out, and it signs all the same" "still first" \
	"$(ssh -F "$tmp/ssh_config" simhost-agent echo still first 2>&1)"
expect_eq "in a new session of the same wallet" 12 "$(sim_count 'session started')"
stop_agent
unset TREZOR_PASSPHRASE

# The hidden wallet: after a passphrase a Trezor One asks twice more, on
# GetPublicKey too; on a terminal the person is told what it waits for.
restart_sim --passphrase-protection
output=$(TREZOR_PASSPHRASE=TREZOR TREZOR_PKCS11_CACHE=off \
	script -qec "ssh-keygen -D '$MODULE'" /dev/null < /dev/null | tr -d '\r')
expect_eq "listing a hidden wallet's key, told of both presses" \
	"Confirm on your Trezor: open the hidden wallet of this passphrase
Confirm on your Trezor: the passphrase it shows is the one you meant
$ALICE_TREZOR_KEY alice@example.com" "$output"
expect_eq "two ButtonRequests, after the passphrase" \
	"-> PassphraseRequest <- PassphraseAck -> ButtonRequest <- ButtonAck -> ButtonRequest <- ButtonAck -> PublicKey" \
	"$(grep -o -E '(<-|->) (PassphraseRequest|PassphraseAck|ButtonRequest|ButtonAck|PublicKey)$' \
		"$tmp/sim.log" | tr '\n' ' ' | sed 's/ $//')"

# A core model, restarted under the agent: it finds no session before it
# asks anything, so the module starts one without a word.
restart_sim --model "Safe 5"
setup_sshd "$ALICE_KEY alice@example.com"
start_agent -P "$(dirname "$(readlink -f "$MODULE")")/*"
ssh-add -s "$MODULE" < /dev/null > /dev/null 2>&1
expect_eq "a Safe 5 through the agent" "first" \
	"$(ssh -F "$tmp/ssh_config" simhost-agent echo first 2>&1)"
kill -USR1 "$SIM_PID"
wait_for "$tmp/sim.log" 'restarted' || exit 1
expect_eq "after its restart" "second" \
	"$(ssh -F "$tmp/ssh_config" simhost-agent echo second 2>&1)"
expect_eq "one ButtonRequest per login: nobody pressed for nothing" 2 \
	"$(sim_count '-> ButtonRequest')"
expect_absent "and no line about it" "confirm once more" "$(cat "$tmp/agent.log")"
stop_agent
finish
