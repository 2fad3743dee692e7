#!/bin/bash
# A program loads only the libraries the module uses in it (lazy_library.h):
# signing with the device TREZOR_PATH names loads neither libusb (nor the
# libudev it brings), nor libassuan (nor libgpg-error), nor, with no
# desktop, libsystemd. Looking for USB Trezors loads libusb; asking for a
# PIN loads libassuan. A libusb already in the program (here the tests'
# fake, preloaded) is used as it is, and the real one is not loaded beside it.
. "$abs_top_srcdir/tests/integration/lib.sh"

unset DBUS_SESSION_BUS_ADDRESS
export XDG_RUNTIME_DIR="$tmp/runtime"   # holds no bus socket
write_identities 'alice@example.com'
printf '%032d' 0 > "$tmp/digest"

# loaded COMMAND...: the file names of the libraries COMMAND's process
# loaded, one per line, sorted (ld.so's own account, LD_DEBUG=libs).
loaded() {
	rm -f "$tmp"/ld.*
	LD_DEBUG=libs LD_DEBUG_OUTPUT="$tmp/ld" "$@" > "$tmp/stdout" 2> "$tmp/stderr" < /dev/null
	sed -n 's|.*calling init: .*/||p' "$tmp"/ld.* | sort -u
}

sign() {
	rm -f "$tmp/digest.sig"
	pkcs11-tool --module "$MODULE" --sign -m ECDSA --id "$ALICE_ID" -i "$tmp/digest" \
		-o "$tmp/digest.sig" --signature-format openssl
}

# "good" when openssl finds the last signature right for alice's key.
printf '%s\n' "$ALICE_KEY" > "$tmp/alice.pub"
ssh-keygen -e -m PKCS8 -f "$tmp/alice.pub" > "$tmp/alice.pem"
signature() {
	if openssl pkeyutl -verify -pubin -inkey "$tmp/alice.pem" -in "$tmp/digest" \
		-sigfile "$tmp/digest.sig" > /dev/null 2>&1; then
		echo good
	else
		echo bad
	fi
}

# The libraries the module may load, by what they are for.
USB_LIBRARIES='libusb-1.0.so|libudev.so'
PINENTRY_LIBRARIES='libassuan.so|libgpg-error.so'

start_sim
libraries=$(loaded sign)
expect_eq "a signature over UDP" good "$(signature)"
expect_eq "the module and its two libraries were loaded" \
	"libcrypto.so.3 libprotobuf-c.so.1 trezor-pkcs11.so" \
	"$(grep -E '^(trezor-pkcs11|libprotobuf-c|libcrypto)' <<< "$libraries" | tr '\n' ' ' |
		sed 's/ $//')"
expect_eq "no libusb nor libudev for it" "" "$(grep -E "^($USB_LIBRARIES)" <<< "$libraries")"
expect_eq "no libassuan nor libgpg-error for it" "" \
	"$(grep -E "^($PINENTRY_LIBRARIES)" <<< "$libraries")"
expect_eq "no libsystemd for it" "" "$(grep '^libsystemd' <<< "$libraries")"

# Looking for Trezors everywhere (no TREZOR_PATH): USB among the places.
libraries=$(TREZOR_PATH= loaded pkcs11-tool --module "$MODULE" --list-slots)
expect_contains "looking for USB Trezors loads libusb" "libusb-1.0.so" "$libraries"
expect_absent "and not libassuan" "libassuan" "$libraries"

# A preloaded libusb (the fake, whose device is the simulator) is the one used.
use_fake_usb "1 5 webusb $SIM_PORT"
libraries=$(loaded sign)
expect_eq "a signature through the preloaded libusb" good "$(signature)"
expect_contains "that libusb was the fake" "fakeusb.so" "$libraries"
expect_absent "and the real one was not loaded beside it" "libusb-1.0.so" "$libraries"
unset LD_PRELOAD

# A PIN to ask for: pinentry, through libassuan.
export TREZOR_PATH="udp:127.0.0.1:$SIM_PORT"
restart_sim --pin 1234 --matrix-seed 5
use_fake_pinentry
export FAKE_PINENTRY_PIN=1234
libraries=$(loaded sign)
expect_eq "a signature with the PIN asked once through pinentry" "good 1" \
	"$(signature) $(pinentry_count)"
expect_contains "asking loads libassuan" "libassuan.so" "$libraries"
expect_absent "and still no libusb" "libusb-1.0.so" "$libraries"
finish
