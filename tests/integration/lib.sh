# Shared by the integration tests (sourced, not run). They drive the real
# OpenSSH, ssh-agent, pkcs11-tool, p11-kit and OpenSSL against the simulator,
# on loopback only, in a private temporary directory removed at exit.
#
# make check sets abs_top_builddir and abs_top_srcdir.
set -u

: "${abs_top_builddir:?run the integration tests through make check}"
: "${abs_top_srcdir:?run the integration tests through make check}"

MODULE="$abs_top_builddir/.libs/trezor-pkcs11.so"
SIM="$abs_top_builddir/tests/sim/trezor-sim"
CLI="$abs_top_builddir/cli/trezor-pkcs11"
SSHD=$(command -v sshd 2>/dev/null || echo /usr/sbin/sshd)
MNEMONIC_ALL="all all all all all all all all all all all all"

# Expected keys (HACKING 5.6: alice recorded from the firmware, bob derived
# independently).
ALICE_KEY="ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBLmvxjg3F0MyTAncgTaEegR46fJqPfzAuZI/S8vc+T/b+u++T8hCXTq7SFwliV8OpGfWTlifAwUailEeZBlMphw="
BOB_KEY="ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEt2/N9N62WADL5VpAd+36MG/NRoTdhgtpxzPszLvlivWazQht8FbJOqW5ZKpivJvfejHRFuXWXtDFGzQy257rk="
ALICE_ID=20160ed6a16f089058d1dd9ddbb3a4a3
BOB_ID=496b6219f29e9f731500e2e329585866

tmp=$(mktemp -d "${TMPDIR:-/tmp}/trezor-pkcs11-test.XXXXXX")
checks=0
failures=0
background_pids=()
cleanup_commands=()

# Nothing of the person's own set-up may leak into a test.
unset SSH_AUTH_SOCK SSH_AGENT_PID TREZOR_PATH TREZOR_PKCS11_IDENTITIES TREZOR_PKCS11_DEBUG
export HOME="$tmp/home"
unset XDG_CONFIG_HOME XDG_CACHE_HOME
export XDG_RUNTIME_DIR="$tmp/runtime"   # the lock files of shared_lock.h
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

cleanup() {
	local pid command
	for command in "${cleanup_commands[@]}"; do
		eval "$command" || true
	done
	for pid in "${background_pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# ---- assertions ---------------------------------------------------------------

pass() { checks=$((checks + 1)); printf 'ok %d - %s\n' "$checks" "$1"; }
fail() {
	checks=$((checks + 1))
	failures=$((failures + 1))
	printf 'not ok %d - %s\n' "$checks" "$1"
}

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1"
		printf '  expected: %s\n  actual:   %s\n' "$2" "$3"
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/  /' | head -40
	fi
}

# expect_contains NAME NEEDLE HAYSTACK
expect_contains() {
	case "$3" in
	*"$2"*) pass "$1" ;;
	*) fail "$1"; printf '  missing: %s\n  in:\n%s\n' "$2" "$3" | head -40 ;;
	esac
}

# expect_absent NAME NEEDLE HAYSTACK
expect_absent() {
	case "$3" in
	*"$2"*) fail "$1"; printf '  unexpected: %s\n' "$2" ;;
	*) pass "$1" ;;
	esac
}

# listing COMMAND...: what a key listing gave, in facts: the keys it
# printed and the module's own lines, exactly (carriage returns dropped),
# then "ok" or "failed" for its exit status. What the program says itself
# (ssh-keygen's "cannot read public key from pkcs11") is left out.
listing() {
	local output status=0
	output=$("$@" 2>&1) || status=$?
	printf '%s\n' "$output" | tr -d '\r' | grep -E '^(ecdsa-sha2-nistp256 |ssh-ed25519 |trezor-pkcs11: )'
	if [ "$status" -eq 0 ]; then echo ok; else echo failed; fi
}

