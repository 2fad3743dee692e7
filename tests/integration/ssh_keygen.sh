#!/bin/bash
# ssh-keygen -D lists exactly the configured identities, with the keys the
# device derives (HACKING 5.6) and the identity as the comment;
# bad lines are reported as FILE:LINE and skipped; a duplicate appears once.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim
write_identities \
	'# my keys' \
	'' \
	'alice@example.com' \
	'  ssh://bob@example.org:2222   # the ssh:// prefix names the same key' \
	'not an identity' \
	'https://alice@example.com' \
	'alice@example.com' \
	'@nobody'

stdout=$(ssh-keygen -D "$MODULE" 2> "$tmp/stderr")
expect_eq "ssh-keygen -D exits 0" 0 $?
expect_eq "ssh-keygen -D prints alice and bob" \
	"$ALICE_KEY alice@example.com
$BOB_KEY bob@example.org:2222" "$stdout"
expect_eq "bad lines are reported with file and line" \
	"trezor-pkcs11: $tmp/identities:5: \"an\" is not a key type (ed25519 or nist256p1; comments start with #)
trezor-pkcs11: $tmp/identities:6: \"https://\" is not accepted: write the identity alone (or with ssh://)
trezor-pkcs11: $tmp/identities:8: user name is missing before '@'" "$(cat "$tmp/stderr")"
expect_eq "Features read once, one session started" "1 1" "$(sim_count "<- GetFeatures") $(sim_count "<- Initialize")"
expect_eq "one GetPublicKey per identity" 2 "$(sim_count '<- GetPublicKey')"
expect_eq "listing never signs" 0 "$(sim_count '<- SignIdentity')"

# Reordering the file reorders the listing; the keys stay the same.
write_identities 'bob@example.org:2222' 'alice@example.com'
expect_eq "the listing follows the file" \
	"$BOB_KEY bob@example.org:2222
$ALICE_KEY alice@example.com" "$(ssh-keygen -D "$MODULE" 2>&1)"

# A label over 255 bytes would stop ssh listing the token: it is cut.
long_path=$(printf 'p%.0s' $(seq 254))
write_identities "u@h/$long_path" 'alice@example.com'
stdout=$(ssh-keygen -D "$MODULE" 2>&1)
expect_eq "a long identity is listed with a 255-byte comment" 255 \
	"$(printf '%s\n' "$stdout" | head -n 1 | cut -d' ' -f3- | tr -d '\n' | wc -c)"
expect_eq "the other identities are still listed" "$ALICE_KEY alice@example.com" \
	"$(printf '%s\n' "$stdout" | tail -n 1)"

# No identities file: no keys; on a terminal one line says where they go.
unset TREZOR_PKCS11_IDENTITIES
no_file_line="trezor-pkcs11: no identities file: put one identity per line (like you@example.com) in $HOME/.config/trezor-pkcs11/identities"
if ssh_uses_pkcs11_helper; then
	# OpenSSH 10.1's ssh-pkcs11-helper keeps the module's stderr to itself.
	expect_eq "no file, no keys" failed "$(listing ssh-keygen -D "$MODULE")"
else
	expect_eq "no file, no keys, and a line says where identities go" "$no_file_line
failed" "$(listing ssh-keygen -D "$MODULE")"
fi
expect_eq "on a terminal, where identities go" \
	"trezor-pkcs11: no identities file: put one identity per line (like you@example.com) in $HOME/.config/trezor-pkcs11/identities
failed" "$(listing script -qec "ssh-keygen -D '$MODULE'" /dev/null < /dev/null)"

# The user's file is found through XDG_CONFIG_HOME.
mkdir -p "$tmp/xdg/trezor-pkcs11"
printf 'alice@example.com\n' > "$tmp/xdg/trezor-pkcs11/identities"
expect_eq "\$XDG_CONFIG_HOME/trezor-pkcs11/identities is read" \
	"$ALICE_KEY alice@example.com" "$(XDG_CONFIG_HOME="$tmp/xdg" ssh-keygen -D "$MODULE" 2>&1)"

# A missing file named by TREZOR_PKCS11_IDENTITIES is an error anywhere.
expect_eq "a missing TREZOR_PKCS11_IDENTITIES file is reported" \
	"trezor-pkcs11: $tmp/nowhere: cannot read: No such file or directory
failed" "$(TREZOR_PKCS11_IDENTITIES="$tmp/nowhere" listing ssh-keygen -D "$MODULE")"
finish
