#!/bin/bash
# The README's quick start, as written: every "$ " command of its section 1
# runs, in the order given, on a fresh copy of the source tree, as a new
# user "alice" (commands with sudo as root), against the simulator; its
# server example.com is a throwaway sshd of alice's own. Then the ssh_config
# block it shows logs in with plain `ssh example.com`. A command the test
# does not know how to run fails it, so the README cannot drift from what
# is tested. Run by `make check-system` (./quickstart check does, as root):
# it installs into /usr and adds a user for a while.
. "$abs_top_srcdir/tests/integration/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: installing into /usr and adding a user need root"
	exit 77
fi
if [ -e /usr/lib/trezor-pkcs11.so ] || [ -e /usr/bin/trezor-pkcs11 ]; then
	echo "SKIP: trezor-pkcs11 is installed on this system already; not touching it"
	exit 77
fi
if getent passwd alice > /dev/null; then
	echo "SKIP: this system has a user alice already; not touching it"
	exit 77
fi
unset MAKEFLAGS MFLAGS MAKELEVEL

# ---- what the README says ------------------------------------------------------

# Section 1 of the README, from its title to the next section's.
quick_start() {
	awk '/^1\. Quick start$/ { on = 1; next } /^2\. Install$/ { on = 0 } on' \
		"$abs_top_srcdir/README"
}

# Its commands, one per line: the "    $ " lines, continuation lines joined.
readme_commands() {
	quick_start | awk '
		continued { line = line " " $0 }
		!continued && /^    \$ / { line = substr($0, 7) }
		!continued && !/^    \$ / { next }
		{
			continued = sub(/ *\\$/, "", line)
			if (!continued) { gsub(/  +/, " ", line); print line }
		}'
}

# The ssh_config block it shows: from "    Host " to the blank line after.
readme_host_block() {
	quick_start | awk '/^    Host / { on = 1 } on && /^$/ { exit } on { print substr($0, 5) }'
}

# ---- alice, her copy of the tree, her server ------------------------------------

chmod 711 "$tmp"
home="$tmp/alice"
useradd --home-dir "$home" --create-home --shell /bin/bash alice
cleanup_commands+=("pkill -KILL -u alice 2> /dev/null; userdel alice")
chmod 755 "$home"
tree="$home/trezor-pkcs11"

# A checkout's files: git's list where there is one, else all but builds.
if git -C "$abs_top_srcdir" rev-parse --git-dir > /dev/null 2>&1; then
	(cd "$abs_top_srcdir" && git ls-files -z --cached --others --exclude-standard |
		tar --null -T - -cf -) | (mkdir "$tree" && tar -C "$tree" -xf -)
else
	tar -C "$abs_top_srcdir" --exclude='./_build*' --exclude=./autom4te.cache -cf - . |
		(mkdir "$tree" && tar -C "$tree" -xf -)
fi
chown -R alice: "$tree"

start_sim --label "Alice's Trezor"

# as_alice COMMAND: COMMAND in bash, as alice in her tree, with a login's
# environment and the simulator as her Trezor; output and exit status.
as_alice() {
	runuser -u alice -- env -i HOME="$home" USER=alice LOGNAME=alice SHELL=/bin/bash \
		PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
		XDG_RUNTIME_DIR="$home/runtime" TREZOR_PATH="$TREZOR_PATH" \
		bash -c "cd '$tree' && $1" 2>&1 < /dev/null
}
as_alice 'mkdir -m 700 ~/runtime ~/.ssh'

# example.com, for alice: sshd -i of her own through ProxyCommand, its host
# key known. She can log in "the old way" with an ordinary key at first.
as_alice "ssh-keygen -q -t ed25519 -N '' -C example.com -f ~/hostkey &&
	ssh-keygen -q -t ed25519 -N '' -C old-way -f ~/.ssh/id_ed25519 &&
	cp ~/.ssh/id_ed25519.pub ~/.ssh/authorized_keys &&
	printf 'example.com %s\n' \"\$(cut -d' ' -f1,2 ~/hostkey.pub)\" > ~/.ssh/known_hosts &&
	printf '%s\n' 'HostKey $home/hostkey' 'UsePAM no' 'PasswordAuthentication no' \
		'KbdInteractiveAuthentication no' 'LogLevel VERBOSE' > ~/sshd_config &&
	printf '%s\n' 'Host example.com' \
		'    ProxyCommand $SSHD -i -f $home/sshd_config -E $home/sshd.log' \
		'    BatchMode yes' '' > ~/.ssh/config" > /dev/null
expect_eq "alice's server takes her old key" "ok" \
	"$(as_alice 'ssh example.com echo ok' | tr -d '\r')"

# ---- each command ---------------------------------------------------------------

