#!/usr/bin/python3
"""The line trezor-agent prints for `trezor-agent -e ed25519 IDENTITY`, derived
here independently of the module and the simulator: BIP-39 seed, SLIP-0013
path of ssh://IDENTITY (index 0), SLIP-0010 ed25519 derivation, the key from
python3-cryptography, and libagent's format: "ssh-ed25519 BASE64 <URI|ed25519>".

usage: trezor_agent_line.py IDENTITY [PASSPHRASE]   (the seed "all" x 12)
"""
import base64
import hashlib
import hmac
import struct
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

MNEMONIC = " ".join(["all"] * 12)


def ed25519_key(uri, passphrase):
    seed = hashlib.pbkdf2_hmac("sha512", MNEMONIC.encode(),
                               ("mnemonic" + passphrase).encode(), 2048)
    digest = hashlib.sha256(struct.pack("<I", 0) + uri.encode()).digest()
    path = [13] + [struct.unpack("<I", digest[4 * i:4 * i + 4])[0] for i in range(4)]
    node = hmac.new(b"ed25519 seed", seed, hashlib.sha512).digest()
    for index in path:
        data = b"\0" + node[:32] + struct.pack(">I", index | 0x80000000)
        node = hmac.new(node[32:], data, hashlib.sha512).digest()
    private = Ed25519PrivateKey.from_private_bytes(node[:32])
    return private.public_key().public_bytes(serialization.Encoding.Raw,
                                             serialization.PublicFormat.Raw)


def ssh_string(data):
    return struct.pack(">I", len(data)) + data


def main():
    uri = "ssh://" + sys.argv[1]
    key = ed25519_key(uri, sys.argv[2] if len(sys.argv) > 2 else "")
    blob = ssh_string(b"ssh-ed25519") + ssh_string(key)
    sys.stdout.write("ssh-ed25519 %s <%s|ed25519>\n"
                     % (base64.b64encode(blob).decode("ascii"), uri))


main()
