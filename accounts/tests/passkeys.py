"""A passkey for the tests: a software authenticator that answers the server's
options as a browser with a security key does (WebAuthn, "none"
attestation, an ES256 key), so the server's real checks run on its answers."""

import hashlib
import json
import os
import struct
from base64 import urlsafe_b64decode, urlsafe_b64encode

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings


def b64(data):
    return urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Authenticator:
    def __init__(self, origin=None, rp_id=None):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.origin = origin or settings.OTP_WEBAUTHN_ALLOWED_ORIGINS[0]
        self.rp_id = rp_id or settings.OTP_WEBAUTHN_RP_ID
        self.sign_count = 0

    def _client_data(self, kind, options):
        return json.dumps({"type": kind, "challenge": options["challenge"], "origin": self.origin, "crossOrigin": False}).encode()

    def _auth_data(self, flags, attested=b""):
        self.sign_count += 1
        return hashlib.sha256(self.rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", self.sign_count) + attested

    def create(self, options):
        """navigator.credentials.create(): the new passkey, as JSON text."""
        numbers = self.key.public_key().public_numbers()
        cose_key = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + cose_key
        auth_data = self._auth_data(0x01 | 0x04 | 0x40, attested)  # user present, verified, attested data
        return json.dumps({
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "clientExtensionResults": {"credProps": {"rk": True}},
            "response": {
                "clientDataJSON": b64(self._client_data("webauthn.create", options)),
                "attestationObject": b64(cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})),
                "transports": ["internal"],
            },
        })

    def get(self, options, *, credential_id=None):
        """navigator.credentials.get(): this passkey's signature of the
        challenge, as JSON text (`credential_id`: claim to be another)."""
        client_data = self._client_data("webauthn.get", options)
        auth_data = self._auth_data(0x01 | 0x04)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        credential_id = credential_id or self.credential_id
        return json.dumps({
            "id": b64(credential_id),
            "rawId": b64(credential_id),
            "type": "public-key",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64(client_data),
                "authenticatorData": b64(auth_data),
                "signature": b64(signature),
            },
        })


def add_passkey(client, name="Laptop", authenticator=None):
    """Adds a passkey from the account page, as the page's script does.
    The client must be signed in. Returns (authenticator, response)."""
    authenticator = authenticator or Authenticator()
    options = client.post("/account/passkeys/options/", content_type="application/json").json()
    response = client.post("/account/passkeys/", {"name": name, "credential": authenticator.create(options)})
    return authenticator, response


def passkey_step(client, authenticator, *, credential_id=None, next_url="", address="10.0.0.1"):
    """The passkey step of signing in, as the page's script does it."""
    options = client.post("/login/passkey/options/", content_type="application/json", REMOTE_ADDR=address).json()
    answer = authenticator.get(options, credential_id=credential_id)
    return client.post("/login/passkey/", {"credential": answer, "next": next_url}, REMOTE_ADDR=address)
