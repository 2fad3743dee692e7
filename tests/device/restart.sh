#!/bin/bash
# A device that restarts (power-cycled: every session gone, locked again)
# between programs and under ssh-agent: the next program starts a new
# session, and the agent signs again at the next request, unrestarted.
. "$abs_top_srcdir/tests/device/lib.sh"

if [ -z "${TREZOR_DEVICE_RESTART:-}" ]; then
	skip "no restart tests: TREZOR_DEVICE_RESTART names no command that power-cycles the device"
	exit 77
fi

alice=$(ssh-keygen -D "$MODULE" 2> /dev/null | grep ' alice@example.com$')
expect_contains "alice's key is listed" "ecdsa-sha2-nistp256 " "$alice"
setup_sshd "$alice"

# Between programs.
restart_device || exit 1
TREZOR_PKCS11_CACHE=off TREZOR_PKCS11_DEBUG=1 ssh-keygen -D "$MODULE" > "$tmp/after" \
	2> "$tmp/after.log"
expect_eq "after a restart, the same keys" "$alice" "$(grep ' alice@example.com$' "$tmp/after")"
expect_eq "in a new session (the old one is gone)" 1 \
	"$(grep -c 'a new session on the Trezor' "$tmp/after.log")"
tell_person "press the Trezor's button to confirm: ssh -I after a restart"
expect_eq "ssh -I after a restart" "logged in" \
	"$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo logged in 2>&1)"

# Under ssh-agent.
start_agent -P "$(dirname "$(readlink -f "$MODULE")")/*"
ssh-add -s "$MODULE" < /dev/null > /dev/null 2>&1
tell_person "press the Trezor's button to confirm: a login through ssh-agent"
expect_eq "a login through the agent" "first" \
	"$(ssh -F "$tmp/ssh_config" simhost-agent echo first 2>&1)"
restart_device || exit 1
tell_person "press the Trezor's button to confirm (maybe twice): the agent after a restart"
expect_eq "the agent signs again after the device restarted" "second" \
	"$(ssh -F "$tmp/ssh_config" simhost-agent echo second 2>&1)"
if grep -q 'confirm once more' "$tmp/agent.log"; then
	echo "note: the device had lost the session after the person pressed: asked twice"
fi
stop_agent
finish
