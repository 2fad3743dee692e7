#!/bin/bash
# ssh logs into a throwaway sshd with the Trezor key: through -I, through
# PKCS11Provider in ssh_config, and scp copies a file both ways. The module
# never writes to stdout (it carries the session's data).
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim
write_identities 'alice@example.com'
setup_sshd "$ALICE_KEY alice@example.com"

stdout=$(ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo logged in 2> "$tmp/stderr")
expect_eq "ssh -I exits 0" 0 $?
expect_eq "ssh -I runs the command" "logged in" "$stdout"
expect_eq "nothing on stderr off a terminal" "" "$(cat "$tmp/stderr")"
expect_eq "one signature made" 1 "$(sim_count '<- SignIdentity')"
expect_eq "the person was asked to confirm" 1 "$(sim_count '<- ButtonAck')"
expect_contains "sshd accepted the key" "Accepted publickey for $(id -un)" "$(cat "$tmp/sshd.log")"

stdout=$(ssh -F "$tmp/ssh_config" simhost-p11 echo through PKCS11Provider 2>&1)
expect_eq "PKCS11Provider in ssh_config" "through PKCS11Provider" "$stdout"

# Binary data through the session's stdout arrives untouched.
head -c 65536 /dev/urandom > "$tmp/random.bin"
ssh -F "$tmp/ssh_config" simhost-p11 cat "$tmp/random.bin" > "$tmp/copy.bin" 2> "$tmp/stderr"
expect_eq "64 KiB of session data, byte for byte" "" "$(cmp "$tmp/random.bin" "$tmp/copy.bin" 2>&1)"

printf 'to the server\n' > "$tmp/upload.txt"
scp -q -F "$tmp/ssh_config" -o "PKCS11Provider=$MODULE" "$tmp/upload.txt" "simhost:$tmp/uploaded.txt" 2>&1
expect_eq "scp uploads" "to the server" "$(cat "$tmp/uploaded.txt" 2>&1)"
printf 'from the server\n' > "$tmp/remote.txt"
scp -q -F "$tmp/ssh_config" -o "PKCS11Provider=$MODULE" "simhost:$tmp/remote.txt" "$tmp/downloaded.txt" 2>&1
expect_eq "scp downloads" "from the server" "$(cat "$tmp/downloaded.txt" 2>&1)"
expect_eq "every connection signed once" 5 "$(sim_count '<- SignIdentity')"

# A person at a terminal is told what to confirm.
stdout=$(script -qec "ssh -F '$tmp/ssh_config' -I '$MODULE' simhost echo done" /dev/null < /dev/null | tr -d '\r')
expect_eq "on a terminal: what to confirm" "Confirm on your Trezor: sign in as alice@example.com
done" "$stdout"
finish
