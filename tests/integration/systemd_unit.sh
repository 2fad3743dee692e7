#!/bin/bash
# examples/systemd: systemd accepts the unit; its commands, run in the
# order systemd runs them, start a stock ssh-agent on the runtime
# directory's socket and load the module into it; a reload loads it again
# (an identity added meanwhile appears); and the environment.d file points
# SSH_AUTH_SOCK at that same socket.
#
# There is no systemd user manager in a test, so this script plays it:
# it reads the unit's Environment= and Exec*= lines, puts the test's
# runtime directory for %t and the build's module for the installed one,
# and lets the agent load modules from the build directory (-P).
. "$abs_top_srcdir/tests/integration/lib.sh"

unit="$abs_top_srcdir/examples/systemd/trezor-ssh-agent.service"
environment_file="$abs_top_srcdir/examples/systemd/trezor-ssh-agent.conf"
runtime="$tmp/runtime"
mkdir -p -m 700 "$runtime"
allowed="$(dirname "$(readlink -f "$MODULE")")/*"

output=$(systemd-analyze verify --man=no "$unit" 2>&1)
expect_eq "systemd-analyze verify accepts the unit" 0 "$?"
expect_eq "and has nothing to say" "" "$output"

# unit_lines KEY: the unit's KEY= values, continued lines joined, adapted
# to the test as said above.
unit_lines() {
	sed -e ':join' -e '/\\$/{N;s/\\\n[[:space:]]*/ /;b join' -e '}' "$unit" |
		sed -n "s/^$1=//p" |
		sed -e "s|%t|$runtime|g" -e "s|/usr/lib/trezor-pkcs11.so|$MODULE|g" \
			-e "s|/usr/bin/ssh-agent -D|/usr/bin/ssh-agent -P '$allowed' -D|"
}

# run_commands KEY: run the KEY= command lines in order, as systemd would;
# a leading "-" lets a command fail. Their output goes to $tmp/KEY.out,
# each one's exit status to a line of $tmp/KEY.status.
run_commands() {
	local line status=0 command_status
	: > "$tmp/$1.out"
	: > "$tmp/$1.status"
	while IFS= read -r line; do
		command_status=0
		if [ "${line:0:1}" = "-" ]; then
			eval "${line:1}" >> "$tmp/$1.out" 2>&1 || command_status=$?
		else
			eval "$line" >> "$tmp/$1.out" 2>&1 || { command_status=$?; status=$command_status; }
		fi
		echo "$command_status" >> "$tmp/$1.status"
	done < <(unit_lines "$1")
	return "$status"
}

# statuses KEY: the exit status of each KEY= command, in order.
statuses() {
	paste -s -d ' ' "$tmp/$1.status"
}

start_sim
write_identities 'alice@example.com'

# The unit's environment, then ExecStartPre, ExecStart, ExecStartPost.
while IFS= read -r assignment; do
	export "${assignment?}"
done < <(unit_lines Environment)
expect_eq "the unit's SSH_AUTH_SOCK is in the runtime directory" \
	"$runtime/trezor-ssh-agent.socket" "$SSH_AUTH_SOCK"
: > "$runtime/trezor-ssh-agent.socket"          # a stale socket left by a crash
run_commands ExecStartPre
expect_eq "ExecStartPre clears the stale socket" "absent" \
	"$([ -e "$runtime/trezor-ssh-agent.socket" ] && echo present || echo absent)"
start_command=$(unit_lines ExecStart)
eval "exec $start_command" > "$tmp/agent.log" 2>&1 &
AGENT_PID=$!
background_pids+=("$AGENT_PID")
run_commands ExecStartPost
expect_eq "ExecStartPost waits for the socket and loads the module (ssh-add -s succeeds)" 0 \
	"$(statuses ExecStartPost)"
expect_eq "the agent offers the key" "$ALICE_KEY alice@example.com" "$(agent_keys)"
expect_eq "loading signed nothing" 0 "$(sim_count '<- SignIdentity')"

# systemctl --user reload: a new identity is offered.
write_identities 'alice@example.com' 'bob@example.org:2222'
run_commands ExecReload
expect_eq "ExecReload succeeds" 0 "$?"
expect_eq "ExecReload removes and adds the module (ssh-add -e, then -s)" "0 0" \
	"$(statuses ExecReload)"
expect_eq "the agent offers both keys now" "$ALICE_KEY alice@example.com
$BOB_KEY bob@example.org:2222" "$(agent_keys)"
stop_agent

# No Trezor at login: the agent still runs, without the keys (the "-").
export TREZOR_PATH="udp:127.0.0.1:1"
export SSH_AUTH_SOCK="$runtime/trezor-ssh-agent.socket"
run_commands ExecStartPre
eval "exec $start_command" > "$tmp/agent.log" 2>&1 &
AGENT_PID=$!
background_pids+=("$AGENT_PID")
run_commands ExecStartPost
expect_eq "without a Trezor, ExecStartPost fails, which the unit allows" 0 "$?"
expect_eq "ssh-add could not add the module" 1 "$(statuses ExecStartPost)"
expect_eq "the agent runs, without keys" none "$(agent_keys)"
expect_contains "its log says why" "trezor-pkcs11: nothing answers at udp:127.0.0.1:1" \
	"$(cat "$tmp/agent.log")"
stop_agent

# The environment.d file, read as systemd's generator reads it.
generator=/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator
mkdir -p "$tmp/config/environment.d"
cp "$environment_file" "$tmp/config/environment.d/"
output=$(env -i HOME="$HOME" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$runtime" \
	"$generator" | grep '^SSH_AUTH_SOCK=')
expect_eq "environment.d points SSH_AUTH_SOCK at the unit's socket" \
	"SSH_AUTH_SOCK=$runtime/trezor-ssh-agent.socket" "$output"
finish
