#!/bin/bash
# make install into a staging directory: exactly the files a package needs,
# which work from there; trezor-pkcs11 doctor --root finds all is well, then
# explains each thing broken in turn; make uninstall leaves nothing behind.
. "$abs_top_srcdir/tests/integration/lib.sh"

stage="$tmp/stage"
# A make of our own, not a part of the make check that runs this test.
unset MAKEFLAGS MFLAGS MAKELEVEL
# The build's installation directories, expanded by make itself.
printf 'show-directories:\n\t@echo $(bindir) $(libdir) $(p11kitconfigdir) $(udevrulesdir) $(mandir)\n' \
	> "$tmp/show.mk"
read -r bindir libdir p11kitconfigdir udevrulesdir mandir < <(
	make -s --no-print-directory -C "$abs_top_builddir" -f Makefile -f "$tmp/show.mk" \
		show-directories)

make -s -C "$abs_top_builddir" install DESTDIR="$stage" > "$tmp/install.log" 2>&1
expect_eq "make install DESTDIR=... succeeds" 0 $?
expect_eq "these files and no others" "$(printf '%s\n' \
	"$bindir/trezor-pkcs11" \
	"$libdir/trezor-pkcs11.so" \
	"$p11kitconfigdir/trezor-pkcs11.module" \
	"$udevrulesdir/51-trezor-pkcs11.rules" \
	"$mandir/man1/trezor-pkcs11.1" \
	"$mandir/man5/trezor-pkcs11-identities.5" \
	"$mandir/man8/trezor-pkcs11.8" | sort)" \
	"$(cd "$stage" && find . -type f -o -type l | sed 's/^\.//' | sort)"
expect_eq "the p11-kit file names the installed module" "module: $libdir/trezor-pkcs11.so" \
	"$(grep '^module:' "$stage$p11kitconfigdir/trezor-pkcs11.module")"

# The installed files work from there.
start_sim
write_identities 'alice@example.com' 'bob@example.org:2222'
expect_eq "the installed module lists the keys" "$ALICE_KEY alice@example.com
$BOB_KEY bob@example.org:2222" "$(ssh-keygen -D "$stage$libdir/trezor-pkcs11.so" 2>&1)"
expect_eq "the installed command runs" "$ALICE_KEY alice@example.com" \
	"$("$stage$bindir/trezor-pkcs11" pubkey alice@example.com 2>&1)"

# ---- doctor ------------------------------------------------------------------------
export TREZOR_PKCS11_PINENTRY="$abs_top_srcdir/tests/integration/fake-pinentry"
cache="$HOME/.cache/trezor-pkcs11"

# doctor_says: the report, then the exit code.
doctor_says() {
	"$CLI" doctor --root "$stage" 2>&1
	echo "exit $?"
}

# What each check says when all is well. make distcheck installs under a
# scratch prefix, where neither ssh-agent nor udev looks: there doctor says so.
declare -A healthy
case "$libdir/trezor-pkcs11.so" in
/usr/lib*/* | /usr/local/lib*/*)
	healthy[module]="ok       the module is $stage$libdir/trezor-pkcs11.so, which ssh-agent loads without -P" ;;
*)
	healthy[module]="PROBLEM  the module is $libdir/trezor-pkcs11.so, which ssh-agent refuses to load unless told (it takes /usr/lib*/* and /usr/local/lib*/*)
         install with --prefix=/usr (or /usr/local), or start ssh-agent with -P $libdir/trezor-pkcs11.so" ;;
esac
healthy[p11kit]="ok       p11-kit loads the module ($stage$p11kitconfigdir/trezor-pkcs11.module)"
case "$udevrulesdir" in
/etc/udev/rules.d | /run/udev/rules.d | /usr/lib/udev/rules.d | /lib/udev/rules.d)
	healthy[udev]="ok       udev rules let you use a Trezor on USB ($stage$udevrulesdir/51-trezor-pkcs11.rules)" ;;
*)
	healthy[udev]="PROBLEM  udev never reads $stage$udevrulesdir/51-trezor-pkcs11.rules
         move it to /etc/udev/rules.d (or reinstall with --with-udev-rules-dir=/etc/udev/rules.d), then replug" ;;
