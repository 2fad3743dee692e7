#!/bin/bash
# git signs commits with a Trezor key through a stock ssh-agent that holds
# the module (gpg.format ssh; README section 4, "git commit signing",
# examples/gitconfig): each signature is one confirmation on the device,
# `git verify-commit` accepts it against an allowed-signers file, and
# refuses a commit signed with another identity's key.
. "$abs_top_srcdir/tests/integration/lib.sh"

ALICE_FINGERPRINT=SHA256:fZumqph64/ccvOutjVLPfNPVdbsZNAUb8nILfJ4F6bY
BOB_FINGERPRINT=SHA256:OiyBxTJ4LxFS3HEicUP5xNoWd72JZZZgb/FKnuNqsew

# No system or user git configuration may change what happens here.
export GIT_CONFIG_NOSYSTEM=1
unset GIT_CONFIG_GLOBAL GIT_DIR GIT_WORK_TREE GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL \
	GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL

start_sim
write_identities 'alice@example.com' 'bob@example.org:2222'
start_agent -P "$(dirname "$(readlink -f "$MODULE")")/*"
add_card "$MODULE"
expect_eq "the agent holds the module's keys" "0 $ALICE_KEY alice@example.com
$BOB_KEY bob@example.org:2222" "$? $(agent_keys)"

printf 'alice@example.com namespaces="git" %s\n' "$ALICE_KEY" > "$tmp/allowed_signers"
printf '%s bob@example.org:2222\n' "$BOB_KEY" > "$tmp/bob.pub"
repo="$tmp/repo"
git init -q "$repo"
git -C "$repo" config user.name "Alice Example"
git -C "$repo" config user.email alice@example.com
git -C "$repo" config gpg.format ssh
git -C "$repo" config user.signingkey "key::$ALICE_KEY alice@example.com"
git -C "$repo" config gpg.ssh.allowedSignersFile "$tmp/allowed_signers"

# A signed commit: git -> ssh-keygen -Y sign -> the agent -> the module.
printf 'first\n' > "$repo/notes.txt"
git -C "$repo" add notes.txt
output=$(git -C "$repo" commit -q -S -m "signed by alice" 2>&1)
expect_eq "git commit -S signs through the agent" "0" "$?"
expect_eq "and says nothing" "" "$output"
expect_eq "one confirmation on the Trezor" 1 "$(sim_count '<- SignIdentity')"
expect_eq "the simulator confirmed it" 1 "$(sim_count '-> SignedIdentity')"
expect_contains "the commit carries an SSH signature" "-----BEGIN SSH SIGNATURE-----" \
	"$(git -C "$repo" cat-file commit HEAD)"

# What git makes of a signature: its placeholders %G? (G: good, from an
# allowed signer), %GS (the signer) and %GK (the key), not the words
# ssh-keygen -Y says them with.
git -C "$repo" verify-commit HEAD > /dev/null 2>&1
expect_eq "git verify-commit accepts it" "0" "$?"
expect_eq "as alice's signature, by her key" "G alice@example.com $ALICE_FINGERPRINT" \
	"$(git -C "$repo" log -1 --format='%G? %GS %GK')"

# Bob's key (here as a .pub file, the other form of user.signingkey) signs
# a commit that claims to be alice's; the allowed signers name only her key.
git -C "$repo" config user.signingkey "$tmp/bob.pub"
printf 'second\n' >> "$repo/notes.txt"
output=$(git -C "$repo" commit -q -a -S -m "signed by bob" 2>&1)
expect_eq "bob's key signs too" "0" "$?"
expect_eq "a second confirmation" 2 "$(sim_count '<- SignIdentity')"
git -C "$repo" verify-commit HEAD > /dev/null 2>&1
expect_eq "git verify-commit refuses it" "1" "$?"
expect_eq "the signature is sound (bob's key), but no allowed signer has that key" \
	"U  $BOB_FINGERPRINT" "$(git -C "$repo" log -1 --format='%G? %GS %GK')"
expect_eq "the first commit still verifies" "0" \
	"$(git -C "$repo" verify-commit HEAD~1 > /dev/null 2>&1; echo $?)"

# Refused on the device: no commit, and the module's reason in the agent's log.
restart_sim --decline
head_before=$(git -C "$repo" rev-parse HEAD)
git -C "$repo" config user.signingkey "key::$ALICE_KEY alice@example.com"
printf 'third\n' >> "$repo/notes.txt"
git -C "$repo" commit -q -a -S -m "refused" > "$tmp/commit.out" 2>&1
expect_eq "a refusal on the Trezor fails the commit" "128" "$?"
expect_eq "no commit was made" "$head_before" "$(git -C "$repo" rev-parse HEAD)"
expect_contains "the agent's log says why" \
	"trezor-pkcs11: cancelled on the Trezor: Action cancelled by user" "$(cat "$tmp/agent.log")"
stop_agent
finish
