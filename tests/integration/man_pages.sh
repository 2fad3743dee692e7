#!/bin/bash
# The manual pages (man/) render with man(1) without a single warning, fit
# an 80-column terminal, start as a reader expects, and trezor-pkcs11(8)
# describes every environment variable the module reads. The text is read
# as facts (sections, their words, entries), not as one groff version's
# layout: groff 1.22 (Debian 12) and 1.23 (Debian 13) fill and adjust
# lines differently.
. "$abs_top_srcdir/tests/integration/lib.sh"

man_dir="$abs_top_srcdir/man"
# Characters, not bytes, count in the widths below.
export LC_ALL=C.UTF-8

# render PAGE: the page as man shows it at 80 columns; its stderr in $tmp/PAGE.err.
render() {
	MANWIDTH=80 man --warnings -E UTF-8 -l "$man_dir/$1" 2> "$tmp/$1.err"
}

# wide_lines: the lines of stdin longer than 80 characters.
wide_lines() {
	local line
	while IFS= read -r line; do
		[ "${#line}" -le 80 ] || printf '%s\n' "$line"
	done
}

# words TEXT: TEXT with its lines joined and its spaces squeezed.
words() {
	printf '%s\n' "$1" | tr -s ' \n' '  ' | sed 's/^ //; s/ $//'
}

# section PAGE_TEXT HEADING: the words of a section, up to the next heading.
section() {
	words "$(printf '%s\n' "$1" | awk -v heading="$2" '
		$0 == heading { inside = 1; next }
		inside && /^[^ ]/ { exit }
		inside { print }')"
}

# has_line TEXT LINE: whether a line of TEXT, without its indentation, is LINE.
has_line() {
	printf '%s\n' "$1" | sed 's/^ *//; s/ *$//' | grep -q -x -F -- "$2" && echo yes || echo no
}

for page in trezor-pkcs11.1 trezor-pkcs11-identities.5 trezor-pkcs11.8; do
	text=$(render "$page")
	expect_eq "$page: man renders it" 0 "$?"
	expect_eq "$page: man and groff say nothing on stderr" "" "$(cat "$tmp/$page.err")"
	expect_eq "$page: no line is wider than 80 columns" "" "$(printf '%s\n' "$text" | wide_lines)"
	printf '%s\n' "$text" > "$tmp/$page.txt"
done

text=$(cat "$tmp/trezor-pkcs11.8.txt")
expect_eq "trezor-pkcs11(8): the header" "TREZOR-PKCS11(8) System Manager's Manual TREZOR-PKCS11(8)" \
	"$(words "$(printf '%s\n' "$text" | head -n 1)")"
expect_eq "trezor-pkcs11(8): NAME" "trezor-pkcs11 - PKCS#11 module that signs with a Trezor" \
	"$(section "$text" NAME)"
expect_eq "trezor-pkcs11(8): the sections, in order" \
	"NAME SYNOPSIS DESCRIPTION USING IT CONFIRMATION, PIN AND PASSPHRASE ENVIRONMENT FILES DIAGNOSTICS SECURITY EXAMPLES SEE ALSO" \
	"$(printf '%s\n' "$text" | grep -E '^[A-Z][A-Z ,]+$' | paste -s -d ' ')"

# Every variable module/ reads with getenv() has its entry in ENVIRONMENT: a
# line that starts with it.
environment=$(printf '%s\n' "$text" | sed -n '/^ENVIRONMENT$/,/^FILES$/p')
variables=$(grep -h -o 'getenv("[A-Z_]*")' "$abs_top_srcdir"/module/*.c |
	sed 's/getenv("\(.*\)")/\1/' | sort -u)
for variable in $variables; do
	expect_eq "trezor-pkcs11(8) describes $variable" yes \
		"$(printf '%s\n' "$environment" | grep -q -E "^ +$variable([ ,]|\$)" && echo yes || echo no)"
done
for entry in "webusb:BUS:ADDR" "hid, hid:BUS:ADDR" "udp, udp:HOST, udp:HOST:PORT" \
	"bridge:PATH"; do
	expect_eq "trezor-pkcs11(8): the TREZOR_PATH entry $entry" yes "$(has_line "$environment" "$entry")"
done

text=$(cat "$tmp/trezor-pkcs11.1.txt")
expect_eq "trezor-pkcs11(1): the header" "TREZOR-PKCS11(1) User Commands TREZOR-PKCS11(1)" \
	"$(words "$(printf '%s\n' "$text" | head -n 1)")"
expect_eq "trezor-pkcs11(1): NAME" \
	"trezor-pkcs11 - list, add and check the keys a Trezor signs with for ssh" \
	"$(section "$text" NAME)"
expect_eq "trezor-pkcs11(1): one subsection per command" \
	"list|add [-e type] identity...|pubkey [-e type] [identity...]|doctor [--root dir]|pair [--no-autoconnect]|unpair device-id|--all|help|--version" \
	"$(printf '%s\n' "$text" | sed -n 's/^   \([^ ].*\)$/\1/p' | paste -s -d '|')"
expect_contains "trezor-pkcs11(1): the exit codes" \
	"0 Done; for doctor, all is well. 1 It could not be done" "$(section "$text" "EXIT STATUS")"

text=$(cat "$tmp/trezor-pkcs11-identities.5.txt")
expect_eq "trezor-pkcs11-identities(5): NAME" \
	"trezor-pkcs11-identities - the identities a Trezor signs for through trezor-pkcs11" \
	"$(section "$text" NAME)"
expect_contains "trezor-pkcs11-identities(5): the syntax" \
	"One identity per line: [user@]host[:port][/path]" "$(section "$text" FORMAT)"
finish
