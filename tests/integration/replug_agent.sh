#!/bin/bash
# A running ssh-agent keeps working when the Trezor is pulled out and
# plugged in again (into another port) between two logins.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim
write_identities 'alice@example.com'
setup_sshd "$ALICE_KEY alice@example.com"
use_fake_usb "1 5 webusb $SIM_PORT"

# Debian's ssh-agent is setgid, and the loader drops LD_PRELOAD for such
# programs and their children: the same binary without the bit takes the fake.
cp "$(command -v ssh-agent)" "$tmp/ssh-agent"
AGENT="$tmp/ssh-agent" start_agent -P "$(dirname "$(readlink -f "$MODULE")")/*"
add_card "$MODULE"
expect_eq "the agent has the key" "0 $ALICE_KEY alice@example.com" "$? $(agent_keys)"
expect_eq "first login" "first" "$(ssh -F "$tmp/ssh_config" simhost-agent echo first 2>&1)"

# Unplugged: logging in fails, and says why.
printf '' > "$tmp/usb-devices"
stdout=$(ssh -F "$tmp/ssh_config" simhost-agent echo unplugged 2> "$tmp/stderr")
expect_eq "no login without the device" 255 $?
expect_contains "the agent's log says the device is gone" \
	"trezor-pkcs11: the Trezor went away (the Trezor at webusb:1:5 was unplugged)" \
	"$(cat "$tmp/agent.log")"

# Plugged in again, elsewhere: the same agent signs again.
printf '1 9 webusb %s\n' "$SIM_PORT" > "$tmp/usb-devices"
expect_eq "second login, same agent" "second" \
	"$(ssh -F "$tmp/ssh_config" simhost-agent echo second 2>&1)"
expect_eq "two signatures in all" 2 "$(sim_count '<- SignIdentity')"
stop_agent
finish
