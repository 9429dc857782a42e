"""The auth server's revocation feed (CONTRACT §8), followed the way the JWKS is (the TypeScript
SDK's ``revocations.ts`` behaves the same way).

- The list is fresh for ``revocation_poll_seconds``; a refresh starts in the background before
  that, so under traffic no request waits, and a request that finds it older waits for one.
- Single flight: concurrent requests share one fetch; ``If-None-Match`` makes an unchanged list
  a 304; the body is read up to ``MAX_REVOCATION_BYTES`` and a list over
  ``MAX_REVOCATION_ENTRIES`` is refused whole (dropping entries would un-revoke tokens).
- A failed fetch is retried once per poll interval, and the last good list keeps serving for
  ``revocation_max_stale_seconds`` past its freshness. Past that (or before any list), whether a
  token was revoked is unknown: only a token issued within that window is accepted, any older
  one is ``token_revoked``, so a client's freshly issued token works and an old one fails closed.

A decision is two set lookups, so it runs on verified-token cache hits too.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypedDict

import httpx

from .errors import AuthError
from .polled import DocumentPoller, Fetched
from .principal import Principal
from .settings import AuthSettings

#: A revocation feed larger than this is refused, never parsed (CONTRACT §8 limits).
#: >>> # a feed response over MAX_REVOCATION_BYTES keeps the last good list serving
MAX_REVOCATION_BYTES = 1024 * 1024
#: Entries (sessions and clients) one feed may list; the auth server folds older ones into
#: ``not_before`` past it.
#: >>> # a feed listing more than MAX_REVOCATION_ENTRIES entries is refused whole
MAX_REVOCATION_ENTRIES = 10_000


class RevocationList(TypedDict, total=False):
    """The feed document (``GET /api/auth/revocations``), or a static list for tests.

    >>> create_verifier(jwks=jwks, issuer=iss, audience=[aud], revocation_list={"sessions": ["3q2-…"]})
    """

    #: ``sid`` values of ended sessions.
    sessions: list[str]
    #: ``client_id`` values of revoked machine clients.
    clients: list[str]
    #: Every token issued (``iat``) before this time, seconds, is revoked; 0 when nothing was folded.
    not_before: float


@dataclass(frozen=True, slots=True)
class RevocationSnapshot:
    """A parsed list; ``fetched_at`` on the cache's monotonic clock, seconds."""

    sessions: frozenset[str]
    clients: frozenset[str]
    not_before: float
    fetched_at: float


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None


def parse_revocation_list(document: Any, fetched_at: float) -> RevocationSnapshot:
    """The sets of a feed document; raises ``ValueError`` on anything that is not one, or over the limit."""
    if not isinstance(document, dict):
        raise ValueError("not a revocation list")
    sessions = _strings(document.get("sessions", []))
    clients = _strings(document.get("clients", []))
    if sessions is None or clients is None:
        raise ValueError("sessions and clients must be arrays of strings")
    not_before = document.get("not_before", 0)
    is_number = isinstance(not_before, int | float) and not isinstance(not_before, bool)
    if not is_number or not math.isfinite(not_before):
        raise ValueError("not_before must be a number")
    if len(sessions) + len(clients) > MAX_REVOCATION_ENTRIES:
        raise ValueError(f"more than {MAX_REVOCATION_ENTRIES} entries")
    return RevocationSnapshot(frozenset(sessions), frozenset(clients), float(not_before), fetched_at)


