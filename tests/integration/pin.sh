#!/bin/bash
# A PIN-locked Trezor One: the module asks the person through pinentry,
# explaining the matrix, in ssh and in ssh-agent alike; a wrong PIN, a
# cancel and a missing pinentry each end with their own code and one line.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim --pin 1234 --matrix-seed 5
write_identities 'alice@example.com'
setup_sshd "$ALICE_KEY alice@example.com"
use_fake_pinentry
export FAKE_PINENTRY_PIN=1234

# Listing with a cold cache needs the keys, so the PIN.
expect_eq "listing unlocks once" "$ALICE_KEY alice@example.com" "$(ssh-keygen -D "$MODULE" 2>&1)"
expect_eq "pinentry asked for the PIN, with the matrix explained" "GETPIN PIN: description=yes" \
	"$(cat "$tmp/pinentry.log")"

# A freshly locked device: the login asks for the PIN (the keys are cached).
restart_sim --pin 1234 --matrix-seed 6
: > "$tmp/pinentry.log"
stdout=$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo logged in 2> "$tmp/stderr")
expect_eq "ssh -I with a PIN-locked Trezor One" "logged in" "$stdout"
expect_eq "one PIN prompt" 1 "$(pinentry_count)"
expect_eq "the device checked one PIN" 1 "$(sim_count '<- PinMatrixAck')"
expect_eq "no key was fetched again" 0 "$(sim_count '<- GetPublicKey')"
expect_eq "ssh's stderr stays clean" "" "$(cat "$tmp/stderr")"

# ssh-agent, with no terminal anywhere: pinentry is still how the PIN comes.
restart_sim --pin 1234 --matrix-seed 7
: > "$tmp/pinentry.log"
start_agent -P "$(dirname "$(readlink -f "$MODULE")")/*"
add_card "$MODULE"
expect_eq "adding to the agent needs no PIN (cached keys)" "0 0" "$? $(pinentry_count)"
stdout=$(ssh -F "$tmp/ssh_config" simhost-agent echo through the agent 2>&1)
expect_eq "login through the agent asks the PIN" "through the agent" "$stdout"
expect_eq "one PIN prompt, from the agent's helper" 1 "$(pinentry_count)"
stop_agent

# ssh calls C_Sign once, and prints its code ("C_Sign failed: N"; with
# OpenSSH 10.1 and 10.2 its helper logs that to syslog: ssh_report); the
# module's own line says why. (pkcs11-tool would retry a failed C_Sign
# itself, multi-part, and so ask twice.)
login() {
	ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo logged in 2>&1 | module_report
}

# A wrong PIN: CKR_PIN_INCORRECT (160), and no second try behind the person's back.
restart_sim --pin 1234 --matrix-seed 8
: > "$tmp/pinentry.log"
expect_eq "wrong PIN" \
	"$(ssh_report 160 'trezor-pkcs11: wrong PIN: PIN invalid')" \
	"$(FAKE_PINENTRY_PIN=4321 login)"
expect_eq "asked once" 1 "$(pinentry_count)"
expect_eq "one PIN sent" 1 "$(sim_count '<- PinMatrixAck')"

# Cancel in pinentry: the device is told; CKR_FUNCTION_CANCELED (80).
: > "$tmp/pinentry.log"
expect_eq "cancelled in pinentry" \
	"$(ssh_report 80 'trezor-pkcs11: cancelled in pinentry')" \
	"$(FAKE_PINENTRY_CANCEL=1 login)"
expect_eq "Cancel went to the device" 1 "$(sim_count '<- Cancel')"

# No pinentry at all, or one that cannot reach anyone: a clear line, no
# hang; CKR_FUNCTION_FAILED (6).
expect_eq "no pinentry" \
	"$(ssh_report 6 'trezor-pkcs11: no pinentry program to ask with: install one (Debian: pinentry-curses for terminals, pinentry-gnome3 for desktops) or set TREZOR_PKCS11_PINENTRY')" \
	"$(TREZOR_PKCS11_PINENTRY=/nonexistent/pinentry login)"
expect_eq "pinentry without a terminal" \
	"$(ssh_report 6 'trezor-pkcs11: pinentry could not ask (no terminal or display?): Inappropriate ioctl for device')" \
	"$(FAKE_PINENTRY_NO_TTY=1 login)"

# Nobody at the device: after TREZOR_PKCS11_CONFIRM_TIMEOUT the module
# cancels on the device; CKR_FUNCTION_CANCELED (80).
restart_sim --confirm-delay 10000
expect_eq "nobody confirms in time" \
	"$(ssh_report 80 'trezor-pkcs11: nobody answered the Trezor within 1 s; the request was cancelled')" \
	"$(TREZOR_PKCS11_CONFIRM_TIMEOUT=1 login)"
expect_eq "the request was cancelled on the device" 1 "$(sim_count '<- Cancel')"

# A PIN given to C_Login is used first, once (pkcs11-tool --login --pin).
restart_sim --pin 1234 --matrix-seed 9
: > "$tmp/pinentry.log"
printf '%b' "$(printf '\\x%02x' $(seq 160 191))" > "$tmp/digest"
output=$(pkcs11-tool --module "$MODULE" --login --pin 99 --sign -m ECDSA --id "$ALICE_ID" \
	-i "$tmp/digest" -o "$tmp/sig" 2>&1 | grep -v '^Using')
expect_contains "before a C_Login PIN goes to a scrambled grid, a line says how it is read" \
	"trezor-pkcs11: the PIN given to C_Login goes to the Trezor One as places in its scrambled grid (7 8 9 / 4 5 6 / 1 2 3), not as the PIN's digits: a wrong one counts as a wrong PIN
trezor-pkcs11: wrong PIN: PIN invalid" "$output"
expect_eq "the first try used it; pkcs11-tool's own retry asked pinentry" 1 "$(pinentry_count)"
expect_contains "and the module says why the person is asked again" \
	"trezor-pkcs11: pkcs11-tool asks for the signature again after it failed (it retries by itself): the Trezor asks once more" \
	"$output"
finish
