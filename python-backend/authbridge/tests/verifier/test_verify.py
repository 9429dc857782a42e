"""Every error code of CONTRACT §2 from a realistic token, in the contract's order."""

from __future__ import annotations

import pytest

from authbridge import AuthError, AuthSettings, Verifier
from authbridge.verify import parse_authorization

from ..support import (
    AUDIENCE,
    DROP,
    ISSUER,
    FakeClock,
    JwksServer,
    SigningKey,
    claims_for,
    make_token,
    new_key,
)
from .conftest import MakeVerifier

pytestmark = pytest.mark.anyio


async def code_of(verifier: Verifier, token: str) -> str:
    with pytest.raises(AuthError) as info:
        await verifier.verify(token)
    return info.value.code


async def test_valid_token_gives_the_principal(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock
) -> None:
    verifier = make_verifier()
    principal = await verifier.verify(make_token(key, claims_for("alice", now=clock.now)))
    assert principal.id == "alice"
    assert principal.email == "alice@example.test"
    assert principal.name == "User alice"
    assert principal.claims["email_verified"] is True
    assert principal.claims["iss"] == ISSUER


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "missing_token"),
        ("", "missing_token"),
        ("Basic dXNlcjpwYXNz", "missing_token"),
        ("Bearer", "missing_token"),
        ("Bearer    ", "missing_token"),
        ("Token abc", "missing_token"),
        ("Bearer a b", "malformed_token"),
        ("Bearer not-a-jwt", "malformed_token"),
    ],
)
async def test_authenticate_reads_only_a_bearer_header(
    make_verifier: MakeVerifier, header: str | None, code: str
) -> None:
    with pytest.raises(AuthError) as info:
        await make_verifier().authenticate(header)
    assert info.value.code == code


def test_bearer_scheme_is_case_insensitive() -> None:
    assert parse_authorization("bEaReR abc.def.ghi") == "abc.def.ghi"
    assert parse_authorization("  Bearer   abc.def.ghi  ") == "abc.def.ghi"


@pytest.mark.parametrize(
    "token",
    [
        "a.b",
        "a.b.c.d",
        "....",
        "eyJhbGciOiJFZERTQSJ9..sig",
        "!!!.eyJzdWIiOiJ4In0.AAAA",
        "eyJhbGciOiJFZERTQSJ9=.eyJzdWIiOiJ4In0.AAAA",
    ],
)
async def test_structure_errors_are_malformed(make_verifier: MakeVerifier, token: str) -> None:
    assert await code_of(make_verifier(), token) == "malformed_token"


async def test_non_object_header_or_payload_is_malformed(
    make_verifier: MakeVerifier, key: SigningKey
) -> None:
    from ..support import b64json, b64url

    verifier = make_verifier()
    sig = b64url(b"\0" * 64)
    assert await code_of(verifier, f"{b64json([1])}.{b64json({'sub': 'x'})}.{sig}") == "malformed_token"
    assert (
        await code_of(verifier, f"{b64json({'alg': 'EdDSA'})}.{b64json('text')}.{sig}") == "malformed_token"
    )
    assert await code_of(verifier, f"{b64url(b'{nope')}.{b64json({})}.{sig}") == "malformed_token"
    nan = b64url(b'{"sub":"x","exp":NaN}')
    assert await code_of(verifier, f"{b64json({'alg': 'EdDSA'})}.{nan}.{sig}") == "malformed_token"


