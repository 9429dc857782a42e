"""Known attacks on JWT verifiers: every one is refused with the contract's code."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from authbridge import AuthError

from ..support import JwksServer, SigningKey, b64json, b64url, claims_for, jwks_server, make_token, new_key
from .conftest import MakeVerifier

pytestmark = pytest.mark.anyio


async def code_of(make_verifier: MakeVerifier, token: str) -> str:
    with pytest.raises(AuthError) as info:
        await make_verifier().verify(token)
    return info.value.code


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
async def test_alg_none(make_verifier: MakeVerifier, key: SigningKey, alg: str) -> None:
    token = f"{b64json({'alg': alg, 'kid': key.kid})}.{b64json(claims_for())}."
    assert await code_of(make_verifier, token) == "unsupported_algorithm"


def _hs256(secret: bytes, key: SigningKey) -> str:
    signing_input = f"{b64json({'alg': 'HS256', 'kid': key.kid})}.{b64json(claims_for())}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


@pytest.mark.parametrize("encoding", ["raw-x", "jwk-json", "pem"])
async def test_hs256_signed_with_the_public_key(
    make_verifier: MakeVerifier, key: SigningKey, encoding: str
) -> None:
    public = key.private.public_key()
    secret = {
        "raw-x": base64.urlsafe_b64decode(key.jwk["x"] + "="),
        "jwk-json": json.dumps(key.jwk).encode(),
        "pem": public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo),
    }[encoding]
    assert await code_of(make_verifier, _hs256(secret, key)) == "unsupported_algorithm"


@pytest.mark.parametrize("alg", ["HS256", "HS512", "RS256", "ES256", "PS256", "ES256K", ""])
async def test_other_algorithms(make_verifier: MakeVerifier, key: SigningKey, alg: str) -> None:
    assert await code_of(make_verifier, make_token(key, alg=alg)) == "unsupported_algorithm"


async def test_embedded_jwk_header_is_never_used(make_verifier: MakeVerifier, key: SigningKey) -> None:
    attacker = new_key(key.kid)
    forged = make_token(attacker, header={"jwk": attacker.jwk})
    assert await code_of(make_verifier, forged) == "invalid_signature"
    forged_no_kid = make_token(attacker, kid=None, header={"jwk": attacker.jwk})
    assert await code_of(make_verifier, forged_no_kid) == "invalid_signature"


async def test_jku_and_x5u_are_never_fetched(make_verifier: MakeVerifier, key: SigningKey) -> None:
    attacker = new_key("attacker-kid")
    with jwks_server([attacker]) as evil:
        forged = make_token(attacker, header={"jku": evil.url, "x5u": evil.url})
        assert await code_of(make_verifier, forged) == "unknown_key"
        same_kid = make_token(new_key(key.kid), header={"jku": evil.url})
        assert await code_of(make_verifier, same_kid) == "invalid_signature"
        assert evil.fetches == 0


@pytest.mark.parametrize("kid", ["../../../../etc/passwd", "key-1/../key-1", "key-1\u0000", "' OR 1=1 --"])
async def test_kid_injection_is_an_unknown_key(
    make_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, kid: str
) -> None:
    assert await code_of(make_verifier, make_token(key, kid=kid)) == "unknown_key"
    assert jwks.fetches <= 2


@pytest.mark.parametrize(
    "signature",
    [b"", b"\0" * 64, b"\0", b"\xff" * 64],
    ids=["null", "zero", "one-byte", "all-ones"],
)
async def test_null_zero_and_junk_signatures(
    make_verifier: MakeVerifier, key: SigningKey, signature: bytes
) -> None:
    assert await code_of(make_verifier, make_token(key, signature=signature)) == "invalid_signature"


async def test_truncated_signature(make_verifier: MakeVerifier, key: SigningKey) -> None:
    header, payload, signature = make_token(key).split(".")
    real = base64.urlsafe_b64decode(signature + "==")
    truncated = f"{header}.{payload}.{b64url(real[:-1])}"
    assert await code_of(make_verifier, truncated) == "invalid_signature"
    assert await code_of(make_verifier, f"{header}.{payload}.{signature[:-2]}") == "invalid_signature"


async def test_token_larger_than_8kb(make_verifier: MakeVerifier, key: SigningKey) -> None:
    token = make_token(key, claims_for(blob="A" * 8200))
    assert await code_of(make_verifier, token) == "malformed_token"
