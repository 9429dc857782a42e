from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from authbridge import AuthSettings, Verifier
from authbridge.jwks import JwksCache
from authbridge.revocations import RevocationCache

from ..support import AUDIENCE, ISSUER, FakeClock, JwksServer

MakeVerifier = Callable[..., Verifier]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def make_verifier(jwks: JwksServer, clock: FakeClock) -> AsyncIterator[MakeVerifier]:
    """Verifiers on the test's JWKS server whose monotonic and wall clocks are `clock`."""
    built: list[Verifier] = []

    def make(**overrides: object) -> Verifier:
        # The JWKS cache's own tests: revocation has its own (test_revocation.py).
        options: dict[str, object] = {
            "jwks_url": jwks.url,
            "revocation_url": "off",
            "issuer": ISSUER,
            "audience": [AUDIENCE],
        }
        options.update(overrides)
        settings = AuthSettings.model_validate(options)
        cache = JwksCache.from_settings(settings, clock=clock)
        revocations = RevocationCache.from_settings(settings, clock=clock, wall_clock=clock)
        verifier = Verifier(settings, jwks=cache, revocations=revocations, now=clock)
        built.append(verifier)
        return verifier

    yield make
    for verifier in built:
        await verifier.aclose()
