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

# memcheck NAME COMMAND...: run under memcheck, output discarded; its findings
# go to $tmp/NAME.xml, where every stack frame names its object file. The
# programs dlclose the module before the leak check: --keep-debuginfo keeps
# its frames named.
memcheck() {
	local name=$1
	shift
	valgrind --keep-debuginfo=yes --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--num-callers=50 --xml=yes --xml-file="$tmp/$name.xml" \
		"$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
}

# The findings (<error> elements) with a frame in the module: their kind and
# the module's functions in their stack, one finding per line.
module_findings() {
	awk '
		/<error>/ { in_error = 1; kind = ""; frames = ""; ours = 0 }
		in_error && /<kind>/ { kind = $0; gsub(/ *<\/?kind>/, "", kind) }
		in_error && /<obj>/ { ours_frame = index($0, "trezor-pkcs11.so") > 0; ours += ours_frame }
		in_error && /<fn>/ && ours_frame { fn = $0; gsub(/ *<\/?fn>/, "", fn); frames = frames " " fn }
		/<\/error>/ { if (ours) print kind ":" frames; in_error = 0 }' "$1"
}

check_clean() {
	expect_eq "$1: ran" 0 "$2"
	expect_eq "$1: valgrind reported" 1 "$(grep -c '</valgrindoutput>' "$tmp/$1.xml")"
	expect_eq "$1: nothing of the module in memcheck's report" "" "$(module_findings "$tmp/$1.xml")"
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
expect_eq "tool-list: four objects" 4 "$(grep -c 'Key Object' "$tmp/tool-list.out")"

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
