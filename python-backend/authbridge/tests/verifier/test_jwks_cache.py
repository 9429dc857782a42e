"""The JWKS cache against a real HTTP endpoint: single flight, cooldown, max-age, outages."""

from __future__ import annotations

import asyncio

import pytest

from authbridge import AuthError
from authbridge.jwks import max_age_of

from ..support import FakeClock, JwksServer, SigningKey, claims_for, make_token, new_key
from .conftest import MakeVerifier

pytestmark = pytest.mark.anyio


async def settle() -> None:
    """Let a background refresh run to completion."""
    for _ in range(50):
        await asyncio.sleep(0.01)


async def test_concurrent_unknown_kids_share_one_fetch(
    make_verifier: MakeVerifier, jwks: JwksServer, clock: FakeClock
) -> None:
    verifier = make_verifier()
    await verifier.jwks.warm()
    assert jwks.fetches == 1
    jwks.delay = 0.2
    stranger = make_token(new_key("nobody"), claims_for(now=clock.now))
    results = await asyncio.gather(*(verifier.verify(stranger) for _ in range(200)), return_exceptions=True)
    assert all(isinstance(r, AuthError) and r.code == "unknown_key" for r in results)
    assert jwks.fetches == 2


async def test_concurrent_cold_start_shares_one_fetch(
    make_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    jwks.delay = 0.2
    verifier = make_verifier()
    token = make_token(key, claims_for(now=clock.now))
    results = await asyncio.gather(*(verifier.verify(token) for _ in range(50)))
    assert {r.id for r in results} == {"user-1"}
    assert jwks.fetches == 1


async def test_unknown_kid_refetch_honours_the_cooldown(
    make_verifier: MakeVerifier, jwks: JwksServer, clock: FakeClock
) -> None:
    verifier = make_verifier(jwks_cooldown_seconds=30)
    await verifier.jwks.warm()
    stranger = make_token(new_key("nobody"), claims_for(now=clock.now))
    for _ in range(3):
        with pytest.raises(AuthError, match="unknown key"):
            await verifier.verify(stranger)
    assert jwks.fetches == 2
    clock.advance(29)
    with pytest.raises(AuthError):
        await verifier.verify(stranger)
    assert jwks.fetches == 2
    clock.advance(2)
    with pytest.raises(AuthError):
        await verifier.verify(stranger)
    assert jwks.fetches == 3


async def test_rotation_is_picked_up_without_restart(
    make_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    verifier = make_verifier()
    await verifier.verify(make_token(key, claims_for(now=clock.now)))
    successor = new_key("key-2")
    jwks.keys.append(successor)
    principal = await verifier.verify(make_token(successor, claims_for("after-rotation", now=clock.now)))
    assert principal.id == "after-rotation"
    assert (await verifier.verify(make_token(key, claims_for("before", now=clock.now)))).id == "before"


async def test_a_removed_key_stops_verifying(
    make_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    verifier = make_verifier()
    token = make_token(key, claims_for(now=clock.now, exp=int(clock.now) + 3600))
    await verifier.verify(token)
    jwks.keys = [new_key("key-2")]
    clock.advance(301)
    with pytest.raises(AuthError) as info:
        await verifier.verify(token)
    assert info.value.code == "unknown_key"


async def test_max_age_is_honoured(
    make_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    jwks.cache_control = "public, max-age=120"
    verifier = make_verifier()
    token = make_token(key, claims_for(now=clock.now, exp=int(clock.now) + 3600))
    await verifier.verify(token)
    clock.advance(90)  # fresh, and not yet within the refresh-ahead window (24 s)
    await verifier.verify(token)
    await settle()
    assert jwks.fetches == 1
    clock.advance(31)  # past max-age: the next request refreshes
    await verifier.verify(token)
    assert jwks.fetches == 2


async def test_refresh_ahead_runs_in_the_background(
    make_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    verifier = make_verifier()
    token = make_token(key, claims_for(now=clock.now, exp=int(clock.now) + 3600))
    await verifier.verify(token)
    clock.advance(250)  # within 60 s of the 300 s max-age
    jwks.delay = 1.5
    loop = asyncio.get_running_loop()
    started = loop.time()
    await verifier.verify(token)
    # Waiting for the refresh would take the endpoint's 1.5 s; a loaded CI machine still has margin.
    assert loop.time() - started < 0.75, "the request must not wait for the refresh"
    for _ in range(200):
        if jwks.fetches == 2:
            break
        await asyncio.sleep(0.02)
    assert jwks.fetches == 2


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("public, max-age=120", 120),
        ("max-age=5", 60),
        ("max-age=999999", 86400),
        ("no-cache", None),
        (None, None),
        ('public, max-age="600"', 600),
    ],
)
def test_max_age_is_clamped(header: str | None, expected: float | None) -> None:
    assert max_age_of(header) == expected


async def test_without_max_age_the_configured_freshness_applies(
    make_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    jwks.cache_control = None
    verifier = make_verifier(jwks_cache_seconds=100)
    token = make_token(key, claims_for(now=clock.now, exp=int(clock.now) + 3600))
    await verifier.verify(token)
    clock.advance(101)
    await verifier.verify(token)
    assert jwks.fetches == 2


async def test_outage_keeps_cached_keys_and_503s_unknown_kids(
    make_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    verifier = make_verifier()
    token = make_token(key, claims_for(now=clock.now, exp=int(clock.now) + 7200))
    await verifier.verify(token)
    jwks.status = 503
    clock.advance(400)  # stale: the refresh fails, the last good set still serves
    assert (await verifier.verify(token)).id == "user-1"
    stranger = make_token(new_key("new-kid"), claims_for(now=clock.now, exp=int(clock.now) + 7200))
    with pytest.raises(AuthError) as info:
        await verifier.verify(stranger)
    assert info.value.code == "jwks_unavailable"
    assert info.value.retry_after is not None
    assert 1 <= info.value.retry_after <= 30
    jwks.status = 200
    clock.advance(31)
    assert (await verifier.verify(token)).id == "user-1"


async def test_after_max_stale_every_token_is_jwks_unavailable(
    make_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    verifier = make_verifier(jwks_max_stale_seconds=600)
    token = make_token(key, claims_for(now=clock.now, exp=int(clock.now) + 7200))
    await verifier.verify(token)
    jwks.status = 500
    clock.advance(300 + 599)
    assert (await verifier.verify(token)).id == "user-1"
    clock.advance(2)
    with pytest.raises(AuthError) as info:
        await verifier.verify(token)
    assert info.value.code == "jwks_unavailable"


async def test_fetch_timeout_is_jwks_unavailable(
    make_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    jwks.delay = 3.0
    verifier = make_verifier(jwks_timeout_seconds=0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(AuthError) as info:
        await verifier.verify(make_token(key, claims_for(now=clock.now)))
    assert info.value.code == "jwks_unavailable"
    assert loop.time() - started < 2.0


async def test_failed_fetches_are_not_retried_within_the_cooldown(
    make_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    jwks.status = 500
    verifier = make_verifier()
    token = make_token(key, claims_for(now=clock.now))
    for _ in range(5):
        with pytest.raises(AuthError):
            await verifier.verify(token)
    assert jwks.fetches == 1


async def test_garbage_jwks_is_an_outage_not_a_crash(
    make_verifier: MakeVerifier, jwks: JwksServer, key: SigningKey, clock: FakeClock
) -> None:
    jwks.keys = []
    jwks.extra_keys = [
        {"kty": "RSA", "n": "x", "e": "AQAB", "kid": "key-1"},
        {"kty": "OKP", "crv": "Ed25519", "x": "!!"},
    ]
    verifier = make_verifier()
    with pytest.raises(AuthError) as info:
        await verifier.verify(make_token(key, claims_for(now=clock.now)))
    assert info.value.code == "unknown_key"


class EndlessJwks:
    """A JWKS endpoint that streams a chunked body forever and counts what it managed to send."""

    def __init__(self, *, declare_length: bool) -> None:
        import socket
        import threading

        self.sent = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}/jwks"
        self._declare = declare_length
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        conn, _ = self._sock.accept()
        with conn:
            conn.recv(65536)
            length = b"content-length: 419430400\r\n" if self._declare else b"transfer-encoding: chunked\r\n"
            conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n" + length + b"\r\n")
            chunk = b"x" * 65536
            framed = chunk if self._declare else b"10000\r\n" + chunk + b"\r\n"
            try:
                while self.sent < 400 * 1024 * 1024:
                    conn.sendall(framed)
                    self.sent += len(chunk)
            except OSError:
                return

    def close(self) -> None:
        self._sock.close()


@pytest.mark.parametrize("declare_length", [True, False], ids=["declared 400 MB", "chunked, endless"])
async def test_a_huge_jwks_is_refused_after_reading_at_most_the_cap(
    make_verifier: MakeVerifier, key: SigningKey, clock: FakeClock, declare_length: bool
) -> None:
    from authbridge.jwks import MAX_JWKS_BYTES

    server = EndlessJwks(declare_length=declare_length)
    try:
        verifier = make_verifier(jwks_url=server.url)
        assert await verifier.jwks.warm() is False
        assert verifier.jwks.last_error is not None
        assert "larger than" in verifier.jwks.last_error
        # What the server pushed is bounded by the cap plus socket buffers, not by its 400 MB.
        assert server.sent < MAX_JWKS_BYTES + 16 * 1024 * 1024
        with pytest.raises(AuthError) as caught:
            await verifier.verify(make_token(key, claims_for("alice", now=clock.now)))
        assert caught.value.code == "jwks_unavailable"
    finally:
        server.close()
