# Shared by the device tests (sourced, not run): the consumer tests of
# tests/integration, run against the device TREZOR_PATH names instead of
# the simulator. `./quickstart check-device` (make check-device) runs them.
#
#   TREZOR_PATH               the device: webusb, hid:..., udp:127.0.0.1:21324
#                             (the Trezor emulator), bridge:...  (required)
#   TREZOR_DEBUGLINK          udp:HOST:PORT of an emulator's debug link: the
#                             PIN matrix is read there, so PIN tests need
#                             nobody (with TREZOR_DEVICE_PIN)
#   TREZOR_DEVICE_PIN         the device's PIN, for the PIN tests
#   TREZOR_DEVICE_PASSPHRASE  a passphrase for the passphrase tests
#   TREZOR_DEVICE_RESTART     a command that power-cycles the device: the
#                             restart tests run only with it
#   TREZOR_DEVICE_SEED=all    the device holds "all all ... all" (12 words): its
#                             keys must be the vectors of HACKING 5.6
#
# A person presses the device's button when a line on the terminal says so
# (an emulator built to confirm by itself needs nobody). What a test leaves
# out says "skip: WHY" in its log; the run's summary collects those lines.
device_path=${TREZOR_PATH:-}
. "$abs_top_srcdir/tests/integration/lib.sh"
if [ -z "$device_path" ]; then
	echo "skip: TREZOR_PATH does not name a device"
	exit 77
fi
export TREZOR_PATH=$device_path
DEBUGLINK_TOOL="$abs_top_builddir/tests/device/trezor-debuglink"
# A person gets the time a person needs; so does every wait in these tests.
export TREZOR_PKCS11_CONFIRM_TIMEOUT=${TREZOR_PKCS11_CONFIRM_TIMEOUT:-120}

# skip WHY: a part of this test that does not apply to the device.
skip() {
	printf 'skip: %s\n' "$*"
}

# tell_person TEXT: on the terminal, when there is one (make check keeps
# the tests' own output in their logs).
tell_person() {
	printf '==> %s\n' "$*"
	{ printf '\n==> %s\n' "$*" > /dev/tty; } 2> /dev/null || true
}

# The device's line from `trezor-pkcs11 list` ("Trezor One "label" at
# PATH: firmware 1.14.2, no PIN").
device_line() {
	"$CLI" list 2> /dev/null | grep -F " at $TREZOR_PATH: " | head -n 1
}

device_has_pin() {
	case "$(device_line)" in
	*", no PIN"*) return 1 ;;
	*) return 0 ;;
	esac
}

device_has_passphrase() {
	case "$(device_line)" in
	*"passphrase protection on"*) return 0 ;;
	*) return 1 ;;
	esac
}

# restart_device: power-cycle it (TREZOR_DEVICE_RESTART) and wait until
# the module finds it again.
restart_device() {
	local tries=0
	# The device (an emulator) may outlive the test: it must not keep the
	# test harness's pipes open, so it gets none of them.
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] && eval "exec $fd>&-"
		done
		exec sh -c "$TREZOR_DEVICE_RESTART"
	) > "$tmp/restart.log" 2>&1 < /dev/null ||
		{ echo "TREZOR_DEVICE_RESTART failed:"; cat "$tmp/restart.log"; return 1; }
	until [ -n "$(device_line)" ]; do
		tries=$((tries + 1))
		[ "$tries" -lt 100 ] || { echo "the device did not come back"; return 1; }
		sleep 0.1
	done
}

# device_requests NAME FILE: how many NAME requests the module's debug log
# (TREZOR_PKCS11_DEBUG=1) in FILE shows it sending.
device_requests() {
	grep -c -E -- "-> $1( |\$)" "$2" || true
}

# The identities used: the same as the simulator's tests.
write_identities 'alice@example.com' 'bob@example.org:2222'

# PIN and passphrase: from the debug link and the environment when given,
# else from whoever is at the terminal (pinentry).
if [ -n "${TREZOR_DEBUGLINK:-}" ] && [ -n "${TREZOR_DEVICE_PIN:-}" ]; then
	use_fake_pinentry
	export FAKE_PINENTRY_PIN=$TREZOR_DEVICE_PIN
	export FAKE_PINENTRY_MATRIX_COMMAND="$DEBUGLINK_TOOL $TREZOR_DEBUGLINK matrix"
fi
# A passphrase-protected device: the standard wallet (the empty passphrase);
# passphrase.sh tries TREZOR_DEVICE_PASSPHRASE's.
if device_has_passphrase; then
	export TREZOR_PASSPHRASE=
fi