class RevocationCache:
    """Follows the revocation feed; ``check`` is the only thing a verifier calls.

    >>> cache = RevocationCache("http://127.0.0.1:3000/api/auth/revocations")
    >>> await cache.check(principal)  # raises AuthError("token_revoked") once its session ended
    """

    def __init__(
        self,
        url: str | None,
        *,
        static_list: Mapping[str, Any] | None = None,
        poll_seconds: float = 5,
        max_stale_seconds: float = 300,
        timeout_seconds: float = 2,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if url is None and static_list is None:
            raise ValueError("RevocationCache needs a url or a static list")
        self._poll = poll_seconds
        self._ahead = min(1.0, poll_seconds * 0.2)
        self._max_stale = max_stale_seconds
        self._clock = clock
        self._wall_clock = wall_clock
        self._static = static_list is not None
        self._snapshot: RevocationSnapshot | None = None
        self._poller: DocumentPoller | None = None
        if static_list is not None:
            self._snapshot = parse_revocation_list(dict(static_list), math.inf)
        elif url is not None:
            self._poller = DocumentPoller(
                url,
                self._take,
                timeout=timeout_seconds,
                max_bytes=MAX_REVOCATION_BYTES,
                name="revocation list",
                failed_line="authbridge: the revocation feed fetch failed (%s); "
                + f"the last good list serves for {_seconds(max_stale_seconds)} s",
                recovered_line=f"authbridge: the revocation feed answers again (GET {url})",
                clock=clock,
                client=client,
            )

    @property
    def fetch_count(self) -> int:
        """Number of HTTP fetches made (a metric)."""
        return self._poller.fetch_count if self._poller else 0

    @property
    def last_error(self) -> str | None:
        """Why the last fetch failed, or None after a success."""
        return self._poller.last_error if self._poller else None

    @classmethod
    def from_settings(
        cls,
        settings: AuthSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> RevocationCache | None:
        """The cache the ``AUTH_REVOCATION_*`` settings describe, or ``None`` when revocation is off."""
        if settings.revocation_feed is None and settings.revocation_list is None:
            return None
        return cls(
            settings.revocation_feed,
            static_list=settings.revocation_list,
            poll_seconds=settings.revocation_poll_seconds,
            max_stale_seconds=settings.revocation_max_stale_seconds,
            timeout_seconds=settings.revocation_timeout_seconds,
            clock=clock,
            wall_clock=wall_clock,
        )

    def check(self, principal: Principal) -> Awaitable[None] | None:
        """Raises ``token_revoked`` if the token is listed (or cannot be cleared, see above); a user
        token without ``sid`` is ``invalid_claims``, since no sign-out could ever reach it.
        Returns ``None`` while the list is fresh, else an awaitable that settles after the refresh.
        """
        if principal.kind == "user" and principal.session_id is None:
            raise AuthError("invalid_claims")
        now = self._clock()
        snapshot = self._snapshot
        if snapshot is not None and (self._static or now < snapshot.fetched_at + self._poll):
            if self._poller is not None and now >= snapshot.fetched_at + self._poll - self._ahead:
                self._poller.refresh_in_background(self._poll)
            _decide(snapshot, principal)
            return None
        if self._poller is None or self._poller.failed_within(self._poll):
            self._decide_stale(principal)
            return None
        return self._refresh_then_decide(principal)

    async def warm(self) -> bool:
        """Fetch now (at start-up). Returns whether a usable list is cached."""
        if self._poller is not None:
            await self._poller.refresh()
        return self._usable() is not None

    async def aclose(self) -> None:
        if self._poller is not None:
            await self._poller.aclose()

    async def _refresh_then_decide(self, principal: Principal) -> None:
        assert self._poller is not None
        await self._poller.refresh()
        self._decide_stale(principal)

    def _usable(self) -> RevocationSnapshot | None:
        snapshot = self._snapshot
        if snapshot is None or self._static:
            return snapshot
        if self._clock() < snapshot.fetched_at + self._poll + self._max_stale:
            return snapshot
        return None

    def _decide_stale(self, principal: Principal) -> None:
        """With the freshest list there is; without one, only a token younger than the stale window passes."""
        snapshot = self._usable()
        if snapshot is not None:
            _decide(snapshot, principal)
            return
        issued = principal.issued_at
        age = math.inf if issued is None else self._wall_clock() - issued
        if not age <= self._max_stale:
            raise AuthError("token_revoked")
        # Still refuse what the last list named, however old it is.
        if self._snapshot is not None:
            _decide(self._snapshot, principal)

    def _take(self, fetched: Fetched) -> None:
        """A fetched list in: a 304 keeps the sets."""
        fetched_at = self._clock()
        if not fetched.not_modified:
            self._snapshot = parse_revocation_list(fetched.document, fetched_at)
        elif self._snapshot is not None:
            self._snapshot = replace(self._snapshot, fetched_at=fetched_at)
        else:
            raise ValueError("answered 304 to a first request")


def _seconds(value: float) -> str:
    # The same figure the TypeScript line prints (300, not 300.0).
    return str(int(value)) if float(value).is_integer() else str(value)


def _decide(snapshot: RevocationSnapshot, principal: Principal) -> None:
    if principal.kind == "user":
        listed = principal.session_id in snapshot.sessions
    else:
        listed = principal.client_id in snapshot.clients
    if listed or (snapshot.not_before > 0 and (principal.issued_at or 0) < snapshot.not_before):
        raise AuthError("token_revoked")
