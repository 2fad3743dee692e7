#!/bin/bash
# The stock ssh-agent loads the module (ssh-add -s) through its PKCS#11
# helper, lists and uses the keys, and drops them (ssh-add -e).
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim
write_identities 'alice@example.com' 'bob@example.org:2222'
setup_sshd "$ALICE_KEY alice@example.com"

# The build directory is outside the default allowlist: allow it by pattern.
start_agent -P "$(dirname "$(readlink -f "$MODULE")")/*"
add_card "$MODULE"
expect_eq "ssh-add -s adds the module" 0 $?
expect_eq "the agent offers both keys" "$ALICE_KEY alice@example.com
$BOB_KEY bob@example.org:2222" "$(agent_keys)"
expect_eq "adding signed nothing" 0 "$(sim_count '<- SignIdentity')"

stdout=$(ssh -F "$tmp/ssh_config" simhost-agent echo through the agent 2>&1)
expect_eq "ssh logs in through the agent" "through the agent" "$stdout"
stdout=$(ssh -F "$tmp/ssh_config" simhost-agent echo again 2>&1)
expect_eq "and again" "again" "$stdout"
expect_eq "one signature per login" 2 "$(sim_count '<- SignIdentity')"

remove_card "$MODULE"
expect_eq "ssh-add -e removes the module" 0 $?
expect_eq "no keys left" none "$(agent_keys)"
stop_agent

# A stock agent refuses a module outside /usr/lib*/* and /usr/local/lib*/*
# (its default allowlist, the same in OpenSSH 9 and 10).
start_agent
heard=$(sim_count '<- ')
add_card "$MODULE"
expect_eq "the default allowlist refuses the build directory: ssh-add -s fails" 1 $?
expect_eq "and the agent has no keys" none "$(agent_keys)"
expect_eq "the module was never loaded: the device heard nothing" "$heard" "$(sim_count '<- ')"
stop_agent
finish