# OpenSSH 10.1 and later take Ed25519 keys from a PKCS#11 module; earlier
# ones skip them (HACKING 5.7).
ssh_takes_ed25519() {
	local version major minor
	version=$(ssh -V 2>&1 | sed -n 's/^OpenSSH_\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
	read -r major minor <<< "$version"
	[ -n "$major" ] && { [ "$major" -gt 10 ] || { [ "$major" -eq 10 ] && [ "$minor" -ge 1 ]; }; }
}

# agent_line IDENTITY [PASSPHRASE]: the line trezor-agent prints for
# `trezor-agent -e ed25519 IDENTITY` on the "all" x 12 seed, derived
# independently (trezor_agent_line.py), without its newline.
agent_line() {
	python3 "$abs_top_srcdir/tests/integration/trezor_agent_line.py" "$@"
}

# OpenSSH 10.1 and 10.2 load the module for ssh (and 10.1 for ssh-keygen)
# in ssh-pkcs11-helper, as ssh-agent always does; 9.x, 10.0 and 10.3 load
# it in ssh itself. The helper logs to syslog, not to ssh's stderr, and
# _exit()s at the end without C_Finalize.
ssh_uses_pkcs11_helper() {
	case "$(ssh -V 2>&1)" in
	OpenSSH_10.1p* | OpenSSH_10.2p*) return 0 ;;
	*) return 1 ;;
	esac
}

# module_report: of a program's output (stdin), the module's own lines and
# OpenSSH's report of the code C_Sign returned ("C_Sign failed: 48");
# carriage returns dropped.
module_report() {
	tr -d '\r' | sed -n -e '/^trezor-pkcs11: /p' -e 's/^.*\(C_Sign failed: [0-9][0-9]*\)$/\1/p'
}

# ssh_report CODE LINE...: what module_report gives of an ssh whose C_Sign
# failed with CODE after the module said LINE...: the lines, then
# "C_Sign failed: CODE" where ssh prints it (not when its helper logs it).
ssh_report() {
	local code=$1
	shift
	printf '%s\n' "$@"
	ssh_uses_pkcs11_helper || printf 'C_Sign failed: %s\n' "$code"
}

# Print the summary and exit with the verdict.
finish() {
	printf '1..%d\n' "$checks"
	if [ "$failures" -gt 0 ]; then
		printf '%d of %d checks failed\n' "$failures" "$checks"
		exit 1
	fi
	exit 0
}

# wait_for FILE PATTERN: until a line of FILE matches (5 s at most).
wait_for() {
	local tries=0
	until grep -q -- "$2" "$1" 2>/dev/null; do
		tries=$((tries + 1))
		[ "$tries" -lt 500 ] || { echo "timed out waiting for '$2' in $1" >&2; return 1; }
		sleep 0.01
	done
}

# ---- the simulator ------------------------------------------------------------

SIM_PORT=
SIM_PID=

# start_sim [OPTIONS...]: a fresh simulator (-v), TREZOR_PATH pointing at it.
start_sim() {
	local port=${SIM_RESTART_PORT:-0}
	: > "$tmp/sim.log"
	"$SIM" --port "$port" -v "$@" 2>> "$tmp/sim.log" &
	SIM_PID=$!
	background_pids+=("$SIM_PID")
	wait_for "$tmp/sim.log" '^listening on ' || exit 1
	SIM_PORT=$(sed -n 's/^listening on 127\.0\.0\.1://p' "$tmp/sim.log")
	export TREZOR_PATH="udp:127.0.0.1:$SIM_PORT"
}

stop_sim() {
	kill "$SIM_PID" 2>/dev/null || true
	wait "$SIM_PID" 2>/dev/null || true
}

# restart_sim [OPTIONS...]: same port, new options (the module keeps its socket).
restart_sim() {
	stop_sim
	SIM_RESTART_PORT=$SIM_PORT start_sim "$@"
}

# sim_count TEXT: how many lines of the simulator's log contain TEXT.
sim_count() {
	grep -c -F -- "$1" "$tmp/sim.log" || true
}

# ---- identities ---------------------------------------------------------------

# write_identities LINE...: the identities file, exported for the module.
write_identities() {
	printf '%s\n' "$@" > "$tmp/identities"
	export TREZOR_PKCS11_IDENTITIES="$tmp/identities"
}

# ---- a throwaway sshd ---------------------------------------------------------

