#!/bin/bash
# A real installation, as root: configure --prefix=/usr, make install; then
# a stock ssh-agent (no -P) takes the module with ssh-add -s and logs in
# through the simulator, p11-kit lists the module, the installed command's
# doctor finds all is well; make uninstall then leaves no file behind.
# Run by `make check-system` (./quickstart check does, as root), never in
# parallel with other tests: while installed, p11-kit hands the module to
# every program that asks.
. "$abs_top_srcdir/tests/integration/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: installing into /usr needs root"
	exit 77
fi
if [ -e /usr/lib/trezor-pkcs11.so ] || [ -e /usr/bin/trezor-pkcs11 ]; then
	echo "SKIP: trezor-pkcs11 is installed on this system already; not touching it"
	exit 77
fi
unset MAKEFLAGS MFLAGS MAKELEVEL

# Every file and symbolic link under /usr and /etc.
system_files() {
	find /usr /etc -xdev \( -type f -o -type l \) 2> /dev/null | sort
}

system_files > "$tmp/before"
mkdir "$tmp/build"
(cd "$tmp/build" && "$abs_top_srcdir/configure" -q --prefix=/usr --sysconfdir=/etc &&
	make -s -j2 > /dev/null) > "$tmp/build.log" 2>&1
expect_eq "configure --prefix=/usr and make" 0 $?
cleanup_commands+=("make -s -C '$tmp/build' uninstall > /dev/null 2>&1")
make -s -C "$tmp/build" install > "$tmp/install.log" 2>&1
expect_eq "make install" 0 $?
expect_eq "what it installed" "$(printf '%s\n' /usr/bin/trezor-pkcs11 \
	/usr/lib/trezor-pkcs11.so \
	/usr/lib/udev/rules.d/51-trezor-pkcs11.rules \
	"$(pkg-config --variable=p11_module_configs p11-kit-1)/trezor-pkcs11.module" \
	/usr/share/man/man1/trezor-pkcs11.1 \
	/usr/share/man/man5/trezor-pkcs11-identities.5 \
	/usr/share/man/man8/trezor-pkcs11.8 | sort)" \
	"$(system_files | comm -13 "$tmp/before" -)"

expect_eq "man finds the installed pages" "/usr/share/man/man1/trezor-pkcs11.1
/usr/share/man/man8/trezor-pkcs11.8
/usr/share/man/man5/trezor-pkcs11-identities.5" \
	"$(man -w -a trezor-pkcs11 2>&1; man -w trezor-pkcs11-identities 2>&1)"

start_sim
write_identities 'alice@example.com'
setup_sshd "$ALICE_KEY alice@example.com"

# The stock agent, with its default allowlist.
AGENT=ssh-agent start_agent
add_card /usr/lib/trezor-pkcs11.so
expect_eq "ssh-add -s /usr/lib/trezor-pkcs11.so into a stock ssh-agent" 0 $?
expect_eq "the agent holds the key" "$ALICE_KEY alice@example.com" "$(agent_keys)"
expect_eq "and logs in with it" "logged in" \
	"$(ssh -F "$tmp/ssh_config" simhost-agent echo logged in 2>&1 | tr -d '\r')"
stop_agent

expect_eq "p11-kit knows the module" "module trezor-pkcs11
  path: /usr/lib/trezor-pkcs11.so" \
	"$(p11-kit list-modules 2>/dev/null | p11kit_module trezor-pkcs11 | head -n 2)"
expect_eq "ssh -I through p11-kit-proxy" "logged in" \
	"$(ssh -F "$tmp/ssh_config" -I "$(find /usr/lib -name p11-kit-proxy.so | head -n 1)" \
		simhost echo logged in 2>&1 | tr -d '\r')"

TREZOR_PKCS11_PINENTRY="$abs_top_srcdir/tests/integration/fake-pinentry" \
	trezor-pkcs11 doctor > "$tmp/doctor" 2>&1
expect_eq "the installed doctor finds all is well" "0 all is well" \
	"$? $(tail -n 1 "$tmp/doctor")"
expect_eq "the module is where ssh-agent takes it" \
	"ok       the module is /usr/lib/trezor-pkcs11.so, which ssh-agent loads without -P" \
	"$(head -n 1 "$tmp/doctor")"

make -s -C "$tmp/build" uninstall > "$tmp/uninstall.log" 2>&1
expect_eq "make uninstall" 0 $?
expect_eq "leaves no file behind" "" "$(system_files | diff "$tmp/before" - | grep '^[<>]')"
finish
