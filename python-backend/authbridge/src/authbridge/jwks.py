"""An async JWKS cache: what no single library does together.

- Freshness from the response's ``Cache-Control: max-age`` clamped to [60 s, 24 h], else
  ``jwks_cache_seconds``; a refresh starts in the background before the set goes stale, so
  requests do not wait for it.
- Single flight: concurrent requests share one fetch.
- An unknown ``kid`` refetches at most once per ``jwks_cooldown_seconds`` (a stream of random
  kids cannot turn into a stream of outbound requests).
- Stale-if-error: while the endpoint fails, the last good set serves for up to
  ``jwks_max_stale_seconds`` past its freshness; then an undecidable token is
  ``jwks_unavailable`` (503), never a 401 and never a 500.
- Keys are parsed once per set and kept per ``kid``; a key that leaves the set stops verifying.

PyJWT's ``PyJWKClient`` is not used for fetching: it blocks the event loop, has no cooldown and
wipes its cache when a fetch fails (pyjwt #1162).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from .errors import AuthError
from .keys import PublicKey
from .polled import DocumentPoller, Fetched
from .settings import AuthSettings

MIN_MAX_AGE = 60.0
MAX_MAX_AGE = 24 * 3600.0
#: A JWKS larger than this is not a key set anyone publishes.
#: >>> # a larger JWKS response is refused (jwks_unavailable), never parsed
MAX_JWKS_BYTES = 256 * 1024
#: Only the first ``MAX_JWKS_KEYS`` keys of a JWKS are read.
#: >>> # a key set of 1000 keys is read as its first MAX_JWKS_KEYS
MAX_JWKS_KEYS = 100
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)\"?\s*(?:,|$)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class KeySet:
    """One fetched key set: usable Ed25519 keys by kid (``None`` for a key without one)."""

    keys: Mapping[str | None, PublicKey]
    fetched_at: float
    fresh_until: float


def parse_jwks(
    document: Any, previous: Mapping[str | None, PublicKey] | None = None
) -> dict[str | None, PublicKey]:
    """The usable public Ed25519 keys of a JWKS document; anything else in it is ignored.

    A key already parsed from ``previous`` (same kid, same ``x``) is reused as it is.
    """
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS document")
    keys: dict[str | None, PublicKey] = {}
    for entry in document["keys"][:MAX_JWKS_KEYS]:
        if not isinstance(entry, dict):
            continue
        if entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519" or not isinstance(entry.get("x"), str):
            continue
        if entry.get("alg") not in (None, "EdDSA", "Ed25519") or entry.get("use") not in (None, "sig"):
            continue
        kid = entry.get("kid")
        if kid is not None and not isinstance(kid, str):
            continue
        if kid in keys:
            continue
        known = previous.get(kid) if previous is not None and kid is not None else None
        if known is not None and known.x == entry["x"]:
            keys[kid] = known
            continue
        try:
            # Only the public members: a stray private `d` in a published set is never used.
            keys[kid] = PublicKey(entry["x"])
        except Exception:  # noqa: S112 - a malformed key is skipped, the rest of the set still serves
            continue
    return keys


def max_age_of(cache_control: str | None) -> float | None:
    """The ``max-age`` of a Cache-Control value clamped to [60 s, 24 h], or ``None``."""
    if not cache_control:
        return None
    match = _MAX_AGE.search(cache_control)
    if not match:
        return None
    return min(MAX_MAX_AGE, max(MIN_MAX_AGE, float(match.group(1))))


class JwksCache:
    """Fetches and caches a JWKS; ``get_key`` is the only thing a verifier calls.

    >>> cache = JwksCache("http://127.0.0.1:3000/.well-known/jwks.json")
    >>> key = await cache.get_key("kid-from-token-header")
    """

    def __init__(
        self,
        url: str | None,
        *,
        static_jwks: Mapping[str, Any] | None = None,
        cache_seconds: float = 300,
        cooldown_seconds: float = 30,
        max_stale_seconds: float = 86400,
        timeout_seconds: float = 5,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if url is None and static_jwks is None:
            raise ValueError("JwksCache needs a url or a static key set")
        self._cache_seconds = cache_seconds
        self._cooldown = cooldown_seconds
        self._max_stale = max_stale_seconds
        self._clock = clock
        self._keyset: KeySet | None = None
        self._last_unknown_refetch = -math.inf
        self._poller = (
            DocumentPoller(
                url,
                self._take,
                timeout=timeout_seconds,
                max_bytes=MAX_JWKS_BYTES,
                name="JWKS",
                failed_line="authbridge: the JWKS fetch failed (%s); the last good key set serves meanwhile",
                recovered_line=f"authbridge: the JWKS answers again (GET {url})",
                clock=clock,
                client=client,
            )
            if url is not None
            else None
        )
        if static_jwks is not None:
            self._keyset = KeySet(parse_jwks(static_jwks), clock(), math.inf)

    @property
    def fetch_count(self) -> int:
        """Number of HTTP fetches made (a metric)."""
        return self._poller.fetch_count if self._poller else 0

    @property
    def last_error(self) -> str | None:
        """Why the last fetch failed (URL and status or error), or None after a success."""
        return self._poller.last_error if self._poller else None

    def peek(self, kid: str | None) -> PublicKey | None:
        """The key for ``kid`` when it can be answered without I/O (fresh set, known kid).

        Lets the verifier skip a coroutine on its hot path.
        """
        keyset = self._keyset
        if keyset is None or self._clock() >= keyset.fresh_until - self._refresh_ahead(keyset):
            return None
        return _lookup(keyset, kid)

    async def get_key(self, kid: str | None) -> PublicKey:
        """The key for ``kid``; raises ``AuthError`` ``unknown_key`` or ``jwks_unavailable``."""
        now = self._clock()
        keyset = self._keyset
        fetched = False
        if keyset is None or now >= keyset.fresh_until:
            if not self._failed_recently():
                await self._refresh()
                fetched = True
        elif now >= keyset.fresh_until - self._refresh_ahead(keyset):
            self._refresh_in_background()

        keyset = self._usable()
        if keyset is None:
            raise AuthError("jwks_unavailable", retry_after=self._retry_after())
        key = _lookup(keyset, kid)
        if key is not None:
            return key
        if kid is None:
            raise AuthError("unknown_key")

        now = self._clock()
        if not fetched and now - self._last_unknown_refetch >= self._cooldown and self._poller is not None:
            self._last_unknown_refetch = now
            await self._refresh()
            keyset = self._usable()
            key = _lookup(keyset, kid) if keyset else None
            if key is not None:
                return key
        if self._poller is not None and self._poller.last_failed:
            # The key set could not be refreshed: this kid may be a new key we cannot see yet.
            raise AuthError("jwks_unavailable", retry_after=self._retry_after())
        raise AuthError("unknown_key")

    @classmethod
    def from_settings(
        cls, settings: AuthSettings, *, clock: Callable[[], float] = time.monotonic
    ) -> JwksCache:
        """The cache the ``AUTH_*`` settings describe."""
        return cls(
            settings.jwks_url,
            static_jwks=settings.jwks,
            cache_seconds=settings.jwks_cache_seconds,
            cooldown_seconds=settings.jwks_cooldown_seconds,
            max_stale_seconds=settings.jwks_max_stale_seconds,
            timeout_seconds=settings.jwks_timeout_seconds,
            clock=clock,
        )

    async def warm(self) -> bool:
        """Fetch now (e.g. in an app's lifespan). Returns whether a usable set is cached."""
        await self._refresh()
        return self._usable() is not None

    async def aclose(self) -> None:
        if self._poller is not None:
            await self._poller.aclose()

    def _usable(self) -> KeySet | None:
        keyset = self._keyset
        if keyset is None or self._clock() >= keyset.fresh_until + self._max_stale:
            return None
        return keyset

    def _refresh_ahead(self, keyset: KeySet) -> float:
        return min(60.0, (keyset.fresh_until - keyset.fetched_at) * 0.2)

    def _failed_recently(self) -> bool:
        return self._poller is not None and self._poller.failed_within(self._cooldown)

    def _retry_after(self) -> int:
        last_attempt = self._poller.last_attempt if self._poller else -math.inf
        remaining = self._cooldown - (self._clock() - last_attempt)
        return max(1, math.ceil(remaining)) if math.isfinite(remaining) else 1

    def _refresh_in_background(self) -> None:
        if self._poller is not None:
            self._poller.refresh_in_background(self._cooldown)

    async def _refresh(self) -> None:
        if self._poller is not None:
            await self._poller.refresh()

    def _take(self, fetched: Fetched) -> None:
        """A fetched JWKS in: freshness from its max-age; a 304 keeps the keys."""
        previous = self._keyset
        now = self._clock()
        ttl = max_age_of(fetched.cache_control) or self._cache_seconds
        if fetched.not_modified:
            if previous is None:
                raise ValueError("answered 304 to a first request")
            self._keyset = KeySet(previous.keys, now, now + ttl)
        else:
            keys = parse_jwks(fetched.document, previous.keys if previous else None)
            self._keyset = KeySet(keys, now, now + ttl)


def _lookup(keyset: KeySet, kid: str | None) -> PublicKey | None:
    if kid is not None:
        return keyset.keys.get(kid)
    # No kid: only unambiguous when the set holds exactly one usable key (CONTRACT §2.4).
    if len(keyset.keys) == 1:
        return next(iter(keyset.keys.values()))
    return None
