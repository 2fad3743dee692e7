#!/bin/bash
# A device that returns a bad signature (a good signature by another key,
# while it names alice's): ssh -I fails cleanly, with the module's line and
# OpenSSH's "C_Sign failed: 48" (CKR_DEVICE_ERROR), and never logs in. The
# fault spoils one signature only: the next login works.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim --fault sig-other-key --fault-for 1
write_identities 'alice@example.com'
setup_sshd "$ALICE_KEY alice@example.com"

stdout=$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo logged in 2> "$tmp/stderr")
expect_eq "ssh -I fails" 255 $?
expect_eq "nothing ran" "" "$stdout"
expect_eq "the module's one line, then ssh's C_Sign failure with CKR_DEVICE_ERROR" \
	"$(ssh_report 48 "trezor-pkcs11: the Trezor's signature does not verify; it was discarded")" \
	"$(module_report < "$tmp/stderr")"
expect_absent "sshd accepted nothing" "Accepted publickey" "$(cat "$tmp/sshd.log")"
expect_eq "the device signed once, and the fault struck" "1 1" \
	"$(sim_count '<- SignIdentity') $(sim_count 'fault sig-other-key')"

stdout=$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo logged in 2> "$tmp/stderr")
expect_eq "the next login works" "logged in" "$stdout"
expect_absent "without a word from the module" "trezor-pkcs11:" "$(cat "$tmp/stderr")"
expect_contains "sshd accepted alice's key" "Accepted publickey" "$(cat "$tmp/sshd.log")"
finish