async def test_non_canonical_base64_is_malformed(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock
) -> None:
    token = make_token(key, claims_for(now=clock.now))
    # 64 signature bytes leave 4 spare bits in the last character; setting one keeps the bytes.
    last = token[-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = alphabet[alphabet.index(last) ^ 1]
    assert await code_of(make_verifier(), token[:-1] + twin) == "malformed_token"
    assert (await make_verifier().verify(token)).id == "user-1"


async def test_crit_header_is_malformed(make_verifier: MakeVerifier, key: SigningKey) -> None:
    token = make_token(key, header={"crit": ["exp"], "exp": 1})
    assert await code_of(make_verifier(), token) == "malformed_token"


@pytest.mark.parametrize("typ", ["JWT", "jwt", "APPLICATION/JWT"])
async def test_accepted_user_typ(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock, typ: str
) -> None:
    principal = await make_verifier().verify(make_token(key, claims_for(now=clock.now), header={"typ": typ}))
    assert principal.id == "user-1"


@pytest.mark.parametrize("typ", ["at+jwt", "application/at+jwt", "AT+JWT"])
async def test_accepted_client_typ(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock, typ: str
) -> None:
    claims = {
        k: v
        for k, v in claims_for(now=clock.now).items()
        if k not in ("email", "name", "email_verified", "sid")
    }
    claims.update(sub="client_1", client_id="client_1", scope="tasks:read:any")
    principal = await make_verifier().verify(make_token(key, claims, header={"typ": typ}))
    assert (principal.kind, principal.client_id, principal.scopes) == (
        "client",
        "client_1",
        ("tasks:read:any",),
    )


async def test_user_token_typed_at_jwt_is_refused(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock
) -> None:
    token = make_token(key, claims_for(now=clock.now), header={"typ": "at+jwt"})
    assert await code_of(make_verifier(), token) == "invalid_claims"


@pytest.mark.parametrize("typ", ["JOSE", "dpop+jwt", "application/json", 7])
async def test_foreign_typ_is_malformed(make_verifier: MakeVerifier, key: SigningKey, typ: object) -> None:
    assert await code_of(make_verifier(), make_token(key, header={"typ": typ})) == "malformed_token"


async def test_oversized_token_is_malformed_before_parsing(
    make_verifier: MakeVerifier, key: SigningKey
) -> None:
    token = make_token(key, claims_for(padding="x" * 9000))
    assert len(token) > 8192
    assert await code_of(make_verifier(), token) == "malformed_token"


async def test_ed25519_alias_is_accepted(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock
) -> None:
    token = make_token(key, claims_for(now=clock.now), alg="Ed25519")
    assert (await make_verifier().verify(token)).id == "user-1"


async def test_algorithm_outside_the_configured_list(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock
) -> None:
    token = make_token(key, claims_for(now=clock.now), alg="Ed25519")
    assert await code_of(make_verifier(algorithms="EdDSA"), token) == "unsupported_algorithm"


async def test_unknown_kid(make_verifier: MakeVerifier, clock: FakeClock) -> None:
    stranger = new_key("not-published")
    assert await code_of(make_verifier(), make_token(stranger, claims_for(now=clock.now))) == "unknown_key"


async def test_missing_kid_with_one_key_is_accepted(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock
) -> None:
    token = make_token(key, claims_for(now=clock.now), kid=None)
    assert (await make_verifier().verify(token)).id == "user-1"


async def test_missing_kid_with_two_keys_is_unknown_key(
    make_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    jwks.keys.append(new_key("key-2"))
    token = make_token(key, claims_for(now=clock.now), kid=None)
    assert await code_of(make_verifier(), token) == "unknown_key"


async def test_non_string_kid_is_malformed(make_verifier: MakeVerifier, key: SigningKey) -> None:
    assert await code_of(make_verifier(), make_token(key, kid=12)) == "malformed_token"


async def test_wrong_key_is_invalid_signature(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock
) -> None:
    impostor = new_key(key.kid)
    assert (
        await code_of(make_verifier(), make_token(impostor, claims_for(now=clock.now))) == "invalid_signature"
    )


async def test_tampered_payload_is_invalid_signature(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock
) -> None:
    from ..support import b64json

    header, _, sig = make_token(key, claims_for("alice", now=clock.now)).split(".")
    forged = f"{header}.{b64json(claims_for('mallory', now=clock.now))}.{sig}"
    assert await code_of(make_verifier(), forged) == "invalid_signature"


async def test_signature_is_checked_before_claims(make_verifier: MakeVerifier, clock: FakeClock) -> None:
    impostor = new_key("key-1")
    expired_and_forged = make_token(impostor, claims_for(now=clock.now, exp=1))
    assert await code_of(make_verifier(), expired_and_forged) == "invalid_signature"


async def test_jwks_unavailable_when_nothing_is_cached(
    make_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey
) -> None:
    jwks.status = 500
    with pytest.raises(AuthError) as info:
        await make_verifier().verify(make_token(key))
    assert info.value.code == "jwks_unavailable"
    assert info.value.retry_after is not None
    assert info.value.retry_after >= 1


async def test_static_key_set(key: SigningKey) -> None:
    settings = AuthSettings(jwks={"keys": [key.jwk]}, issuer=ISSUER, audience=[AUDIENCE])
    verifier = Verifier(settings)
    assert (await verifier.verify(make_token(key, claims_for("static")))).id == "static"


async def test_rfc8037_key_verifies_the_a4_signature_but_is_no_jwt() -> None:
    """RFC 8037 A.1 key and A.4 JWS: the raw signature holds; as a JWT it is malformed."""
    from jwt import PyJWK

    from authbridge.encoding import decode_segment as _b64decode
    from authbridge.jwks import parse_jwks
    from authbridge.verify import _verify_signature

    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    jws = (
        "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    )
    header, payload, signature = jws.split(".")
    key = PyJWK(jwk, algorithm="EdDSA")
    assert _verify_signature(key, f"{header}.{payload}".encode(), _b64decode(signature))
    assert not _verify_signature(key, f"{header}.{payload}x".encode(), _b64decode(signature))
    verifier = Verifier(AuthSettings(jwks={"keys": [jwk]}, issuer=ISSUER, audience=[AUDIENCE]))
    assert await code_of(verifier, jws) == "malformed_token"
    assert len(parse_jwks({"keys": [jwk]})) == 1


async def test_claims_without_sub_are_invalid(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock
) -> None:
    assert (
        await code_of(make_verifier(), make_token(key, claims_for(now=clock.now, sub=DROP)))
        == "invalid_claims"
    )