esac
healthy[devices]="ok       a Trezor \"Simulated Trezor\" at $TREZOR_PATH, firmware 1.14.2, no PIN"
healthy[identities]="ok       2 identities in $tmp/identities"
healthy[pinentry]="ok       pinentry is $TREZOR_PKCS11_PINENTRY"
healthy[cache]="ok       the key cache is $cache"
healthy[agent]="ok       no ssh-agent in this session (SSH_AUTH_SOCK is not set)"
healthy[errors]="ok       no errors logged by programs without a terminal"

# report [CHECK LINES]...: the whole report, each CHECK saying its LINES.
report() {
	local check lines= count
	declare -A says
	while [ $# -ge 2 ]; do says[$1]=$2; shift 2; done
	for check in module p11kit udev devices identities pinentry cache agent errors; do
		lines+="${says[$check]-${healthy[$check]}}"$'\n'
	done
	count=$(printf '%s' "$lines" | grep -c '^PROBLEM')
	if [ "$count" = 0 ]; then
		printf '%sall is well\nexit 0' "$lines"
	else
		printf '%s%s problem%s found\nexit 1' "$lines" "$count" "$([ "$count" = 1 ] || echo s)"
	fi
}

# expect_problem NAME CHECK "LINES" [CHECK "LINES"]...: doctor says LINES for
# each CHECK named, the rest as healthy.
expect_problem() {
	local name=$1
	shift
	expect_eq "doctor: $name" "$(report "$@")" "$(doctor_says)"
}

expect_eq "doctor: all is well (but for a scratch prefix)" "$(report)" "$(doctor_says)"

mv "$stage$libdir/trezor-pkcs11.so" "$tmp/module.so"
expect_problem "the module missing" module "PROBLEM  the module is not installed: no $stage$libdir/trezor-pkcs11.so
         install it: make install (as root), or the distribution's package"
mkdir -p "$stage/opt/trezor"
mv "$tmp/module.so" "$stage/opt/trezor/trezor-pkcs11.so"
ln -s "$(realpath --relative-to="$stage$libdir" "$stage/opt/trezor/trezor-pkcs11.so")" \
	"$stage$libdir/trezor-pkcs11.so"
expect_problem "the module outside ssh-agent's allowlist" module "PROBLEM  the module is /opt/trezor/trezor-pkcs11.so, which ssh-agent refuses to load unless told (it takes /usr/lib*/* and /usr/local/lib*/*)
         install with --prefix=/usr (or /usr/local), or start ssh-agent with -P $libdir/trezor-pkcs11.so"
rm "$stage$libdir/trezor-pkcs11.so"
mv "$stage/opt/trezor/trezor-pkcs11.so" "$stage$libdir/trezor-pkcs11.so"

p11kit_file="$stage$p11kitconfigdir/trezor-pkcs11.module"
cp "$p11kit_file" "$tmp/p11kit.module"
sed -i 's|^module:.*|module: /elsewhere/other.so|' "$p11kit_file"
expect_problem "p11-kit naming another module" p11kit "PROBLEM  $p11kit_file does not name $libdir/trezor-pkcs11.so
         reinstall, or write \"module: $libdir/trezor-pkcs11.so\" in it"
rm "$p11kit_file"
expect_problem "p11-kit not knowing the module" p11kit "PROBLEM  p11-kit does not know the module: no $p11kit_file
         make install puts it there; p11-kit-proxy users (and ssh with p11-kit-proxy.so) need it"
mv "$tmp/p11kit.module" "$p11kit_file"

rules="$stage$udevrulesdir/51-trezor-pkcs11.rules"
mv "$rules" "$tmp/rules"
expect_problem "no udev rules" udev "PROBLEM  no udev rules for Trezors ($rules): without them only root can use one on USB
         make install puts them there; then unplug the Trezor and plug it in again"
mv "$tmp/rules" "$rules"

TREZOR_PATH=udp:127.0.0.1:9 expect_problem "nothing at TREZOR_PATH" devices \
	"PROBLEM  nothing answers at udp:127.0.0.1:9
         start the device or emulator there, or correct TREZOR_PATH"
TREZOR_PATH=webusb expect_problem "no Trezor on USB" devices \
	"PROBLEM  no Trezor at webusb: none is attached
         plug the Trezor in (on USB a normal user needs the udev rules), or correct TREZOR_PATH"
restart_sim --bootloader
expect_problem "a Trezor in bootloader mode" devices "PROBLEM  $TREZOR_PATH: the Trezor is in bootloader mode: unplug it and plug it in again without touching it
         unplug the Trezor and plug it in again without touching its screen"
restart_sim --uninitialized
expect_problem "a Trezor without a seed" devices "PROBLEM  $TREZOR_PATH: the Trezor has no seed yet: set it up in Trezor Suite first
         set the Trezor up first with Trezor Suite (trezor.io/start)"
restart_sim --model "Safe 7"
expect_problem "a Safe 7 not paired" devices "PROBLEM  $TREZOR_PATH: this computer is not paired with the Trezor: trezor-pkcs11 pair pairs it
         run trezor-pkcs11 pair: confirm on the Trezor, then type the code it shows"
restart_sim
simulator_path=$TREZOR_PATH
use_fake_usb "1 7 webusb $SIM_PORT open=access"
expect_problem "a USB Trezor without permission" devices "PROBLEM  no permission to use the Trezor at webusb:1:7: install the udev rules (README, section Install), then plug it in again
         install the udev rules (above), then unplug the Trezor and plug it in again"
unset LD_PRELOAD FAKE_LIBUSB_DEVICES
export TREZOR_PATH=$simulator_path

write_identities 'alice@example.com' 'not an identity' '@nobody'
expect_problem "bad lines in the identities file" identities "PROBLEM  $tmp/identities:2: \"an\" is not a key type (ed25519 or nist256p1; comments start with #)
         fix the line or remove it: the module skips it
PROBLEM  $tmp/identities:3: user name is missing before '@'
         fix the line or remove it: the module skips it
ok       1 identity in $tmp/identities"
write_identities '# nothing yet'
expect_problem "no identities" identities "PROBLEM  no identities in $tmp/identities, so no keys
         add one: trezor-pkcs11 add you@example.com"
unset TREZOR_PKCS11_IDENTITIES
expect_problem "no identities file" identities "PROBLEM  no identities file, so no keys ($HOME/.config/trezor-pkcs11/identities)
         add one: trezor-pkcs11 add you@example.com"
write_identities 'alice@example.com' 'bob@example.org:2222'

TREZOR_PKCS11_PINENTRY=/nonexistent/pinentry expect_problem "no pinentry" pinentry \
	"PROBLEM  no pinentry: a Trezor One's PIN and a passphrase are asked with it
         install pinentry-curses (terminals) or pinentry-gnome3 (desktops)"

# A Model T without passphrase protection takes its PIN on its own screen.
restart_sim --model T
TREZOR_PKCS11_PINENTRY=/nonexistent/pinentry expect_problem "no pinentry, none needed" \
	devices "ok       a Trezor \"Simulated Trezor\" at $TREZOR_PATH, firmware 2.12.5, no PIN" \
	pinentry "ok       no pinentry, and the Trezors found need none: they take PIN and passphrase on their own screen"
restart_sim

ssh-keygen -D "$MODULE" > /dev/null 2>&1      # the cache is made
chmod 755 "$cache"
expect_problem "a cache directory others can read" cache "PROBLEM  $cache is not your own private directory
         remove it; the module makes it anew (mode 0700)"
chmod 700 "$cache"
keys_file=$(ls "$cache"/*.keys)
chmod 666 "$keys_file"
expect_problem "a cache file others can write" cache "PROBLEM  $keys_file is not your own private file: the module ignores it
         remove it; the module writes it anew"
chmod 600 "$keys_file"
expect_eq "doctor: as well as at first again" "$(report)" "$(doctor_says)"

# ---- uninstall ---------------------------------------------------------------------
make -s -C "$abs_top_builddir" uninstall DESTDIR="$stage" > "$tmp/uninstall.log" 2>&1
expect_eq "make uninstall succeeds" 0 $?
expect_eq "and leaves no file behind" "" "$(find "$stage" -type f -o -type l)"
finish
