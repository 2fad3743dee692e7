#!/usr/bin/python3
"""Trezor's own host library (trezorlib, Debian's python3-trezor) against
trezor-sim, as against a device: for tests/integration/trezorlib.sh.

Usage: trezorlib_check.py PORT CHECKS
  PORT    the simulator's UDP port (its debug link on PORT + 1)
  CHECKS  "plain": a Trezor One without PIN; "pin": one with PIN 1234 whose
          matrix is read over the debug link

Prints one line per check, "PASS name" or "FAIL name: why", and exits 0.
Expected values are the firmware vectors of HACKING 5.6, or computed here from
the BIP-39, SLIP-0010, SLIP-0013 and Bitcoin texts with Python's hashlib,
hmac, python3-ecdsa and python3-cryptography: nothing of the simulator's.
Written for trezorlib 0.12 (Debian 12) and 0.13 (Debian 13).
"""

import hashlib
import hmac
import struct
import sys

from ecdsa import NIST256p, SECP256k1
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization
from trezorlib import btc, messages, misc, tools
from trezorlib.client import TrezorClient
from trezorlib.debuglink import DebugLink
from trezorlib.exceptions import TrezorFailure
from trezorlib.transport import get_transport

MNEMONIC = "all all all all all all all all all all all all"
HARDENED = 0x80000000
GPG_ALICE_KEY = "02b9afc638371743324c09dc8136847a0478e9f26a3dfcc0b9923f4bcbdcf93fdb"
GPG_ALICE_SIGNATURE = (
    "009a9c40ff057fc0378f6b607df35052c781990063783f7b4efbe979ee565e6a94"
    "2cffe25bdfde710d9c3486f2b647007614df2af87d18847e1c64464ed4d1ef03")
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

# ---- independent derivations ---------------------------------------------------

def bip39_seed(passphrase=""):
    return hashlib.pbkdf2_hmac("sha512", MNEMONIC.encode(),
                               ("mnemonic" + passphrase).encode(), 2048)


def compressed(point):
    return bytes([2 + (point.y() & 1)]) + point.x().to_bytes(32, "big")


def slip10(curve_name, path, seed=None):
    """(private key, public key) of the path, per SLIP-0010."""
    seed = seed if seed is not None else bip39_seed()
    keys = {"secp256k1": b"Bitcoin seed", "nist256p1": b"Nist256p1 seed",
            "ed25519": b"ed25519 seed"}
    curve = {"secp256k1": SECP256k1, "nist256p1": NIST256p}.get(curve_name)
    i = hmac.new(keys[curve_name], seed, hashlib.sha512).digest()
    while curve and not 0 < int.from_bytes(i[:32], "big") < curve.order:
        i = hmac.new(keys[curve_name], i, hashlib.sha512).digest()
    key, chain = i[:32], i[32:]
    for index in path:
        if index & HARDENED:
            data = b"\0" + key + struct.pack(">I", index)
        else:
            data = compressed(int.from_bytes(key, "big") * curve.generator) + \
                struct.pack(">I", index)
        while True:
            i = hmac.new(chain, data, hashlib.sha512).digest()
            if not curve:
                key = i[:32]
                break
            tweak = int.from_bytes(i[:32], "big")
            child = (tweak + int.from_bytes(key, "big")) % curve.order
            if tweak < curve.order and child != 0:
                key = child.to_bytes(32, "big")
                break
            data = b"\1" + i[32:] + struct.pack(">I", index)
        chain = i[32:]
    if not curve:
        public = Ed25519PrivateKey.from_private_bytes(key).public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return key, b"\0" + public
    return key, compressed(int.from_bytes(key, "big") * curve.generator)


def slip13_path(identity, purpose=13):
    uri = ""
    if identity.get("proto"):
        uri += identity["proto"] + "://"
    if identity.get("user"):
        uri += identity["user"] + "@"
    uri += identity.get("host", "")
    digest = hashlib.sha256(struct.pack("<I", identity.get("index", 0)) + uri.encode()).digest()
    return [HARDENED | purpose] + [HARDENED | x for x in struct.unpack("<IIII", digest[:16])]


