#!/bin/bash
# A Trezor as an SSH certificate authority: ssh-keygen -s signs a user
# certificate with a Trezor key (-D the module), and sshd with that key as
# TrustedUserCAKeys lets the certificate's key in. A P-256 CA works with
# every OpenSSH here; an Ed25519 CA with 10.1 and later.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim
write_identities 'ca@example.com' 'ca@example.com ed25519'
ssh-keygen -q -t ed25519 -N '' -C user -f "$tmp/user"
setup_sshd "$(cat "$tmp/user.pub")"
printf 'TrustedUserCAKeys %s\nAuthorizedKeysFile none\n' "$tmp/ca.pub" >> "$tmp/sshd_config"
sed -i "s|^  IdentityFile .*|  IdentityFile $tmp/user\n  CertificateFile $tmp/user-cert.pub|" "$tmp/ssh_config"

# certify CA_PUBLIC_KEY_LINE: ssh-keygen -s with the Trezor key, then a login.
certify() {
	printf '%s\n' "$1" > "$tmp/ca.pub"
	rm -f "$tmp/user-cert.pub"
	ssh-keygen -q -s "$tmp/ca.pub" -D "$MODULE" -I alice -n "$(id -un)" -V -5m:+1h \
		"$tmp/user.pub" > "$tmp/certify.out" 2>&1
}

signatures=$(sim_count '<- SignIdentity')
certify "$("$CLI" pubkey ca@example.com 2>/dev/null)"
expect_eq "ssh-keygen -s signs a user certificate with the Trezor's P-256 key" "0 $((signatures + 1))" \
	"$? $(sim_count '<- SignIdentity')"
expect_contains "the certificate names the Trezor key as its CA" \
	"Signing CA: ECDSA $(ssh-keygen -lf "$tmp/ca.pub" | cut -d' ' -f2)" \
	"$(ssh-keygen -Lf "$tmp/user-cert.pub")"
expect_eq "sshd lets the certificate in" "certified" \
	"$(ssh -F "$tmp/ssh_config" simhost echo certified 2>/dev/null)"
expect_contains "as a certificate" "ED25519-CERT" "$(grep Accepted "$tmp/sshd.log")"

if ssh_takes_ed25519; then
	certify "$(agent_line ca@example.com)"
	expect_eq "and with its Ed25519 key (OpenSSH 10.1 and later)" 0 $?
	expect_contains "that key is the certificate's CA" \
		"Signing CA: ED25519 $(ssh-keygen -lf "$tmp/ca.pub" | cut -d' ' -f2)" \
		"$(ssh-keygen -Lf "$tmp/user-cert.pub")"
	expect_eq "sshd lets that certificate in too" "certified by ed25519" \
		"$(ssh -F "$tmp/ssh_config" simhost echo certified by ed25519 2>/dev/null)"
fi
finish
