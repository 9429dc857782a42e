"""Ed25519 public keys ready to verify (the twin of the TypeScript ``keys.ts``): PyJWT parses
the JWK once, and the verifier calls the ``cryptography`` key it holds directly
(``verify._verify_signature``)."""

from __future__ import annotations

from jwt import PyJWK


class PublicKey(PyJWK):
    """A parsed Ed25519 public key that remembers its ``x``, so a refreshed set reuses it."""

    def __init__(self, x: str) -> None:
        super().__init__({"kty": "OKP", "crv": "Ed25519", "x": x}, algorithm="EdDSA")
        self.x = x
