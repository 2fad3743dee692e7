#!/bin/bash
# The stock ssh-agent loads the module (ssh-add -s) through its PKCS#11
# helper, lists and uses the keys, and drops them (ssh-add -e).
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim
write_identities 'alice@example.com' 'bob@example.org:2222'
setup_sshd "$ALICE_KEY alice@example.com"

# The build directory is outside the default allowlist: allow it by pattern.
start_agent -P "$(dirname "$(readlink -f "$MODULE")")/*"
output=$(ssh-add -s "$MODULE" < /dev/null 2>&1)
expect_eq "ssh-add -s adds the module" "Enter passphrase for PKCS#11: Card added: $MODULE" "$output"
expect_eq "ssh-add -L lists both keys" "$ALICE_KEY alice@example.com
$BOB_KEY bob@example.org:2222" "$(ssh-add -L 2>&1)"
expect_eq "adding signed nothing" 0 "$(sim_count '<- SignIdentity')"

stdout=$(ssh -F "$tmp/ssh_config" simhost-agent echo through the agent 2>&1)
expect_eq "ssh logs in through the agent" "through the agent" "$stdout"
stdout=$(ssh -F "$tmp/ssh_config" simhost-agent echo again 2>&1)
expect_eq "and again" "again" "$stdout"
expect_eq "one signature per login" 2 "$(sim_count '<- SignIdentity')"

output=$(ssh-add -e "$MODULE" 2>&1)
expect_eq "ssh-add -e removes the module" "Card removed: $MODULE" "$output"
output=$(ssh-add -L 2>&1)
expect_eq "no keys left" "The agent has no identities." "$output"
stop_agent

# A stock agent refuses a module outside /usr/lib*/* and /usr/local/lib*/*.
start_agent
output=$(ssh-add -s "$MODULE" < /dev/null 2>&1)
expect_eq "the default allowlist refuses the build directory" \
	"Enter passphrase for PKCS#11: Could not add card \"$MODULE\": agent refused operation" "$output"
stop_agent
finish