# setup_sshd AUTHORIZED_KEY...: an sshd reached through ProxyCommand (sshd -i,
# no port, no system files). In $tmp/ssh_config: "simhost" (no keys unless
# given with -I), "simhost-p11" (PKCS11Provider is the module) and
# "simhost-agent" (through the agent at $tmp/agent.sock). The first key is
# also $tmp/key.pub, the IdentityFile that IdentitiesOnly needs.
setup_sshd() {
	printf '%s\n' "$@" > "$tmp/authorized_keys"
	printf '%s\n' "$1" > "$tmp/key.pub"
	rm -f "$tmp/hostkey" "$tmp/hostkey.pub"         # again: a new one
	ssh-keygen -q -t ed25519 -N '' -C simhost -f "$tmp/hostkey"
	# sshd insists on its privilege separation directory when run as root.
	[ "$(id -u)" -ne 0 ] || mkdir -p /run/sshd
	cat > "$tmp/sshd_config" <<-EOF
	HostKey $tmp/hostkey
	AuthorizedKeysFile $tmp/authorized_keys
	StrictModes no
	UsePAM no
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	PubkeyAuthentication yes
	PermitRootLogin prohibit-password
	Subsystem sftp internal-sftp
	LogLevel VERBOSE
	EOF
	printf 'simhost %s\n' "$(cut -d' ' -f1,2 "$tmp/hostkey.pub")" > "$tmp/known_hosts"
	cat > "$tmp/ssh_config" <<-EOF
	Host simhost-p11
	  PKCS11Provider $MODULE
	Host simhost-agent
	  IdentityAgent $tmp/agent.sock
	Host simhost*
	  HostKeyAlias simhost
	  ProxyCommand $SSHD -i -f $tmp/sshd_config -E $tmp/sshd.log
	  User $(id -un)
	  UserKnownHostsFile $tmp/known_hosts
	  StrictHostKeyChecking yes
	  BatchMode yes
	  IdentitiesOnly yes
	  IdentityFile $tmp/key.pub
	  IdentityAgent none
	EOF
}

# ---- ssh-agent ------------------------------------------------------------------

# start_agent [-P ALLOWLIST]: a stock ssh-agent on $tmp/agent.sock; without
# -P it keeps its default allowlist (/usr/lib*/*, /usr/local/lib*/*).
# AGENT names the program (default: ssh-agent on PATH).
start_agent() {
	rm -f "$tmp/agent.sock"
	"${AGENT:-ssh-agent}" -D -a "$tmp/agent.sock" "$@" > "$tmp/agent.log" 2>&1 &
	background_pids+=("$!")
	AGENT_PID=$!
	local tries=0
	until [ -S "$tmp/agent.sock" ]; do
		tries=$((tries + 1))
		[ "$tries" -lt 500 ] || { echo "ssh-agent did not start" >&2; exit 1; }
		sleep 0.01
	done
	export SSH_AUTH_SOCK="$tmp/agent.sock"
}

stop_agent() {
	kill "$AGENT_PID" 2>/dev/null || true
	wait "$AGENT_PID" 2>/dev/null || true
	unset SSH_AUTH_SOCK
}

# add_card / remove_card MODULE: ssh-add -s / -e MODULE; its exit status.
# ssh-add asks for a PIN the module never needs ("Enter passphrase for
# PKCS#11:"): its input is /dev/null. What it says ("Card added: ...") is
# OpenSSH's to word; the tests read its exit status and the agent's keys.
add_card() {
	ssh-add -s "$1" < /dev/null > "$tmp/ssh-add.out" 2>&1
}
remove_card() {
	ssh-add -e "$1" < /dev/null > "$tmp/ssh-add.out" 2>&1
}

# agent_keys: the keys the agent offers (ssh-add -L), or "none" when it
# has none (ssh-add -L's exit status 1; 2 is no agent at all).
agent_keys() {
	local keys status=0
	keys=$(ssh-add -L 2> /dev/null) || status=$?
	case "$status" in
	0) printf '%s\n' "$keys" ;;
	1) echo none ;;
	*) echo "ssh-add -L failed: exit status $status" ;;
	esac
}

# ---- more devices: a second simulator, fake USB, a fake Bridge -------------------

MNEMONIC_OTHER="alcohol woman abuse must during monitor noble actual mixed trade anger aisle"

# start_second_sim [OPTIONS...]: another simulator (another seed and device
# id) on its own port; sets SECOND_PORT. TREZOR_PATH is left alone.
start_second_sim() {
	: > "$tmp/sim2.log"
	"$SIM" --port 0 -v --mnemonic "$MNEMONIC_OTHER" --device-id BBBBBBBBBBBBBBBBBBBBBBBB \
		--label Second "$@" 2>> "$tmp/sim2.log" &
	background_pids+=("$!")
	wait_for "$tmp/sim2.log" '^listening on ' || exit 1
	SECOND_PORT=$(sed -n 's/^listening on 127\.0\.0\.1://p' "$tmp/sim2.log")
}

# use_fake_usb LINE...: programs started after this see these USB devices
# (tests/fakes/fake_libusb.c, "BUS ADDR KIND PORT [OPTIONS]") and look for
# Trezors themselves (no TREZOR_PATH).
use_fake_usb() {
	printf '%s\n' "$@" > "$tmp/usb-devices"
	export FAKE_LIBUSB_DEVICES="$tmp/usb-devices"
	export LD_PRELOAD="$FAKE_LIBUSB_LIBRARY"
	unset TREZOR_PATH
}

