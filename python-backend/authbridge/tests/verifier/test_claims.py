"""Valid signatures, bad claims: each claim rule of CONTRACT §2.6 and its leeway edges."""

from __future__ import annotations

from typing import Any

import pytest

from authbridge import AuthError

from ..support import AUDIENCE, DROP, FakeClock, SigningKey, claims_for, make_token
from .conftest import MakeVerifier

pytestmark = pytest.mark.anyio


async def outcome(make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock, **overrides: Any) -> str:
    token = make_token(key, claims_for(now=clock.now, **overrides))
    try:
        await make_verifier().verify(token)
    except AuthError as error:
        return error.code
    return "ok"


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(-10, "token_expired"), (-5, "token_expired"), (-4, "ok"), (0, "ok"), (60, "ok")],
)
async def test_exp_with_leeway(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock, offset: int, expected: str
) -> None:
    assert await outcome(make_verifier, key, clock, exp=int(clock.now) + offset) == expected


@pytest.mark.parametrize("claim", ["nbf", "iat"])
@pytest.mark.parametrize(
    ("offset", "expected"), [(60, "token_not_yet_valid"), (6, "token_not_yet_valid"), (5, "ok")]
)
async def test_nbf_and_iat_in_the_future(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock, claim: str, offset: int, expected: str
) -> None:
    assert await outcome(make_verifier, key, clock, **{claim: int(clock.now) + offset}) == expected


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"exp": DROP}, "invalid_claims"),
        ({"exp": "1900000000"}, "invalid_claims"),
        ({"exp": True}, "invalid_claims"),
        ({"nbf": "soon"}, "invalid_claims"),
        ({"iss": "https://evil.test"}, "invalid_issuer"),
        ({"iss": DROP}, "invalid_issuer"),
        ({"iss": "https://auth.authbridge.test/"}, "invalid_issuer"),
        ({"aud": "someone-else"}, "invalid_audience"),
        ({"aud": DROP}, "invalid_audience"),
        ({"aud": ["a", "b"]}, "invalid_audience"),
        ({"aud": ["other", AUDIENCE]}, "ok"),
        ({"aud": 5}, "invalid_audience"),
        ({"sub": DROP}, "invalid_claims"),
        ({"sub": ""}, "invalid_claims"),
        ({"sub": 42}, "invalid_claims"),
        ({"email": 7}, "invalid_claims"),
        ({"email_verified": "yes"}, "invalid_claims"),
        ({"exp": 1.0e10}, "ok"),
    ],
)
async def test_claim_rules(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock, overrides: dict[str, Any], expected: str
) -> None:
    assert await outcome(make_verifier, key, clock, **overrides) == expected


async def test_expired_wins_over_wrong_issuer(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock
) -> None:
    assert await outcome(make_verifier, key, clock, exp=1, iss="x") == "token_expired"


async def test_any_configured_audience_matches(
    key: SigningKey, clock: FakeClock, make_verifier: MakeVerifier
) -> None:
    token = make_token(key, claims_for(now=clock.now, aud="second"))
    principal = await make_verifier(audience="first, second").verify(token)
    assert principal.claims["aud"] == "second"
