"""Property: any mutation of a valid token is refused with an AuthError, never another error."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from authbridge import AuthError, AuthSettings, Verifier

from ..support import AUDIENCE, ISSUER, claims_for, make_token, new_key

KEY = new_key("fuzz-key")
VALID = make_token(KEY, claims_for("fuzz", exp=4_000_000_000))
VERIFIER = Verifier(AuthSettings(jwks={"keys": [KEY.jwk]}, issuer=ISSUER, audience=[AUDIENCE]))
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ é\u0000"


def outcome(token: str) -> str:
    try:
        asyncio.run(VERIFIER.verify(token))
    except AuthError as error:
        return error.code
    return "ok"


@st.composite
def mutated(draw: st.DrawFn) -> str:
    token = list(VALID)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["replace", "insert", "delete"]))
        position = draw(st.integers(0, max(0, len(token) - 1)))
        if kind == "delete" and token:
            del token[position]
        elif kind == "insert":
            token.insert(position, draw(st.sampled_from(ALPHABET)))
        else:
            token[position] = draw(st.sampled_from(ALPHABET))
    return "".join(token)


def test_the_unmutated_token_is_valid() -> None:
    assert outcome(VALID) == "ok"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutations_are_rejected_with_an_auth_error(token: str) -> None:
    if token == VALID:
        return
    assert outcome(token) != "ok"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_is_rejected_with_an_auth_error(text: str) -> None:
    assert outcome(text) != "ok"
