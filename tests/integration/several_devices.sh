#!/bin/bash
# Two Trezors are two tokens, each listing the identities with its own keys:
# on USB (a fake libusb whose devices are simulators) and through a
# TREZOR_PATH list.
. "$abs_top_srcdir/tests/integration/lib.sh"

start_sim
start_second_sim
write_identities 'alice@example.com'
# alice@example.com on the second device (another seed): an independent derivation.
SECOND_ALICE="ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBNTYnRw0B0hnl+QnD0edKNHa6LUMF074CPC1V9PLwBbsj1CBJj78GKSo/LT/leGey1TItQfnNhCchokbZqg8/hY="

# slots: each slot's id and description, its token's label and serial
# (pkcs11-tool -L, as facts).
slots() {
	pkcs11-tool --module "$MODULE" -L 2> /dev/null | pkcs11_tool_slots |
		grep -E '^slot |^  (token label|serial num): '
}

export TREZOR_PATH="udp:127.0.0.1:$SIM_PORT,udp:127.0.0.1:$SECOND_PORT"
expect_eq "a TREZOR_PATH list of two: two tokens" "slot 0x711f1fb: Trezor One at udp:127.0.0.1:$SIM_PORT
  token label: Simulated Trezor
  serial num: 58ACF278961FCEF6
slot 0x5e7c1bc5: Trezor One at udp:127.0.0.1:$SECOND_PORT
  token label: Second
  serial num: BBBBBBBBBBBBBBBB" "$(slots)"
expect_eq "ssh-keygen -D lists each device's key" "$ALICE_KEY alice@example.com
$SECOND_ALICE alice@example.com" "$(ssh-keygen -D "$MODULE" 2>&1)"

use_fake_usb "1 5 webusb $SIM_PORT" "1 6 hid $SECOND_PORT" "1 7 other 9"
expect_eq "two USB Trezors: two tokens (and no emulator)" "slot 0x711f1fb: Trezor One at webusb:1:5
  token label: Simulated Trezor
  serial num: 58ACF278961FCEF6
slot 0x5e7c1bc5: Trezor One at hid:1:6
  token label: Second
  serial num: BBBBBBBBBBBBBBBB" "$(slots)"
expect_eq "ssh-keygen -D over USB" "$ALICE_KEY alice@example.com
$SECOND_ALICE alice@example.com" "$(ssh-keygen -D "$MODULE" 2>&1)"

use_fake_usb "1 5 webusb $SIM_PORT"
expect_eq "TREZOR_PATH=webusb takes the first WebUSB device" "slot 0x711f1fb: Trezor One at webusb:1:5
  token label: Simulated Trezor
  serial num: 58ACF278961FCEF6" "$(TREZOR_PATH=webusb slots)"
finish
