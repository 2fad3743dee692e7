#!/bin/bash
# The manual pages (man/) render with man(1) without a single warning, fit
# an 80-column terminal, start as a reader expects, and trezor-pkcs11(8)
# describes every environment variable the module reads.
. "$abs_top_srcdir/tests/integration/lib.sh"

man_dir="$abs_top_srcdir/man"

# render PAGE: the page as man shows it at 80 columns; its stderr in $tmp/PAGE.err.
render() {
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$man_dir/$1" 2> "$tmp/$1.err"
}

# line_after PAGE_TEXT HEADING: the first line of a section.
line_after() {
	printf '%s\n' "$1" | sed -n "/^$2\$/{n;p;q}"
}

for page in trezor-pkcs11.1 trezor-pkcs11-identities.5 trezor-pkcs11.8; do
	text=$(render "$page")
	expect_eq "$page: man renders it" 0 "$?"
	expect_eq "$page: man and groff say nothing on stderr" "" "$(cat "$tmp/$page.err")"
	expect_eq "$page: no line is wider than 80 columns" "" \
		"$(printf '%s\n' "$text" | awk 'length > 80')"
	printf '%s\n' "$text" > "$tmp/$page.txt"
done

text=$(cat "$tmp/trezor-pkcs11.8.txt")
expect_eq "trezor-pkcs11(8): the header" \
	"TREZOR-PKCS11(8)            System Manager's Manual           TREZOR-PKCS11(8)" \
	"$(printf '%s\n' "$text" | head -n 1)"
expect_eq "trezor-pkcs11(8): the NAME line" \
	"       trezor-pkcs11 - PKCS#11 module that signs with a Trezor" \
	"$(line_after "$text" NAME)"
expect_eq "trezor-pkcs11(8): the sections, in order" \
	"NAME SYNOPSIS DESCRIPTION USING IT CONFIRMATION, PIN AND PASSPHRASE ENVIRONMENT FILES DIAGNOSTICS EXAMPLES SEE ALSO" \
	"$(printf '%s\n' "$text" | grep -E '^[A-Z][A-Z ,]+$' | paste -s -d ' ')"

# Every variable module/ reads with getenv() has its entry in ENVIRONMENT.
environment=$(printf '%s\n' "$text" | sed -n '/^ENVIRONMENT$/,/^FILES$/p')
variables=$(grep -h -o 'getenv("[A-Z_]*")' "$abs_top_srcdir"/module/*.c |
	sed 's/getenv("\(.*\)")/\1/' | sort -u)
for variable in $variables; do
	expect_contains "trezor-pkcs11(8) describes $variable" "
       $variable" "$environment"
done
for entry in "webusb:BUS:ADDR" "hid, hid:BUS:ADDR" "udp, udp:HOST, udp:HOST:PORT" \
	"bridge:PATH"; do
	expect_contains "trezor-pkcs11(8): the TREZOR_PATH entry $entry" "
              $entry
" "$environment"
done

text=$(cat "$tmp/trezor-pkcs11.1.txt")
expect_eq "trezor-pkcs11(1): the header" \
	"TREZOR-PKCS11(1)                 User Commands                TREZOR-PKCS11(1)" \
	"$(printf '%s\n' "$text" | head -n 1)"
expect_eq "trezor-pkcs11(1): the NAME line" \
	"       trezor-pkcs11 - list, add and check the keys a Trezor signs with for" \
	"$(line_after "$text" NAME)"
expect_eq "trezor-pkcs11(1): one subsection per command" \
	"list|add identity...|pubkey [identity...]|doctor [--root dir]|help|--version" \
	"$(printf '%s\n' "$text" | sed -n 's/^   \([^ ].*\)$/\1/p' | paste -s -d '|')"
expect_contains "trezor-pkcs11(1): the exit codes" "EXIT STATUS
       0      Done; for doctor, all is well.

       1      It could not be done" "$text"

text=$(cat "$tmp/trezor-pkcs11-identities.5.txt")
expect_eq "trezor-pkcs11-identities(5): the NAME line" \
	"       trezor-pkcs11-identities - the identities a Trezor signs for through" \
	"$(line_after "$text" NAME)"
expect_contains "trezor-pkcs11-identities(5): the syntax" "FORMAT
       One identity per line:

              [user@]host[:port][/path]" "$text"
finish
