#!/bin/bash
# A refusal on the device fails the login with a clear message, and the
# agent goes on serving: once the person confirms again, it signs.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim --decline
write_identities 'alice@example.com'
setup_sshd "$ALICE_KEY alice@example.com"

stdout=$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo logged in 2> "$tmp/stderr")
expect_eq "ssh -I fails" 255 $?
expect_eq "nothing ran" "" "$stdout"
expect_contains "the module says why" \
	"trezor-pkcs11: cancelled on the Trezor: Action cancelled by user" "$(cat "$tmp/stderr")"
expect_absent "sshd accepted nothing" "Accepted publickey" "$(cat "$tmp/sshd.log")"

start_agent -P "$(dirname "$(readlink -f "$MODULE")")/*"
add_card "$MODULE"
stdout=$(ssh -F "$tmp/ssh_config" simhost-agent echo logged in 2> "$tmp/stderr")
expect_eq "ssh through the agent fails" 255 $?
expect_eq "nothing ran there either" "" "$stdout"
expect_absent "and sshd accepted nothing" "Accepted publickey" "$(cat "$tmp/sshd.log")"
expect_contains "the module's reason is in the agent's log" \
	"trezor-pkcs11: cancelled on the Trezor: Action cancelled by user" "$(cat "$tmp/agent.log")"
expect_eq "the agent still lists the key" "$ALICE_KEY alice@example.com" "$(agent_keys)"

# The person now confirms: the same agent, the same module, signs.
restart_sim
stdout=$(ssh -F "$tmp/ssh_config" simhost-agent echo logged in 2>&1)
expect_eq "the next request is served" "logged in" "$stdout"
stop_agent
finish
