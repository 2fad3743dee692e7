#!/bin/bash
# The module under valgrind's memcheck, loaded by real programs: ssh-keygen
# listing keys (cold and warm cache), pkcs11-tool listing and signing, and
# ssh logging in. No invalid read or write, no use of uninitialised memory,
# and no leak is allowed whose stack passes through the module. (The
# programs' own findings, if any, are not ours to judge.)
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim
write_identities 'alice@example.com' 'bob@example.org:2222'
setup_sshd "$ALICE_KEY alice@example.com"

# memcheck NAME COMMAND...: run under memcheck, output discarded. It
# follows the programs COMMAND starts (OpenSSH 10.1 and 10.2 load the
# module in ssh-pkcs11-helper, not in ssh), but not the shell and sshd of
# the ProxyCommand. Each process's findings go to $tmp/NAME.PID.xml, where
# every stack frame names its object file, and its log (-v: the objects it
# loads) to $tmp/NAME.PID.log. The programs dlclose the module before the
# leak check: --keep-debuginfo keeps its frames named.
memcheck() {
	local name=$1
	shift
	valgrind -v --trace-children=yes --trace-children-skip='*/sh,*/bash,*/sshd,*/sshd-*' \
		--keep-debuginfo=yes --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--num-callers=50 --xml=yes --xml-file="$tmp/$name.%p.xml" --log-file="$tmp/$name.%p.log" \
		"$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
}

# module_processes NAME: the processes of the run NAME that loaded the
# module, one PID a line.
module_processes() {
	grep -l -F -- "Reading syms from $MODULE" "$tmp/$1".*.log 2> /dev/null |
		sed 's/.*\.\([0-9][0-9]*\)\.log$/\1/'
}

# The findings (<error> elements) with a frame in the module: their kind and
# the module's functions in their stack, one finding per line.
module_findings() {
	awk '
		/<error>/ { in_error = 1; kind = ""; frames = ""; ours = 0 }
		in_error && /<kind>/ { kind = $0; gsub(/ *<\/?kind>/, "", kind) }
		in_error && /<obj>/ { ours_frame = index($0, "trezor-pkcs11.so") > 0; ours += ours_frame }
		in_error && /<fn>/ && ours_frame { fn = $0; gsub(/ *<\/?fn>/, "", fn); frames = frames " " fn }
		/<\/error>/ { if (ours) print kind ":" frames; in_error = 0 }' "$@"
}

# module_findings_of NAME PID: the module's findings in that process. The
# ssh-pkcs11-helper of OpenSSH 10.1 and 10.2 _exit()s without C_Finalize:
# what the module holds until then (libusb's context) is still there, and
# memcheck calls what only pointers into it reach "possibly lost". There,
# definitely and indirectly lost blocks count; everywhere else all three.
module_findings_of() {
	if grep -q '<exe>[^<]*/ssh-pkcs11-helper</exe>' "$tmp/$1.$2.xml"; then
		module_findings "$tmp/$1.$2.xml" | grep -v '^Leak_PossiblyLost:'
	else
		module_findings "$tmp/$1.$2.xml"
	fi
}

check_clean() {
	local pid pids complete=0 findings=
	expect_eq "$1: ran" 0 "$2"
	pids=$(module_processes "$1")
	expect_eq "$1: the module ran under memcheck, in one process" 1 \
		"$(printf '%s' "$pids" | grep -c .)"
	for pid in $pids; do
		complete=$((complete + $(grep -c '</valgrindoutput>' "$tmp/$1.$pid.xml")))
		findings+=$(module_findings_of "$1" "$pid")
	done
	expect_eq "$1: valgrind reported on it" 1 "$complete"
	expect_eq "$1: nothing of the module in memcheck's report" "" "$findings"
}

memcheck keygen-cold ssh-keygen -D "$MODULE"
check_clean keygen-cold $?
expect_eq "keygen-cold: the keys" "$ALICE_KEY alice@example.com
$BOB_KEY bob@example.org:2222" "$(cat "$tmp/keygen-cold.out")"

memcheck keygen-warm ssh-keygen -D "$MODULE"
check_clean keygen-warm $?
expect_eq "keygen-warm: from the cache" 2 "$(sim_count '<- GetPublicKey')"

memcheck tool-list pkcs11-tool --module "$MODULE" --list-objects
check_clean tool-list $?
expect_eq "tool-list: four objects" 4 "$(pkcs11_tool_objects < "$tmp/tool-list.out" | grep -c '^[A-Z]')"

printf '%b' "$(printf '\\x%02x' $(seq 1 32))" > "$tmp/digest"
memcheck tool-sign pkcs11-tool --module "$MODULE" --sign -m ECDSA --id "$ALICE_ID" \
	-i "$tmp/digest" -o "$tmp/signature"
check_clean tool-sign $?
expect_eq "tool-sign: a 64-byte signature" 64 "$(stat -c %s "$tmp/signature")"

memcheck ssh ssh -F "$tmp/ssh_config" -I "$MODULE" simhost echo logged in
check_clean ssh $?
expect_eq "ssh: logged in" "logged in" "$(cat "$tmp/ssh.out")"

# The check can fail: a finding with a frame in the module is seen.
cat > "$tmp/sample.xml" <<EOF
<error>
  <kind>Leak_DefinitelyLost</kind>
  <stack>
    <frame>
      <obj>/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so</obj>
      <fn>malloc</fn>
    </frame>
    <frame>
      <obj>$MODULE</obj>
      <fn>api_get_slot_list</fn>
    </frame>
    <frame>
      <obj>/usr/bin/ssh-keygen</obj>
      <fn>main</fn>
    </frame>
  </stack>
</error>
EOF
expect_eq "a finding through the module is caught" "Leak_DefinitelyLost: api_get_slot_list" \
	"$(module_findings "$tmp/sample.xml")"
finish
