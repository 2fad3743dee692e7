#!/bin/bash
# The module's errors reach the person when no terminal shows them: each
# cause of "cannot read public key" has its own line, which goes to the
# journal (tagged trezor-pkcs11) and to the user's file of recent errors,
# and `trezor-pkcs11 doctor` shows the last ones. doctor also says whether
# the running ssh-agent can reach the desktop for pinentry and notices.
# The journal here is a socket of our own, in a mount namespace of the
# test's own (/run is a fresh tmpfs there); that needs root.
if [ -z "${ERRORS_MOUNTNS:-}" ] && [ "$(id -u)" -eq 0 ] && unshare -m true 2> /dev/null; then
	exec unshare -m --propagation private env ERRORS_MOUNTNS=1 bash "$0" "$@"
fi
. "$abs_top_srcdir/tests/integration/lib.sh"

journal=
if [ -n "${ERRORS_MOUNTNS:-}" ]; then
	mount -t tmpfs tmpfs /run
	mkdir -p /run/systemd/journal /run/sshd
	cat > "$tmp/journal.py" <<'PY'
# The journal's native socket: one datagram per entry, a field per line.
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/run/systemd/journal/socket")
log = open(sys.argv[1], "a", buffering=1)
log.write("listening\n")
while True:
    entry = s.recv(65536).decode("utf-8", "replace")
    fields = dict(line.split("=", 1) for line in entry.split("\n") if "=" in line)
    log.write("%s|%s|%s|%s\n" % (fields.get("SYSLOG_IDENTIFIER"), fields.get("PRIORITY"),
                                 fields.get("TREZOR_PKCS11_PROGRAM"), fields.get("MESSAGE")))
PY
	/usr/bin/python3 "$tmp/journal.py" "$tmp/journal.log" &
	background_pids+=("$!")
	wait_for "$tmp/journal.log" '^listening$' || exit 1
	journal="$tmp/journal.log"
else
	echo "the journal part needs root (a mount namespace): only the errors file is checked"
fi
errors="$HOME/.cache/trezor-pkcs11/errors"
unset SSH_AUTH_SOCK

# Each cause gets its own line, away from a terminal.
start_sim
unset TREZOR_PKCS11_IDENTITIES
ssh-keygen -D "$MODULE" < /dev/null > /dev/null 2>&1
write_identities 'alice@example.com'
TREZOR_PATH= ssh-keygen -D "$MODULE" < /dev/null > /dev/null 2>&1
restart_sim --bootloader
ssh-keygen -D "$MODULE" < /dev/null > /dev/null 2>&1
restart_sim --pin 1234
TREZOR_PKCS11_PINENTRY=/nonexistent/pinentry ssh-keygen -D "$MODULE" < /dev/null > /dev/null 2>&1
expected="ssh-keygen: no identities file: put one identity per line (like you@example.com) in $HOME/.config/trezor-pkcs11/identities
ssh-keygen: no Trezor found: plug it in and unlock it (trezor-pkcs11 list says what the module sees)
ssh-keygen: $TREZOR_PATH: the Trezor is in bootloader mode: unplug it and plug it in again without touching it
ssh-keygen: no pinentry program to ask with: install one (Debian: pinentry-curses for terminals, pinentry-gnome3 for desktops) or set TREZOR_PKCS11_PINENTRY"
# (ssh-keygen asks for the key a second time after a failure: the same line twice.)
expect_eq "each cause, its line, in the file of recent errors" "$expected" \
	"$(cut -d' ' -f3- "$errors" | uniq)"
expect_eq "each with its date and time" "$(wc -l < "$errors")" \
	"$(grep -c -E '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} ' "$errors")"
expect_eq "the file is private" 600 "$(stat -c %a "$errors")"
if [ -n "$journal" ]; then
	expect_eq "and in the journal, tagged trezor-pkcs11, priority err" \
		"$(printf '%s\n' "$expected" | sed 's/^ssh-keygen: /trezor-pkcs11|3|ssh-keygen|/')" \
		"$(grep -v '^listening$' "$journal" | uniq)"
fi
# On a terminal the person sees it: nothing is logged.
logged=$(wc -l < "$errors")
restart_sim --bootloader
output=$(script -qec "ssh-keygen -D '$MODULE'" /dev/null < /dev/null | tr -d '\r')
expect_contains "a terminal shows the error" "the Trezor is in bootloader mode" "$output"
expect_eq "and it is not logged" "$logged" "$(wc -l < "$errors")"

doctor=$("$CLI" doctor 2>&1)
expect_contains "doctor shows the last ones" "note     the last errors of programs without a terminal ($errors, and the journal: journalctl -t trezor-pkcs11):
$(tail -n 5 "$errors" | sed 's/^/           /')" "$doctor"

# The running agent: can it reach the desktop?
start_agent -P "$(dirname "$(readlink -f "$MODULE")")/*"
expect_contains "an agent without a display: pinentry cannot ask there" \
	"PROBLEM  the agent at $SSH_AUTH_SOCK (pid $AGENT_PID) has no DISPLAY or WAYLAND_DISPLAY: pinentry cannot ask for a PIN or passphrase there" \
	"$("$CLI" doctor 2>&1)"
stop_agent
DISPLAY=:5 DBUS_SESSION_BUS_ADDRESS=unix:path=/nowhere start_agent -P "$(dirname "$(readlink -f "$MODULE")")/*"
expect_contains "an agent with a display and a session bus" \
	"ok       the agent at $SSH_AUTH_SOCK (pid $AGENT_PID) reaches the desktop (:5): pinentry, and notices through the desktop's notification service" \
	"$("$CLI" doctor 2>&1)"
stop_agent
finish
