"""The revocation feed (CONTRACT §8) against a real HTTP endpoint (``serve_jwks``'s feed): a listed
session or client is ``token_revoked``, on cache hits too; the list is polled, single flight,
revalidated with its ETag, bounded; an outage keeps the last list for a bounded time, then only
tokens issued within that time pass. The TypeScript SDK's revocation.test.ts is the same list."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from authbridge import MAX_REVOCATION_BYTES, MAX_REVOCATION_ENTRIES, AuthError, AuthSettings, Verifier

from ..support import DROP, FakeClock, JwksServer, SigningKey, claims_for, make_token
from .conftest import MakeVerifier

pytestmark = pytest.mark.anyio


def user_token(key: SigningKey, clock: FakeClock, session: str, age: float = 0) -> str:
    """A user token of ``session``, issued ``age`` seconds ago."""
    return make_token(key, claims_for(now=clock.now - age, sid=session, exp=int(clock.now) + 3600))


def client_token(key: SigningKey, clock: FakeClock, client_id: str) -> str:
    claims = claims_for(client_id, now=clock.now, email=DROP, name=DROP, email_verified=DROP, sid=DROP)
    claims.update(client_id=client_id, scope="tasks:read:any")
    return make_token(key, claims, header={"typ": "at+jwt"})


async def outcome(verifier: Verifier, token: str) -> str:
    try:
        await verifier.verify(token)
    except AuthError as error:
        return error.code
    return "ok"


@pytest.fixture
def feed_verifier(make_verifier: MakeVerifier, jwks: JwksServer) -> MakeVerifier:
    def make(**overrides: object) -> Verifier:
        return make_verifier(revocation_url=jwks.revocation_url, **overrides)

    return make


async def test_a_listed_sessions_token_is_revoked(
    feed_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    jwks.revoked_sessions.append("ended")
    verifier = feed_verifier()
    assert await outcome(verifier, user_token(key, clock, "ended")) == "token_revoked"
    assert await outcome(verifier, user_token(key, clock, "live")) == "ok"


async def test_a_revoked_clients_token_is_revoked(
    feed_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    jwks.revoked_clients.append("client_gone")
    verifier = feed_verifier()
    assert await outcome(verifier, client_token(key, clock, "client_gone")) == "token_revoked"
    assert await outcome(verifier, client_token(key, clock, "client_live")) == "ok"
    assert await outcome(verifier, user_token(key, clock, "client_gone")) == "ok"


async def test_not_before_refuses_every_token_issued_before_it(
    feed_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    jwks.not_before = int(clock.now) - 60
    verifier = feed_verifier()
    assert await outcome(verifier, user_token(key, clock, "old", 120)) == "token_revoked"
    assert await outcome(verifier, user_token(key, clock, "new", 30)) == "ok"


async def test_a_user_token_without_sid_is_invalid_claims_with_the_feed_on(
    feed_verifier: MakeVerifier, make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock
) -> None:
    bare = make_token(key, claims_for(now=clock.now, sid=DROP))
    assert await outcome(feed_verifier(), bare) == "invalid_claims"
    assert await outcome(make_verifier(), bare) == "ok"


async def test_a_static_list_stands_in_for_the_feed(jwks: JwksServer, key: SigningKey) -> None:
    settings = AuthSettings.model_validate(
        {"jwks": key.jwks, "issuer": "i", "audience": ["a"], "revocation_list": {"sessions": ["ended"]}}
    )
    verifier = Verifier(settings)
    now = time.time()
    ended = make_token(key, claims_for(now=now, sid="ended", iss="i", aud="a"))
    live = make_token(key, claims_for(now=now, sid="live", iss="i", aud="a"))
    assert await outcome(verifier, ended) == "token_revoked"
    assert await outcome(verifier, live) == "ok"
    assert jwks.revocation_fetches == 0


async def test_a_cached_token_is_refused_once_its_session_is_listed(
    feed_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    verifier = feed_verifier()
    token = user_token(key, clock, "s1")
    assert await outcome(verifier, token) == "ok"
    jwks.revoked_sessions.append("s1")
    clock.advance(3)
    assert await outcome(verifier, token) == "ok"  # the list is 3 s old: fresh
    clock.advance(2.5)
    assert await outcome(verifier, token) == "token_revoked"


async def test_polls_once_per_interval_revalidating_with_the_etag(
    feed_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    verifier = feed_verifier()
    await verifier.warm()
    assert jwks.revocation_fetches == 1
    for i in range(20):
        await verifier.verify(user_token(key, clock, f"s{i}"))
    assert jwks.revocation_fetches == 1
    clock.advance(6)
    assert await outcome(verifier, user_token(key, clock, "x")) == "ok"
    assert jwks.revocation_fetches == 2
    assert verifier.revocations is not None
    assert verifier.revocations.last_error is None


async def test_refreshes_ahead_in_the_background(
    feed_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    verifier = feed_verifier()
    await verifier.warm()
    jwks.delay = 0.3
    clock.advance(4.5)
    started = time.perf_counter()
    assert await outcome(verifier, user_token(key, clock, "s")) == "ok"
    assert time.perf_counter() - started < 0.2
    await asyncio.sleep(0.45)
    assert jwks.revocation_fetches == 2


async def test_concurrent_requests_share_one_fetch(
    feed_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    verifier = feed_verifier(token_cache_size=0)
    jwks.delay = 0.1
    token = user_token(key, clock, "s")
    results = await asyncio.gather(*(outcome(verifier, token) for _ in range(100)))
    assert set(results) == {"ok"}
    assert jwks.revocation_fetches == 1


async def test_an_oversized_list_is_refused_whole(
    feed_verifier: MakeVerifier, jwks: JwksServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="authbridge")
    jwks.revoked_sessions.extend(f"s{i}" for i in range(MAX_REVOCATION_ENTRIES + 1))
    too_many = feed_verifier()
    assert too_many.revocations is not None
    assert await too_many.revocations.warm() is False
    assert f"more than {MAX_REVOCATION_ENTRIES} entries" in (too_many.revocations.last_error or "")
    jwks.revoked_sessions[:] = [f"{'x' * 250}{i}" for i in range(5000)]
    too_big = feed_verifier()
    assert too_big.revocations is not None
    assert await too_big.revocations.warm() is False
    assert f"larger than {MAX_REVOCATION_BYTES} bytes" in (too_big.revocations.last_error or "")
    assert len([r for r in caplog.records if "revocation feed fetch failed" in r.getMessage()]) == 2


async def test_an_outage_serves_the_last_list_then_only_young_tokens(
    feed_verifier: MakeVerifier,
    jwks: JwksServer,
    key: SigningKey,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="authbridge")
    jwks.revoked_sessions.append("ended")
    verifier = feed_verifier(revocation_max_stale_seconds=60)
    await verifier.warm()
    old = user_token(key, clock, "live", 600)
    jwks.revocation_status = 503
    clock.advance(30)
    assert await outcome(verifier, old) == "ok"
    assert await outcome(verifier, user_token(key, clock, "ended")) == "token_revoked"
    failures = [r.getMessage() for r in caplog.records if "revocation feed fetch failed" in r.getMessage()]
    assert len(failures) == 1
    assert f"GET {jwks.revocation_url}: answered 503" in failures[0]

    clock.advance(40)  # 70 s since the last good list: past 5 + 60
    assert await outcome(verifier, old) == "token_revoked"
    assert await outcome(verifier, user_token(key, clock, "live", 30)) == "ok"
    # What the last list named stays refused, however young the token.
    assert await outcome(verifier, user_token(key, clock, "ended", 1)) == "token_revoked"

    jwks.revocation_status = 200
    clock.advance(6)
    assert await outcome(verifier, old) == "ok"
    recovered = f"authbridge: the revocation feed answers again (GET {jwks.revocation_url})"
    assert recovered in [r.getMessage() for r in caplog.records]


async def test_before_any_list_only_young_tokens_pass(
    feed_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    jwks.revocation_status = 500
    verifier = feed_verifier(revocation_max_stale_seconds=60)
    assert await outcome(verifier, user_token(key, clock, "s", 120)) == "token_revoked"
    assert await outcome(verifier, user_token(key, clock, "s", 10)) == "ok"
    await asyncio.sleep(0.2)
    # Failures are retried once per poll interval, not per request.
    assert jwks.revocation_fetches == 1
