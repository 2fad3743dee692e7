#!/bin/bash
# The trezor-pkcs11 command against the simulator: list, add, pubkey, their
# exact output on stdout and stderr, the identities file it writes, its
# exit codes, and --help.
. "$abs_top_srcdir/tests/integration/lib.sh"

# The expected keys come from HACKING 5.6 (alice, bob) and an
# independent derivation (carol).
CAROL_KEY="ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBInhS9V4wIRve2IwQOSn4q3g/J3/AUyQXDX5TsPOPKvQd7ObeBv5hsucngy1tHW9mxN8Fw3cgnQouvnk6V1nsnI="
config="$HOME/.config/trezor-pkcs11"
identities="$config/identities"

# run ARGS...: the command, with stdout, stderr and the exit code kept apart.
run() {
	"$CLI" "$@" > "$tmp/out" 2> "$tmp/err"
	status=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

start_sim
unset TREZOR_PKCS11_IDENTITIES

run list
expect_eq "list: the device, and no identities file yet" \
	"Trezor One \"Simulated Trezor\" at $TREZOR_PATH: firmware 1.14.2, no PIN
no identities file (trezor-pkcs11 add you@example.com starts $identities)" "$out"
expect_eq "list: exit 0, nothing on stderr" "0 " "$status $err"

run add alice@example.com 'ssh://bob@example.org:2222'
expect_eq "add: the keys, as authorized_keys lines" "$ALICE_KEY alice@example.com
$BOB_KEY bob@example.org:2222" "$out"
expect_eq "add: what it did, on stderr" "trezor-pkcs11: added alice@example.com to $identities
trezor-pkcs11: added bob@example.org:2222 to $identities" "$err"
expect_eq "add: exit 0" 0 "$status"
expect_eq "the file holds both" "alice@example.com
bob@example.org:2222" "$(cat "$identities")"
expect_eq "the file is private, and so is its directory" "600 700" \
	"$(stat -c %a "$identities") $(stat -c %a "$config")"

run add alice@example.com carol@example.net
expect_eq "add: an identity already there is not added twice" "$ALICE_KEY alice@example.com
$CAROL_KEY carol@example.net" "$out"
expect_eq "add: and it says so" "trezor-pkcs11: alice@example.com is already in $identities
trezor-pkcs11: added carol@example.net to $identities" "$err"
expect_eq "the file has carol once more" 3 "$(wc -l < "$identities")"

cp "$identities" "$tmp/before"
run add dave@example.com 'https://x@example.com' '@nobody'
expect_eq "add: a bad identity is exit 2" 2 "$status"
expect_eq "add: each bad one is named" "trezor-pkcs11: https://x@example.com: \"https://\" is not accepted: write the identity alone (or with ssh://)
trezor-pkcs11: @nobody: user name is missing before '@'" "$err"
expect_eq "add: nothing on stdout" "" "$out"
expect_eq "add: and the file is unchanged" "" "$(diff "$tmp/before" "$identities")"

# A file without a final newline gets one before the new line.
printf 'alice@example.com' > "$tmp/no-newline"
TREZOR_PKCS11_IDENTITIES="$tmp/no-newline" run add bob@example.org:2222
expect_eq "add: to the file TREZOR_PKCS11_IDENTITIES names, on a line of its own" \
	"alice@example.com
bob@example.org:2222" "$(cat "$tmp/no-newline")"

run pubkey
expect_eq "pubkey: every identity of the file, in order" "$ALICE_KEY alice@example.com
$BOB_KEY bob@example.org:2222
$CAROL_KEY carol@example.net" "$out"
expect_eq "pubkey: exit 0, nothing on stderr" "0 " "$status $err"
expect_eq "pubkey: the same lines as ssh-keygen -D" "$out" \
	"$(TREZOR_PKCS11_IDENTITIES="$identities" ssh-keygen -D "$MODULE" 2>&1)"

run pubkey carol@example.net alice@example.com carol@example.net
expect_eq "pubkey: the identities named, once each" "$CAROL_KEY carol@example.net
$ALICE_KEY alice@example.com" "$out"

run pubkey --frob
expect_eq "pubkey: an unknown option" "2 trezor-pkcs11: pubkey: no option --frob" "$status $err"

run list
expect_eq "list: the identities" "Trezor One \"Simulated Trezor\" at $TREZOR_PATH: firmware 1.14.2, no PIN
identities in $identities:
  alice@example.com
  bob@example.org:2222
  carol@example.net" "$out"

# Bad lines in the file are reported as the module reports them.
printf 'alice@example.com\nnot an identity\n' > "$tmp/bad-lines"
TREZOR_PKCS11_IDENTITIES="$tmp/bad-lines" run list
expect_eq "list: a bad line is reported with file and line" \
	"trezor-pkcs11: $tmp/bad-lines:2: \"an\" is not a key type (ed25519 or nist256p1; comments start with #)" "$err"

# Without a device: a clear line, exit 1, nothing on stdout.
TREZOR_PATH=udp:127.0.0.1:9 run pubkey
expect_eq "pubkey without a device: exit 1, nothing on stdout" "1 " "$status $out"
expect_contains "pubkey without a device: it says so" \
	"trezor-pkcs11: no Trezor found (plug it in and unlock it; trezor-pkcs11 doctor says more)" "$err"
TREZOR_PATH=udp:127.0.0.1:9 run list
expect_eq "list without a device: why it is not usable" \
	"not usable: nothing answers at udp:127.0.0.1:9" \
	"$(printf '%s\n' "$out" | head -n 1)"
# Nowhere to look but USB and the emulator's port, where the test machine has
# nothing: list's own line, not the module's pointer back at list.
printf 'alice@example.com\n' > "$tmp/one-identity"
out=$(env -u TREZOR_PATH TREZOR_PKCS11_IDENTITIES="$tmp/one-identity" "$CLI" list 2> /dev/null)
expect_eq "list with identities and no Trezor anywhere: no Trezor found" "no Trezor found" \
	"$(printf '%s\n' "$out" | head -n 1)"
expect_absent "and not the module's line that points at list" "not usable: no Trezor found" "$out"

# A locked device with passphrase protection is shown so.
restart_sim --pin 1234 --passphrase-protection
run list
expect_eq "list: locked, passphrase protection on" \
	"Trezor One \"Simulated Trezor\" at $TREZOR_PATH: firmware 1.14.2, locked, passphrase protection on" \
	"$(printf '%s\n' "$out" | head -n 1)"
TREZOR_PKCS11_PINENTRY=/nonexistent/pinentry XDG_CACHE_HOME="$tmp/empty-cache" run pubkey alice@example.com
expect_eq "pubkey on a locked Trezor nobody can unlock: exit 1, nothing on stdout" "1 " "$status $out"
expect_eq "pubkey: the module's reason, then which key" \
	"trezor-pkcs11: no pinentry program to ask with: install one (Debian: pinentry-curses for terminals, pinentry-gnome3 for desktops) or set TREZOR_PKCS11_PINENTRY
trezor-pkcs11: could not read the key of alice@example.com (CKR_FUNCTION_FAILED)" "$err"

# Two Trezors: the first is used, and the command says which.
restart_sim
start_second_sim
TREZOR_PATH="$TREZOR_PATH,udp:127.0.0.1:$SECOND_PORT" run pubkey alice@example.com
expect_eq "pubkey with two Trezors: the first one's key" "$ALICE_KEY alice@example.com" "$out"
expect_eq "pubkey with two Trezors: which one" \
	"trezor-pkcs11: 2 Trezors: using Trezor One at $TREZOR_PATH (TREZOR_PATH chooses another)" \
	"$err"

# An identities file behind a symbolic link (planted, or a dotfiles
# manager's) is not written through: add says so, and what to do.
mkdir -p "$tmp/dotfiles"
printf 'alice@example.com\n' > "$tmp/dotfiles/identities"
ln -s "$tmp/dotfiles/identities" "$tmp/linked-identities"
TREZOR_PKCS11_IDENTITIES="$tmp/linked-identities" run add bob@example.org:2222
expect_eq "add refuses a symbolic link" "1 alice@example.com" \
	"$status $(cat "$tmp/dotfiles/identities")"
expect_eq "and says why, and what to do" "trezor-pkcs11: $tmp/linked-identities is a symbolic link: add writes only to the file itself; add the line to the file the link points to, or point TREZOR_PKCS11_IDENTITIES at it" "$err"
mkfifo "$tmp/fifo-identities"
TREZOR_PKCS11_IDENTITIES="$tmp/fifo-identities" run add bob@example.org:2222
expect_eq "add refuses what is not a regular file" "1 trezor-pkcs11: $tmp/fifo-identities is not a regular file: add writes only to one" "$status $err"

# A label is the device's to choose: control characters are not printed.
restart_sim --label $'Evil\e[2Jlabel\tx'
run list
expect_eq "list: a label's control characters become ?" \
	"Trezor One \"Evil?[2Jlabel?x\" at $TREZOR_PATH: firmware 1.14.2, no PIN" \
	"$(printf '%s\n' "$out" | head -n 1)"

# Help and mistakes.
run help
expect_eq "help: exit 0, on stdout" "0 usage: trezor-pkcs11 COMMAND [ARGUMENTS]" \
	"$status $(printf '%s\n' "$out" | head -n 1)"
for command in list add pubkey doctor; do
	run "$command" --help
	expect_eq "$command --help" "0 usage: trezor-pkcs11 $command" \
		"$status $(printf '%s\n' "$out" | head -n 1 | cut -d' ' -f1-3)"
done
run
expect_eq "no command: the usage on stderr, exit 2" "2 usage: trezor-pkcs11 COMMAND [ARGUMENTS]" \
	"$status $(printf '%s\n' "$err" | head -n 1)"
run frobnicate
expect_eq "an unknown command" "2 trezor-pkcs11: no command \"frobnicate\" (try: trezor-pkcs11 help)" \
	"$status $err"
run --version
expect_eq "--version" "0 trezor-pkcs11 $(sed -n 's/^PACKAGE_VERSION = //p' "$abs_top_builddir/Makefile")" \
	"$status $out"
finish
