#!/bin/bash
# Another local user listening on the emulator's port (21324) or Trezor
# Bridge's (21325) gets nothing: no probe, no request, no PIN or
# passphrase, and no key of theirs is listed. The module says whose port
# it is and how to trust it. The endpoints run in a private network
# namespace, the squatters as the user nobody; this needs root.
if [ -z "${SQUATTER_NETNS:-}" ]; then
	if [ "$(id -u)" -ne 0 ] || ! unshare -n true 2> /dev/null; then
		echo "skip: this test needs root (a private network namespace, a squatter as nobody)"
		exit 77
	fi
	exec unshare -n env SQUATTER_NETNS=1 bash "$0" "$@"
fi
ip link set lo up
. "$abs_top_srcdir/tests/integration/lib.sh"

nobody_uid=$(id -u nobody)
squat="$tmp/squat"
mkdir -p "$squat"
chmod 711 "$tmp"                # nobody may pass through, not look in
chmod 777 "$squat"
cat > "$squat/squatter.py" <<'PY'
# Count what arrives: datagrams on UDP 21324, connections on TCP 21325.
import socket, sys, select
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 21324))
tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.bind(("127.0.0.1", 21325))
tcp.listen(8)
log = open(sys.argv[1], "a", buffering=1)
log.write("listening\n")
while True:
    ready, _, _ = select.select([udp, tcp], [], [])
    if udp in ready:
        data, _ = udp.recvfrom(256)
        log.write("datagram %d\n" % len(data))
    if tcp in ready:
        connection, _ = tcp.accept()
        log.write("connection\n")
        connection.close()
PY
chmod 644 "$squat/squatter.py"
setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 "$squat/squatter.py" \
	"$squat/log" &
background_pids+=("$!")
wait_for "$squat/log" '^listening$' || exit 1

write_identities 'alice@example.com'
unset TREZOR_PATH
export TREZOR_PASSPHRASE="a secret that must not travel"
emulator_line="trezor-pkcs11: the emulator's port 127.0.0.1:21324 (UDP) belongs to uid $nobody_uid (nobody), not to you: nothing is sent there; if it is yours, set TREZOR_PATH=udp:127.0.0.1:21324"
expect_eq "no key from another user's emulator port, and one line says whose it is" \
	"$emulator_line
failed" "$(listing ssh-keygen -D "$MODULE")"
"$CLI" doctor > "$tmp/doctor" 2>&1
expect_contains "doctor says it too" "PROBLEM  ${emulator_line#trezor-pkcs11: }" \
	"$(cat "$tmp/doctor")"

# A USB Trezor held by another program: Bridge would be asked, but its
# port is another user's.
use_fake_usb "1 5 webusb 1 claim=busy"
expect_eq "no Bridge request to another user's port" \
	"failed
trezor-pkcs11: Trezor Bridge's port 127.0.0.1:21325 (TCP) belongs to uid $nobody_uid (nobody), not to you: nothing is sent there; if it is yours, set TREZOR_PKCS11_BRIDGE=127.0.0.1:21325
$emulator_line" "$(listing ssh-keygen -D "$MODULE" | LC_ALL=C sort)"
unset LD_PRELOAD FAKE_LIBUSB_DEVICES
expect_eq "nothing at all reached the squatter" "listening" "$(cat "$squat/log")"

# Named in TREZOR_PATH, the endpoint is the user's choice: it is used.
TREZOR_PATH=udp:127.0.0.1:21324 ssh-keygen -D "$MODULE" > /dev/null 2>&1
expect_contains "a named endpoint is talked to" "datagram 8" "$(cat "$squat/log")"

# The user's own emulator there is found without being named.
kill "${background_pids[-1]}"
wait "${background_pids[-1]}" 2> /dev/null
SIM_RESTART_PORT=21324 start_sim
unset TREZOR_PATH
expect_eq "the user's own emulator port is used" "$ALICE_KEY alice@example.com" \
	"$(TREZOR_PASSPHRASE= ssh-keygen -D "$MODULE" 2>&1)"
finish
