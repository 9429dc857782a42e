"""What the verifier tells an operator (never a token): the first failed JWKS fetch of an outage
with its URL and status, the recovery, and a token refused for its issuer or audience once per
distinct pair with the expected and the received value. The TypeScript SDK writes the same lines."""

from __future__ import annotations

import json
import logging

import pytest

from authbridge import AuthError

from ..support import AUDIENCE, ISSUER, FakeClock, JwksServer, SigningKey, claims_for, make_token
from .conftest import MakeVerifier

pytestmark = pytest.mark.anyio


def _lines(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    return [
        (record.levelname, record.getMessage()) for record in caplog.records if record.name == "authbridge"
    ]


async def test_the_first_failed_fetch_of_an_outage_is_logged_with_url_and_status_then_the_recovery(
    make_verifier: MakeVerifier, jwks: JwksServer, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="authbridge")
    verifier = make_verifier(jwks_cooldown_seconds=0, jwks_cache_seconds=1)
    jwks.status = 503
    assert await verifier.warm() is False
    clock.advance(2)
    assert await verifier.warm() is False
    assert _lines(caplog) == [
        (
            "WARNING",
            f"authbridge: the JWKS fetch failed (GET {jwks.url}: answered 503); "
            "the last good key set serves meanwhile",
        )
    ]
    jwks.status = 200
    clock.advance(2)
    assert await verifier.warm() is True
    assert _lines(caplog)[1] == ("INFO", f"authbridge: the JWKS answers again (GET {jwks.url})")


async def test_a_refused_issuer_or_audience_is_logged_once_per_pair_without_the_token(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="authbridge")
    verifier = make_verifier()
    wrong_issuer = make_token(key, claims_for("ada", clock.now, iss="http://127.0.0.1:3000"))
    for _ in range(3):
        with pytest.raises(AuthError, match="issuer"):
            await verifier.verify(wrong_issuer)
    with pytest.raises(AuthError):
        await verifier.verify(make_token(key, claims_for("ada", clock.now, iss="http://other")))
    with pytest.raises(AuthError):
        await verifier.verify(make_token(key, claims_for("ada", clock.now, aud=["a", "b"])))
    refused = "authbridge: a token was refused for its"
    assert [message for _, message in _lines(caplog)] == [
        f'{refused} issuer "http://127.0.0.1:3000"; expected {json.dumps(ISSUER)} (AUTH_ISSUER)',
        f'{refused} issuer "http://other"; expected {json.dumps(ISSUER)} (AUTH_ISSUER)',
        f'{refused} audience ["a","b"]; expected one of ["{AUDIENCE}"] (AUTH_AUDIENCE)',
    ]
    signature = wrong_issuer.rsplit(".", 1)[1]
    assert all(signature not in message for _, message in _lines(caplog))
