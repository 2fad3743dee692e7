#!/bin/bash
# What the Trezor waits for reaches the person when no terminal does:
# through SSH_ASKPASS (with SSH_ASKPASS_PROMPT=none, as OpenSSH shows FIDO
# users a touch notice), else as a desktop notice on the session bus, here
# a private bus with a notification service of our own; each goes away
# when the device answers. No desktop at all, or a hung one, never stops a
# signature. TREZOR_PKCS11_NOTICE turns it off, or on beside a terminal.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim --confirm-delay 300
write_identities 'alice@example.com'
setup_sshd "$ALICE_KEY alice@example.com"
export FAKE_ASKPASS_LOG="$tmp/askpass.log"
askpass="$abs_top_srcdir/tests/integration/fake-askpass"
unset DISPLAY WAYLAND_DISPLAY SSH_ASKPASS SSH_ASKPASS_REQUIRE DBUS_SESSION_BUS_ADDRESS
export DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/no-bus-here"

# The desktop's log once its CloseNotification is in: the module sends the
# close without waiting for an answer, so it may still be on its way through
# the bus when the program has exited.
desktop_log_closed() {
	wait_for "$tmp/desktop.log" '^CloseNotification ' || true
	grep -v '^ready$' "$tmp/desktop.log"
}

agent_login() {
	start_agent -P "$(dirname "$(readlink -f "$MODULE")")/*"
	ssh-add -s "$MODULE" < /dev/null > /dev/null 2>&1
	ssh -F "$tmp/ssh_config" simhost-agent echo "$1" 2>&1
	stop_agent
}

# SSH_ASKPASS with a display: the notice names the program and identity.
: > "$FAKE_ASKPASS_LOG"
expect_eq "a login through the agent" "with askpass" \
	"$(SSH_ASKPASS=$askpass DISPLAY=:99 agent_login "with askpass")"
expect_eq "SSH_ASKPASS showed the notice, and took it away when the device answered" \
	"shown (SSH_ASKPASS_PROMPT=none): ssh-agent: Confirm on your Trezor: sign in as alice@example.com
closed" "$(cat "$FAKE_ASKPASS_LOG")"

# SSH_ASKPASS without a display: as OpenSSH, not run (SSH_ASKPASS_REQUIRE=force would).
: > "$FAKE_ASKPASS_LOG"
SSH_ASKPASS=$askpass agent_login "no display" > /dev/null
expect_eq "no display, no askpass" "" "$(cat "$FAKE_ASKPASS_LOG")"
SSH_ASKPASS=$askpass SSH_ASKPASS_REQUIRE=force agent_login "forced" > /dev/null
expect_eq "SSH_ASKPASS_REQUIRE=force runs it all the same" 2 "$(wc -l < "$FAKE_ASKPASS_LOG")"

# No askpass: the desktop's notification service on a private session bus.
dbus-daemon --session --nofork --print-address=3 3> "$tmp/bus.address" 2> /dev/null &
bus_pid=$!
background_pids+=("$bus_pid")
wait_for "$tmp/bus.address" 'unix:' || exit 1
export DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$tmp/bus.address")
"$FAKE_NOTIFICATIONS" 2>> "$tmp/desktop.log" &
desktop_pid=$!
background_pids+=("$desktop_pid")
wait_for "$tmp/desktop.log" '^ready$' || exit 1
expect_eq "a login through the agent, with a desktop" "with a desktop" \
	"$(agent_login "with a desktop")"
expect_eq "the desktop showed the notice and closed it when the device answered" \
	"Notify app=trezor-pkcs11 replaces=0 summary=Trezor body=ssh-agent: Confirm on your Trezor: sign in as alice@example.com -> 1
CloseNotification 1" "$(desktop_log_closed)"

# A hidden wallet's two presses: one notice, its text replaced.
restart_sim --passphrase-protection --confirm-delay 300
: > "$tmp/desktop.log"
TREZOR_PASSPHRASE=TREZOR TREZOR_PKCS11_CACHE=off ssh-keygen -D "$MODULE" < /dev/null > /dev/null 2>&1
expect_eq "ssh-keygen's notices of the hidden wallet, one replacing the other" \
	"Notify app=trezor-pkcs11 replaces=0 summary=Trezor body=ssh-keygen: Confirm on your Trezor: open the hidden wallet of this passphrase -> 2
Notify app=trezor-pkcs11 replaces=2 summary=Trezor body=ssh-keygen: Confirm on your Trezor: the passphrase it shows is the one you meant -> 2
CloseNotification 2" "$(desktop_log_closed)"

# Off: no notice anywhere. On: the desktop too, beside the terminal's line.
restart_sim --confirm-delay 300
: > "$tmp/desktop.log"
expect_eq "TREZOR_PKCS11_NOTICE=off" "off" "$(TREZOR_PKCS11_NOTICE=off agent_login off)"
expect_eq "shows nothing" "" "$(cat "$tmp/desktop.log")"
output=$(TREZOR_PKCS11_NOTICE=on script -qec \
	"ssh -F '$tmp/ssh_config' -I '$MODULE' simhost echo on a terminal" /dev/null < /dev/null |
	tr -d '\r')
expect_eq "TREZOR_PKCS11_NOTICE=on: the terminal's line" \
	"Confirm on your Trezor: sign in as alice@example.com
on a terminal" "$output"
expect_contains "and the desktop's notice" \
	"body=ssh: Confirm on your Trezor: sign in as alice@example.com" "$(cat "$tmp/desktop.log")"

# A desktop that takes the call and never answers costs half a second.
kill "$desktop_pid"
wait "$desktop_pid" 2> /dev/null
"$FAKE_NOTIFICATIONS" --silent 2>> "$tmp/hung.log" &
desktop_pid=$!
background_pids+=("$desktop_pid")
wait_for "$tmp/hung.log" '^ready$' || exit 1
expect_eq "a hung desktop: the login goes on" "hung desktop" "$(agent_login "hung desktop")"
expect_contains "it was asked" "ignored Notify" "$(cat "$tmp/hung.log")"

# No session bus at all: nothing shown, nothing lost.
kill "$desktop_pid" "$bus_pid"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/no-bus-here"
expect_eq "no desktop at all: the login goes on" "no desktop" "$(agent_login "no desktop")"

# No session bus named at all (a script, cron): the module does not even load
# libsystemd to find that out.
unset DBUS_SESSION_BUS_ADDRESS
printf '%032d' 0 > "$tmp/digest"
output=$(TREZOR_PKCS11_DEBUG=1 LD_DEBUG=libs pkcs11-tool --module "$MODULE" --sign -m ECDSA \
	--id "$ALICE_ID" -i "$tmp/digest" -o "$tmp/digest.sig" 2>&1 < /dev/null)
expect_contains "no session bus named: no desktop notice, said in the debug log" \
	"no desktop notice: no session bus (neither DBUS_SESSION_BUS_ADDRESS nor \$XDG_RUNTIME_DIR/bus)" \
	"$output"
expect_absent "and libsystemd is not loaded for it" "libsystemd.so.0" "$output"
expect_eq "the signature is made all the same" 64 "$(stat -c %s "$tmp/digest.sig")"
finish