# The README's commands in order, each once: what the test expects of them.
known=0
signatures_before=0
run_command() {
	local command=$1 output status=0
	case "$command" in
	'./quickstart demo')
		output=$(as_alice "$command") || status=$?
		expect_eq "$command: succeeds (as alice, no root)" 0 "$status"
		expect_contains "$command: logs in through the module" "logged in as alice on" "$output"
		expect_contains "$command: the remote side answers" "the remote side says: hello" "$output"
		as_alice 'rm -rf _build' > /dev/null ;;
	'sudo apt-get install '*)
		# Simulated: CI has them already, and must not change them; apt
		# still checks that each name is a package of this release.
		output=$(apt-get --simulate ${command#sudo apt-get } 2>&1) || status=$?
		expect_eq "$command: names packages of this release" 0 "$status"
		expect_contains "apt-get install: ./quickstart check installs them all" \
			" 0 newly installed" "$output" ;;
	'autoreconf -fi' | './configure --prefix=/usr' | 'make')
		output=$(as_alice "$command") || status=$?
		expect_eq "$command: succeeds" 0 "$status"
		[ "$status" -eq 0 ] || printf '%s\n' "$output" | tail -n 20 ;;
	'sudo make install')
		cleanup_commands=("make -s -C '$tree' uninstall > /dev/null 2>&1" "${cleanup_commands[@]}")
		output=$(cd "$tree" && ${command#sudo } 2>&1) || status=$?
		expect_eq "$command: succeeds" 0 "$status"
		expect_eq "the module is where ssh-agent and the README take it" \
			"yes" "$([ -f /usr/lib/trezor-pkcs11.so ] && echo yes)" ;;
	'sudo udevadm control --reload-rules')
		if [ -S /run/udev/control ]; then
			output=$(${command#sudo } 2>&1) || status=$?
			expect_eq "$command: succeeds" 0 "$status"
		else
			echo "# not run: $command (no udev daemon on this machine)"
		fi
		if udevadm verify --help > /dev/null 2>&1; then
			output=$(udevadm verify /usr/lib/udev/rules.d/51-trezor-pkcs11.rules 2>&1) || status=$?
			expect_eq "udevadm verify: the installed rules are well-formed" 0 "$status"
		else
			echo "# not run: udevadm verify (this systemd has none)"
		fi ;;
	'trezor-pkcs11 doctor')
		output=$(as_alice "$command") || status=$?
		expect_eq "$command: every check says ok but the identities file" \
			"PROBLEM  no identities file, so no keys ($home/.config/trezor-pkcs11/identities)" \
			"$(printf '%s\n' "$output" | grep -v -E '^(ok |         |1 problem found$)')"
		expect_eq "$command: ok lines for all the others" 8 \
			"$(printf '%s\n' "$output" | grep -c '^ok ')" ;;
	'trezor-pkcs11 add alice@example.com')
		output=$(as_alice "$command") || status=$?
		expect_eq "$command: adds it and prints the key" "0 trezor-pkcs11: added alice@example.com to $home/.config/trezor-pkcs11/identities
$ALICE_KEY alice@example.com" "$status $output" ;;
	'trezor-pkcs11 pubkey alice@example.com > ~/.ssh/trezor-alice.pub')
		output=$(as_alice "$command") || status=$?
		expect_eq "$command: saves the key" "0 $ALICE_KEY alice@example.com" \
			"$status $output$(cat "$home/.ssh/trezor-alice.pub")" ;;
	'ssh-copy-id -f -i ~/.ssh/trezor-alice.pub alice@example.com')
		output=$(as_alice "$command") || status=$?
		expect_eq "$command: logs in the old way" 0 "$status"
		expect_eq "and the server takes the Trezor's key" "$ALICE_KEY alice@example.com" \
			"$(grep -F "$ALICE_KEY" "$home/.ssh/authorized_keys")"
		# From here the Trezor is the only way in.
		as_alice 'mv ~/.ssh/id_ed25519 ~/old-way-key && mv ~/.ssh/id_ed25519.pub ~/old-way-key.pub' ;;
	'ssh -I /usr/lib/trezor-pkcs11.so alice@example.com')
		output=$(as_alice "$command") || status=$?
		expect_eq "$command: logs in" 0 "$status"
		expect_eq "with the Trezor's signature" 1 "$(sim_count '<- SignIdentity')"
		expect_contains "with the Trezor's key" "Accepted publickey for alice" \
			"$(cat "$home/sshd.log")" ;;
	*)
		fail "the README's quick start has a command this test cannot run: $command"
		return ;;
	esac
	known=$((known + 1))
}

while IFS= read -r command; do
	run_command "$command"
done < <(readme_commands)
expect_eq "all twelve commands of the quick start ran" 12 "$known"

# ---- the ssh_config block --------------------------------------------------------

block=$(readme_host_block)
expect_contains "the quick start shows a Host block for example.com" "Host example.com" "$block"
printf '%s\n' "$block" >> "$home/.ssh/config"
output=$(as_alice 'ssh example.com echo logged in with plain ssh') || status=$?
expect_eq "plain ssh example.com uses the Trezor" "logged in with plain ssh" \
	"$(printf '%s\n' "$output" | tr -d '\r')"
expect_eq "with a second signature" 2 "$(sim_count '<- SignIdentity')"

finish
