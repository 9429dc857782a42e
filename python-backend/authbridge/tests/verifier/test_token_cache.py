"""The verified-token cache: hits skip the signature but never outlive exp, leeway or the key."""

from __future__ import annotations

from unittest import mock

import pytest

from authbridge import AuthError

from ..support import FakeClock, JwksServer, SigningKey, claims_for, make_token, new_key
from .conftest import MakeVerifier

pytestmark = pytest.mark.anyio


async def test_a_repeated_token_skips_the_signature(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock
) -> None:
    verifier = make_verifier()
    token = make_token(key, claims_for("alice", now=clock.now))
    first = await verifier.verify(token)
    with mock.patch("authbridge.verify._verify_signature") as verify_signature:
        second = await verifier.verify(token)
    assert second is first
    verify_signature.assert_not_called()


async def test_a_cached_token_expires_with_the_same_leeway(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock
) -> None:
    verifier = make_verifier()
    token = make_token(key, claims_for("alice", now=clock.now, exp=int(clock.now) + 60))
    await verifier.verify(token)
    clock.advance(64)
    assert (await verifier.verify(token)).id == "alice"
    clock.advance(1)
    with pytest.raises(AuthError) as info:
        await verifier.verify(token)
    assert info.value.code == "token_expired"


async def test_a_replaced_key_invalidates_cached_tokens(
    make_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    verifier = make_verifier()
    token = make_token(key, claims_for("alice", now=clock.now, exp=int(clock.now) + 3600))
    await verifier.verify(token)
    jwks.keys = [new_key(key.kid)]
    clock.advance(301)
    with pytest.raises(AuthError) as info:
        await verifier.verify(token)
    assert info.value.code == "invalid_signature"


async def test_an_unchanged_key_survives_a_refresh(
    make_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    verifier = make_verifier()
    token = make_token(key, claims_for("alice", now=clock.now, exp=int(clock.now) + 3600))
    await verifier.verify(token)
    clock.advance(301)
    with mock.patch("authbridge.verify._verify_signature") as verify_signature:
        assert (await verifier.verify(token)).id == "alice"
    verify_signature.assert_not_called()
    assert jwks.fetches == 2


async def test_failures_are_never_cached(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock
) -> None:
    verifier = make_verifier()
    token = make_token(key, claims_for("alice", now=clock.now, nbf=int(clock.now) + 60))
    with pytest.raises(AuthError):
        await verifier.verify(token)
    clock.advance(60)
    assert (await verifier.verify(token)).id == "alice"


async def test_the_cache_is_bounded(make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock) -> None:
    verifier = make_verifier(token_cache_size=2)
    tokens = [make_token(key, claims_for(sub, now=clock.now)) for sub in ("a", "b", "c")]
    for token in tokens:
        await verifier.verify(token)
    with mock.patch("authbridge.verify._verify_signature", return_value=True) as verify_signature:
        await verifier.verify(tokens[2])
        await verifier.verify(tokens[1])
        verify_signature.assert_not_called()
        await verifier.verify(tokens[0])
        verify_signature.assert_called_once()


async def test_a_cached_principal_cannot_be_changed_by_a_handler(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock
) -> None:
    verifier = make_verifier()
    token = make_token(key, claims_for("alice", now=clock.now, roles=["user"], org={"id": "o1"}))
    first = await verifier.verify(token)
    with pytest.raises(TypeError):
        first.claims["sub"] = "mallory"  # type: ignore[index]
    with pytest.raises(TypeError):
        first.claims["org"]["id"] = "o2"  # type: ignore[index]
    with pytest.raises(AttributeError):
        first.claims["roles"].append("admin")  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        first.id = "mallory"  # type: ignore[misc]
    second = await verifier.verify(token)
    assert second.id == "alice"
    assert second.claims["sub"] == "alice"
    assert second.claims["roles"] == ("user",)
    assert second.claims["org"]["id"] == "o1"