# start_fake_bridge PATH=UDPPORT...: the fake Bridge, which the module finds
# through TREZOR_PKCS11_BRIDGE.
start_fake_bridge() {
	local device arguments=()
	for device in "$@"; do
		arguments+=(--device "$device")
	done
	: > "$tmp/bridge.log"
	"$FAKE_BRIDGE" --port 0 -v "${arguments[@]}" 2>> "$tmp/bridge.log" &
	background_pids+=("$!")
	wait_for "$tmp/bridge.log" '^listening on ' || exit 1
	export TREZOR_PKCS11_BRIDGE="127.0.0.1:$(sed -n 's/^listening on 127\.0\.0\.1://p' "$tmp/bridge.log")"
}

# ---- pinentry ---------------------------------------------------------------------

# The scripted pinentry (tests/integration/fake-pinentry), its log in
# $tmp/pinentry.log; FAKE_PINENTRY_PIN and _PASSPHRASE say what it answers.
use_fake_pinentry() {
	export TREZOR_PKCS11_PINENTRY="$abs_top_srcdir/tests/integration/fake-pinentry"
	export FAKE_PINENTRY_SIM_LOG="$tmp/sim.log"
	export FAKE_PINENTRY_LOG="$tmp/pinentry.log"
	: > "$tmp/pinentry.log"
}

pinentry_count() {
	grep -c '^GETPIN' "$tmp/pinentry.log" || true
}

# ALICE in the wallet of passphrase "TREZOR" (an independent derivation).
ALICE_TREZOR_KEY="ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBErFlmf+VCKvskvT5YItk94X8D+Bvi5VMfhQ4yWfFdaOajE8gNanUSktuBpWiPC4+WXGlqdFfvxGYjpkKQiz7BU="

# ---- other programs' output, as facts -----------------------------------------
#
# What pkcs11-tool, p11tool and p11-kit print is laid out by each version
# its own way (OpenSC 0.26 adds URIs and OIDs, p11-kit 0.25 names the module
# on a line of its own). These turn it into the facts the tests assert, one
# per line, in one order: the fields every version prints, lists sorted,
# everything else left out.

# awk's part of the parsers. sorted_list LIST SEPARATOR [JOINER]: the
# items of LIST, trimmed, sorted, joined with JOINER (default ", ").
FACTS_AWK_LIB='
function sorted_list(list, separator, joiner,   n, item, i, j, value, out) {
	if (joiner == "") joiner = ", "
	n = split(list, item, separator)
	for (i = 1; i <= n; i++)
		item[i] = trim(item[i])
	for (i = 2; i <= n; i++) {
		value = item[i]
		for (j = i - 1; j >= 1 && item[j] > value; j--)
			item[j + 1] = item[j]
		item[j + 1] = value
	}
	out = ""
	for (i = 1; i <= n; i++)
		if (item[i] != "")
			out = out (out == "" ? "" : joiner) item[i]
	return out
}
function trim(text) {
	gsub(/^[ \t]+|[ \t]+$/, "", text)
	return text
}
# print_fields: the fields in "keys" ("|" between them) that were seen,
# in that order, then forget them all.
function print_fields(   n, key, i) {
	n = split(keys, key, "|")
	for (i = 1; i <= n; i++)
		if (key[i] in field)
			print "  " key[i] ": " field[key[i]]
	for (i in field)
		delete field[i]
}'

# pkcs11_tool_slots: `pkcs11-tool -L` (on stdin) as "slot ID: DESCRIPTION"
# and the token's fields.
pkcs11_tool_slots() {
	awk -v keys='token label|token manufacturer|token model|token flags|hardware version|firmware version|serial num|pin min/max' \
		"$FACTS_AWK_LIB"'
		/^Slot [0-9]+ \(0x[0-9a-f]+\): / {
			if (in_slot) print_fields()
			in_slot = 1
			id = $0; sub(/^Slot [0-9]+ \(/, "", id); sub(/\).*/, "", id)
			description = $0; sub(/^[^)]*\): /, "", description)
			print "slot " id ": " description
			next
		}
		in_slot && /^  [^ ][^:]*:/ {
			key = $0; sub(/:.*/, "", key); key = trim(key)
			value = $0; sub(/^[^:]*:/, "", value); value = trim(value)
			if (key == "token flags") value = sorted_list(value, ",")
			field[key] = value
		}
		END { if (in_slot) print_fields() }'
}

