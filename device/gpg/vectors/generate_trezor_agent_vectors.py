"""Reference vectors from trezor-agent's own code (libagent 0.16.2, the latest on PyPI).

Not part of the test run: it needs libagent and its crypto libraries, which the project
does not install. To regenerate trezor-agent-vectors.json:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install libagent==0.16.2 ecdsa pynacl
    /tmp/venv/bin/python generate_trezor_agent_vectors.py > trezor-agent-vectors.json

The device is emulated here independently of the TypeScript code under test: SLIP-0010
(hardened steps only, which is all SLIP-0013/0017 paths use) with Python's hmac, and
signatures with python-ecdsa (RFC 6979, then low-S as trezor-crypto does) and PyNaCl.
Everything that gives the key its bytes (packets, subpackets, signatures, armor) is
libagent's: gpg.encode.create_primary/create_subkey, gpg.protocol, ssh formats.
"""
import hashlib
import hmac
import json
import struct
import sys

import ecdsa
import nacl.bindings
import nacl.signing

from libagent import formats
from libagent.device import interface
from libagent.gpg import client, encode, protocol

MNEMONIC12 = "alcohol woman abuse must during monitor noble actual mixed trade anger aisle"
SEED = hashlib.pbkdf2_hmac("sha512", MNEMONIC12.encode(), b"mnemonic", 2048)
SEED_KEYS = {"nist256p1": b"Nist256p1 seed", "ed25519": b"ed25519 seed", "curve25519": b"curve25519 seed"}
NIST_N = ecdsa.NIST256p.order


def derive(curve, path):
    """SLIP-0010 private key for a path of hardened indices."""
    i = hmac.new(SEED_KEYS[curve], SEED, hashlib.sha512).digest()
    while curve == "nist256p1" and not 0 < int.from_bytes(i[:32], "big") < NIST_N:
        i = hmac.new(SEED_KEYS[curve], i, hashlib.sha512).digest()
    key, chain = i[:32], i[32:]
    for index in path:
        assert index >= 0x80000000
        data = b"\x00" + key + struct.pack(">L", index)
        i = hmac.new(chain, data, hashlib.sha512).digest()
        if curve != "nist256p1":
            key, chain = i[:32], i[32:]
            continue
        while True:
            il = int.from_bytes(i[:32], "big")
            k = (il + int.from_bytes(key, "big")) % NIST_N
            if il < NIST_N and k != 0:
                key, chain = k.to_bytes(32, "big"), i[32:]
                break
            i = hmac.new(chain, b"\x01" + i[32:] + struct.pack(">L", index), hashlib.sha512).digest()
    return key


def public_key(curve, key):
    """The 33-byte public key GetPublicKey returns."""
    if curve == "nist256p1":
        return ecdsa.SigningKey.from_string(key, curve=ecdsa.NIST256p).get_verifying_key().to_string("compressed")
    if curve == "ed25519":
        return b"\x00" + bytes(nacl.signing.SigningKey(key).verify_key)
    return b"\x00" + nacl.bindings.crypto_scalarmult_base(key)


class EmulatedTrezor(interface.Device):
    """Just enough of libagent's Device for gpg.client.Client (SignIdentity with proto gpg)."""

    @classmethod
    def package_name(cls):
        return "trezor-agent"

    def connect(self):
        return self

    def close(self):
        pass

    def pubkey(self, identity, ecdh=False):
        # As libagent/device/trezor.py: GetPublicKey, then decompress by the identity's curve.
        curve = identity.get_curve_name(ecdh=ecdh)
        raw = public_key(curve, derive(curve, identity.get_bip32_address(ecdh=ecdh)))
        return formats.decompress_pubkey(pubkey=raw, curve_name=identity.curve_name)

    def sign(self, identity, blob):
        curve = identity.get_curve_name()
        key = derive(curve, identity.get_bip32_address())
        if curve == "ed25519":
            return nacl.signing.SigningKey(key).sign(blob).signature
        sk = ecdsa.SigningKey.from_string(key, curve=ecdsa.NIST256p)
        r, s = sk.sign_digest_deterministic(blob, hashfunc=hashlib.sha256, sigencode=lambda r, s, n: (r, s))
        s = min(s, NIST_N - s)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def gpg_vector(user_id, curve, created):
    c = client.Client(device=EmulatedTrezor())
    identity = client.create_identity(user_id=user_id, curve_name=curve)
    primary = protocol.PublicKey(curve_name=curve, created=created,
                                 verifying_key=c.pubkey(identity=identity, ecdh=False), ecdh=False)
    subkey = protocol.PublicKey(curve_name=formats.get_ecdh_curve_name(curve), created=created,
                                verifying_key=c.pubkey(identity=identity, ecdh=True), ecdh=True)
    signer = lambda digest: c.sign(identity=identity, digest=digest)
    result = encode.create_primary(user_id=user_id, pubkey=primary, signer_func=signer)
    result = encode.create_subkey(primary_bytes=result, subkey=subkey, signer_func=signer)
    return {
        "userId": user_id,
        "curve": curve,
        "created": created,
        "primaryFingerprint": primary.fingerprint().hex().upper(),
        "subkeyFingerprint": subkey.fingerprint().hex().upper(),
        "armored": protocol.armor(result, "PUBLIC KEY BLOCK"),
    }


def ssh_vector(text, curve):
    identity = interface.Identity(identity_str=text, curve_name=curve)
    identity.identity_dict["proto"] = "ssh"
    vk = EmulatedTrezor().pubkey(identity)
    return {"identity": text, "curve": curve, "line": formats.export_public_key(vk=vk, label=identity.to_string())}


json.dump({
    "source": "libagent 0.16.2 (PyPI), device emulated from MNEMONIC12 by generate_trezor_agent_vectors.py",
    "mnemonic": MNEMONIC12,
    "gpg": [gpg_vector(u, c, t)
            for u in ["Satoshi Nakamoto <satoshi@bitcoin.org>", "BCM Operator <ops@bcm.example>"]
            for c in ["nist256p1", "ed25519"]
            for t in [0, 1700000000]],
    "ssh": [ssh_vector(i, c) for i in ["satoshi@bitcoin.org", "root@127.0.0.1:2222"] for c in ["nist256p1", "ed25519"]],
}, sys.stdout, indent=2)
sys.stdout.write("\n")
