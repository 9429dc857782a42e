"""Verify speed in Python, in one run: our verifier, PyJWT ``jwt.decode`` with a prepared key,
and a raw ``cryptography`` Ed25519 verify. Prints a table and a JSON line for bench/measure/verify.ts.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import platform
import time
from collections.abc import Callable

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from authbridge import AuthSettings, Verifier
from authbridge.testing import JwksServer

SECONDS = float(os.environ.get("BENCH_SECONDS", "0.7"))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rate(fn: Callable[[], object]) -> float:
    for _ in range(200):
        fn()
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < SECONDS:
        for _ in range(200):
            fn()
        count += 200
    return count / elapsed


def main() -> None:
    private = Ed25519PrivateKey.generate()
    public = private.public_key()
    x = b64(public.public_bytes(Encoding.Raw, PublicFormat.Raw))
    now = int(time.time())
    claims = {
        "sub": "user-1",
        "email": "user-1@example.test",
        "name": "User One",
        "email_verified": True,
        "iat": now,
        "exp": now + 3600,
        "iss": "http://127.0.0.1:3000",
        "aud": "http://127.0.0.1:3000",
        "sid": "bench-session-0000000",
    }
    header = b64(json.dumps({"alg": "EdDSA", "kid": "bench"}).encode())
    payload = b64(json.dumps(claims).encode())
    signing_input = f"{header}.{payload}".encode()
    signature = private.sign(signing_input)
    token = f"{header}.{payload}.{b64(signature)}"
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": "bench", "alg": "EdDSA"}

    settings = {"jwks": {"keys": [jwk]}, "issuer": claims["iss"], "audience": [claims["aud"]]}
    verifier = Verifier(AuthSettings.model_validate({**settings, "token_cache_size": 0}))
    cached = Verifier(AuthSettings.model_validate(settings))
    loop = asyncio.new_event_loop()
    assert loop.run_until_complete(verifier.verify(token)).id == "user-1"
    assert loop.run_until_complete(cached.verify(token)).id == "user-1"
    # One hot token among 9,000 others cached: a hit must not slow down as the cache fills.
    crowded = Verifier(AuthSettings.model_validate(settings))
    for i in range(9000):
        other = f"{header}.{b64(json.dumps({**claims, 'sub': f'other-{i}'}).encode())}"
        loop.run_until_complete(crowded.verify(f"{other}.{b64(private.sign(other.encode()))}"))
    assert loop.run_until_complete(crowded.verify(token)).id == "user-1"
    prepared = jwt.PyJWK(jwk).key
    # The revocation feed on, as a backend runs it: a real feed on loopback listing 10,000 ended
    # sessions (the cap), polled every 5 s (304s, and a parse of the list when it changes).
    feed = JwksServer([])
    feed.revoked_sessions.extend(f"ended-session-{i:08d}" for i in range(10_000))
    feed_settings = {**settings, "revocation_url": feed.revocation_url}
    cold_feed = Verifier(AuthSettings.model_validate({**feed_settings, "token_cache_size": 0}))
    cached_feed = Verifier(AuthSettings.model_validate(feed_settings))
    assert loop.run_until_complete(cold_feed.verify(token)).id == "user-1"
    assert loop.run_until_complete(cached_feed.verify(token)).id == "user-1"

    async def feed_batch() -> None:
        for _ in range(200):
            await cold_feed.verify(token)

    def ours_feed() -> None:
        loop.run_until_complete(feed_batch())

    async def feed_cached_batch() -> None:
        for _ in range(200):
            await cached_feed.verify(token)

    def ours_feed_cached() -> None:
        loop.run_until_complete(feed_cached_batch())

    async def ours_batch() -> None:
        for _ in range(200):
            await verifier.verify(token)

    def ours() -> None:
        loop.run_until_complete(ours_batch())

    async def cached_batch() -> None:
        for _ in range(200):
            await cached.verify(token)

    def ours_cached() -> None:
        loop.run_until_complete(cached_batch())

    async def crowded_batch() -> None:
        for _ in range(200):
            await crowded.verify(token)

    def ours_crowded() -> None:
        loop.run_until_complete(crowded_batch())

    def pyjwt() -> None:
        jwt.decode(token, prepared, algorithms=["EdDSA"], audience=claims["aud"], issuer=claims["iss"])

    def raw() -> None:
        public.verify(signature, signing_input)

    signature_b64 = b64(signature)

    def raw_fresh() -> None:
        # What a server really does: the signature bytes are new on every request.
        public.verify(base64.urlsafe_b64decode(signature_b64 + "=="), signing_input)

    # Interleaved rounds, best of three per row: the machine's clock speed drifts between rows.
    best: dict[str, float] = {}
    for _ in range(3):
        for name, fn, scale in (
            ("raw", raw, 1),
            ("raw_fresh", raw_fresh, 1),
            ("ours", ours, 200),
            ("cached", ours_cached, 200),
            ("crowded", ours_crowded, 200),
            ("pyjwt", pyjwt, 1),
            ("feed", ours_feed, 200),
            ("feed_cached", ours_feed_cached, 200),
        ):
            best[name] = max(best.get(name, 0.0), rate(fn) * scale)
    raw_rate, raw_fresh_rate = best["raw"], best["raw_fresh"]
    ours_rate, cached_rate, pyjwt_rate = best["ours"], best["cached"], best["pyjwt"]
    rows = [
        {"name": "raw cryptography Ed25519 verify", "opsPerSec": raw_rate},
        {"name": "raw cryptography verify, signature decoded per call", "opsPerSec": raw_fresh_rate},
        {"name": "authbridge Verifier.verify, uncached", "opsPerSec": ours_rate},
        {"name": "authbridge Verifier.verify, cached token", "opsPerSec": cached_rate},
        {"name": "authbridge Verifier.verify, hot token among 9,000 cached", "opsPerSec": best["crowded"]},
        {"name": "PyJWT jwt.decode, prepared key", "opsPerSec": pyjwt_rate},
        {"name": "authbridge + revocation feed (10,000 listed), no token cache", "opsPerSec": best["feed"]},
        {
            "name": "authbridge + revocation feed (10,000 listed), token cache hit",
            "opsPerSec": best["feed_cached"],
        },
    ]
    for row in rows:
        print(f"{row['name']:<40} {row['opsPerSec']:>10.0f} ops/s  {row['opsPerSec'] / raw_rate:.2f}x raw")
    loop.run_until_complete(cold_feed.aclose())
    loop.run_until_complete(cached_feed.aclose())
    feed.close()
    print(json.dumps({"kind": "python-verify", "python": platform.python_version(), "rows": rows}))


if __name__ == "__main__":
    main()