# pkcs11_tool_objects: `pkcs11-tool -O` (on stdin) as "CLASS: KEY TYPE[,
# BITS bits]" and the object's fields; EC_PARAMS is the DER alone.
pkcs11_tool_objects() {
	awk -v keys='label|ID|EC_POINT|EC_PARAMS|Usage|Access|Allowed mechanisms' \
		"$FACTS_AWK_LIB"'
		/^[A-Z][A-Za-z ]* Object; / {
			if (in_object) print_fields()
			in_object = 1
			class = $0; sub(/; .*/, "", class)
			type = $0; sub(/^[^;]*; */, "", type); sub(/ .*/, "", type)
			bits = ""
			if (match($0, /[0-9]+ bits/)) bits = ", " substr($0, RSTART, RLENGTH)
			print class ": " type bits
			next
		}
		in_object && /^  [^ ][^:]*:/ {
			key = $0; sub(/:.*/, "", key); key = trim(key)
			value = $0; sub(/^[^:]*:/, "", value); value = trim(value)
			if (key == "EC_PARAMS") sub(/ .*/, "", value)
			if (key == "Usage" || key == "Access") value = sorted_list(value, ",")
			if (key == "Allowed mechanisms") value = sorted_list(value, ",")
			field[key] = value
		}
		END { if (in_object) print_fields() }'
}

# pkcs11_tool_mechanisms: `pkcs11-tool -M` (on stdin) as "NAME: KEY SIZES;
# FLAGS", flags sorted.
pkcs11_tool_mechanisms() {
	awk "$FACTS_AWK_LIB"'
		/^  [^ ]/ {
			line = trim($0)
			name = line; sub(/,.*/, "", name)
			rest = line; sub(/^[^,]*,? */, "", rest)
			sizes = ""
			if (match(rest, /keySize=\{[^}]*\}(, )?/)) {
				sizes = substr(rest, RSTART, RLENGTH); sub(/, $/, "", sizes)
				rest = substr(rest, 1, RSTART - 1) substr(rest, RSTART + RLENGTH)
			}
			print name ": " sizes "; " sorted_list(rest, ",")
		}'
}

# p11tool_objects: `p11tool --list-all` (on stdin) as "object" and its
# fields; the URL's attributes sorted, the flags sorted.
p11tool_objects() {
	awk -v keys='URL|Type|Label|Flags|ID' "$FACTS_AWK_LIB"'
		/^Object [0-9]+:/ {
			if (in_object) print_fields()
			in_object = 1
			print "object"
			next
		}
		in_object && /^\t[^:]*:/ {
			key = $0; sub(/:.*/, "", key); key = trim(key)
			value = $0; sub(/^[^:]*:/, "", value); value = trim(value)
			if (key == "URL" && sub(/^pkcs11:/, "", value))
				value = "pkcs11:" sorted_list(value, ";", ";")
			if (key == "Flags") value = sorted_list(value, ";")
			field[key] = value
		}
		END { if (in_object) print_fields() }'
}

# p11kit_module NAME: of `p11-kit list-modules` (on stdin), the module NAME
# as "module NAME", its path and library fields, then each token as "token
# LABEL" and its fields, flags sorted; p11-kit 0.24 writes "NAME: PATH",
# 0.25 "module: NAME" and "path: PATH".
p11kit_module() {
	awk -v name="$1" -v keys='path|library-description|library-manufacturer|library-version|manufacturer|model|serial-number|hardware-version|firmware-version|flags' \
		"$FACTS_AWK_LIB"'
		function end_record() {
			if (flags != "") field["flags"] = sorted_list(flags, "|")
			if (in_module) print_fields()
			flags = ""; in_flags = 0
		}
		/^[^ ]/ {
			end_record()
			if ($0 == "module: " name) { in_module = 1; print "module " name }
			else if (index($0, name ": ") == 1) {
				in_module = 1; print "module " name
				field["path"] = substr($0, length(name) + 3)
			}
			else in_module = 0
			next
		}
		!in_module { next }
		/^    token: / {
			end_record()
			print "token " substr($0, 12)
			next
		}
		in_flags && /^ +[a-z-]+$/ { flags = flags "|" trim($0); next }
		{
			in_flags = 0
			key = $0; sub(/:.*/, "", key); key = trim(key)
			value = $0; sub(/^[^:]*:/, "", value); value = trim(value)
			if (key == "flags") { in_flags = 1; next }
			field[key] = value
		}
		END { end_record() }'
}