def p2pkh(version, public_key):
    ripe = hashlib.new("ripemd160", hashlib.sha256(public_key).digest()).digest()
    raw = bytes([version]) + ripe
    raw += hashlib.sha256(hashlib.sha256(raw).digest()).digest()[:4]
    number, text = int.from_bytes(raw, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        text = BASE58[digit] + text
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + text

# ---- the host side ---------------------------------------------------------------

class PersonUI:
    """What trezorlib asks a person: the PIN from the debug link's matrix,
    the empty passphrase; buttons are the simulated person's business."""

    def __init__(self, debug=None, pin=None):
        self.debug = debug
        self.pin = pin
        self.buttons = 0

    def button_request(self, *args):
        self.buttons += 1

    def get_pin(self, *args):
        return self.debug.encode_pin(self.pin)

    def get_passphrase(self, *args, **kwargs):
        return ""


results = []


def check(name, expected, actual):
    if expected == actual:
        results.append("PASS " + name)
    else:
        results.append("FAIL %s: expected %r, got %r" % (name, expected, actual))


def connect(port, ui, session_id=None):
    transport = get_transport("udp:127.0.0.1:%d" % port)
    return TrezorClient(transport, ui=ui, session_id=session_id)


def call_raw(client, message):
    """One message and its answer, no interaction (trezorlib's call_raw needs
    the transport's session open around it)."""
    client.open()
    try:
        return client.call_raw(message)
    finally:
        client.close()


ALICE = {"proto": "gpg", "user": "alice", "host": "example.com", "index": 0}
SSH_ALICE = dict(ALICE, proto="ssh")


def identity_type(identity):
    return messages.IdentityType(proto=identity["proto"], user=identity["user"],
                                 host=identity["host"], index=identity["index"])


def keys_and_signatures(client):
    node = btc.get_public_node(client, slip13_path(ALICE), ecdsa_curve_name="nist256p1")
    check("get_public_node gpg://alice@example.com nist256p1",
          GPG_ALICE_KEY, node.node.public_key.hex())
    _, ssh_key = slip10("ed25519", slip13_path(SSH_ALICE))
    node = btc.get_public_node(client, slip13_path(SSH_ALICE), ecdsa_curve_name="ed25519")
    check("get_public_node ssh://alice@example.com ed25519", ssh_key.hex(),
          node.node.public_key.hex())
    signed = misc.sign_identity(client, identity_type(ALICE), bytes(range(0xa0, 0xc0)), "",
                                ecdsa_curve_name="nist256p1")
    check("sign_identity gpg nist256p1 (HACKING 5.6)",
          (GPG_ALICE_KEY, GPG_ALICE_SIGNATURE),
          (signed.public_key.hex(), signed.signature.hex()))
    blob = b"an SSH userauth request"
    signed = misc.sign_identity(client, identity_type(SSH_ALICE), blob, "",
                                ecdsa_curve_name="ed25519")
    verified = True
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        Ed25519PublicKey.from_public_bytes(ssh_key[1:]).verify(signed.signature[1:], blob)
    except Exception:
        verified = False
    check("sign_identity ssh ed25519: 00 || an Ed25519 signature of the blob",
          (ssh_key.hex(), 65, 0, True),
          (signed.public_key.hex(), len(signed.signature), signed.signature[0], verified))


def addresses(client):
    _, key = slip10("secp256k1", tools.parse_path("m/44h/0h/0h/0/0"))
    expected = p2pkh(0x00, key)
    check("the independent m/44'/0'/0'/0/0 address", "1JAd7XCBzGudGpJQSDSfpmJhiygtLQWaGL",
          expected)
    check("btc.get_address Bitcoin m/44'/0'/0'/0/0", expected,
          btc.get_address(client, "Bitcoin", tools.parse_path("m/44h/0h/0h/0/0")))
    _, key = slip10("secp256k1", tools.parse_path("m/44h/1h/0h/0/0"))
    check("btc.get_address Testnet m/44'/1'/0'/0/0", p2pkh(0x6F, key),
          btc.get_address(client, "Testnet", tools.parse_path("m/44h/1h/0h/0/0")))


def trezor_agent(port, session_id):
    """What trezor-agent does (libagent/device/trezor.py): a client with the
    session it kept, an unlock through a Testnet address, public keys,
    signatures with an empty challenge_visual, and ECDH for GPG."""
    client = connect(port, PersonUI(), session_id=session_id)
    check("trezor-agent: the kept session is resumed", session_id, client.session_id)
    btc.get_address(client, "Testnet", tools.parse_path("m/44h/1h/0h/0/0"))
    node = btc.get_public_node(client, slip13_path(ALICE), ecdsa_curve_name="nist256p1")
    signed = misc.sign_identity(client, identity_type(ALICE), bytes(range(0xa0, 0xc0)), "",
                                ecdsa_curve_name="nist256p1")
    check("trezor-agent: a key and a signature", (GPG_ALICE_KEY, GPG_ALICE_SIGNATURE),
          (node.node.public_key.hex(), signed.signature.hex()))
    peer = 7 * NIST256p.generator
    private, public = slip10("nist256p1", slip13_path(ALICE, 17))
    shared = int.from_bytes(private, "big") * peer
    answer = misc.get_ecdh_session_key(client, identity_type(ALICE),
                                       b"\4" + peer.x().to_bytes(32, "big") +
                                       peer.y().to_bytes(32, "big"),
                                       ecdsa_curve_name="nist256p1")
    # trezorlib 0.12's ECDHSessionKey knows no public_key field: then only the key.
    check("trezor-agent: get_ecdh_session_key",
          (b"\4" + shared.x().to_bytes(32, "big") + shared.y().to_bytes(32, "big"), public),
          (answer.session_key, getattr(answer, "public_key", public)))


def session_ends(client):
    check("ping", "hello", client.ping("hello"))
    check("ping with button protection", "pressed",
          client.ping("pressed", button_protection=True))
    answer = call_raw(client, messages.EndSession())
    check("EndSession", "Session ended", getattr(answer, "message", None))
    try:
        btc.get_public_node(client, slip13_path(ALICE), ecdsa_curve_name="nist256p1")
        code = None
    except TrezorFailure as failure:
        code = failure.code
    # 0.12 names no InvalidSession in its FailureType: the number, 14.
    check("after EndSession: Failure InvalidSession (14)", 14, code)
    client.init_device(new_session=True)
    client.lock()
    check("lock: Features.unlocked is false (a Trezor One locks even without a PIN)", False,
          client.features.unlocked)


def plain(port):
    client = connect(port, PersonUI())
    features = client.features
    check("Features from Initialize",
          ("trezor.io", "1", (1, 14, 2), 32),
          (features.vendor, features.model, tuple(client.version), len(client.session_id)))
    check("GetFeatures carries no session id", None,
          call_raw(client, messages.GetFeatures()).session_id)
    keys_and_signatures(client)
    addresses(client)
    trezor_agent(port, client.session_id)
    session_ends(client)


def with_pin(port):
    debug_transport = get_transport("udp:127.0.0.1:%d" % (port + 1))
    debug = DebugLink(debug_transport)
    debug.open()
    ui = PersonUI(debug, "1234")
    client = connect(port, ui)
    check("a locked device", False, client.features.unlocked)
    node = btc.get_public_node(client, slip13_path(ALICE), ecdsa_curve_name="nist256p1")
    check("the PIN from the debug link's matrix, then the key", GPG_ALICE_KEY,
          node.node.public_key.hex())
    check("the debug link's matrix is hidden again", "XXXXXXXXX", debug.state().matrix)
    debug.close()


def main():
    port, checks = int(sys.argv[1]), sys.argv[2]
    try:
        plain(port) if checks == "plain" else with_pin(port)
    except Exception as error:  # a check that could not run is a failure, named
        results.append("FAIL %s: %s: %s" % (checks, type(error).__name__, error))
    print("\n".join(results))


if __name__ == "__main__":
    main()
