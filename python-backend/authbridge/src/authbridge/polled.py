"""A document a verifier polls (the JWKS, the revocation list), fetched the one way both caches
fetch (the TypeScript SDK's ``polled-document.ts`` is the same): single flight, ``If-None-Match``
with the last ETag, no redirects, a timeout, the body read only up to a cap and parsed as JSON,
and one log line per outage and one when it ends. ``jwks.py`` and ``revocations.py`` decide what
the document means and when to ask for it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

logger = logging.getLogger("authbridge")


@dataclass(frozen=True, slots=True)
class Fetched:
    """What one successful fetch brought: a new document, or the word that the last one holds."""

    not_modified: bool
    document: Any
    cache_control: str | None


class DocumentPoller:
    """Fetches one URL for a cache; ``apply`` takes each fetched document in (raising refuses it)."""

    def __init__(
        self,
        url: str,
        apply: Callable[[Fetched], Awaitable[None] | None],
        *,
        timeout: float,
        max_bytes: int,
        name: str,
        failed_line: str,
        recovered_line: str,
        clock: Callable[[], float],
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = url
        self._apply = apply
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._name = name
        # %-style, with the error as its one argument: the logging module formats it.
        self._failed_line = failed_line
        self._recovered_line = recovered_line
        self._clock = clock
        self._client = client
        self._owns_client = client is None
        self._etag: str | None = None
        self._inflight: asyncio.Future[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        #: Number of HTTP fetches made (a metric).
        self.fetch_count = 0
        #: Why the last fetch failed (URL and status or error), or None after a success.
        self.last_error: str | None = None
        #: When the last fetch started, on the cache's clock.
        self.last_attempt = -math.inf
        self.last_failed = False

    @property
    def busy(self) -> bool:
        return self._inflight is not None

    def failed_within(self, cooldown: float) -> bool:
        """Whether the last fetch failed less than ``cooldown`` seconds ago."""
        return self.last_failed and self._clock() - self.last_attempt < cooldown

    async def refresh(self) -> None:
        """Single flight: every caller awaits the one fetch under way. Never raises."""
        if self._inflight is None:
            inflight = asyncio.ensure_future(self._fetch())
            self._inflight = inflight
            inflight.add_done_callback(lambda _: setattr(self, "_inflight", None))
        # shield: a caller that is cancelled must not cancel the fetch the others wait on.
        await asyncio.shield(self._inflight)

    def refresh_in_background(self, cooldown: float) -> None:
        """A refresh nobody waits for, unless one is under way or one failed within ``cooldown``."""
        if self._inflight is not None or self.failed_within(cooldown):
            return
        task = asyncio.ensure_future(self.refresh())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def aclose(self) -> None:
        for task in list(self._background):
            task.cancel()
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _fetch(self) -> None:
        self.last_attempt = self._clock()
        self.fetch_count += 1
        try:
            if self._client is None:
                self._client = httpx.AsyncClient(follow_redirects=False)
            headers = {"accept": "application/json"}
            if self._etag:
                headers["if-none-match"] = self._etag
            async with self._client.stream(
                "GET", self._url, headers=headers, timeout=self._timeout
            ) as response:
                cache_control = response.headers.get("cache-control")
                if response.status_code == 304 and self._etag:
                    await _settle(self._apply(Fetched(True, None, cache_control)))
                elif response.status_code == 200:
                    document = json.loads(await self._read_capped(response))
                    await _settle(self._apply(Fetched(False, document, cache_control)))
                    self._etag = response.headers.get("etag")
                else:
                    raise ValueError(f"answered {response.status_code}")
            if self.last_failed:
                logger.info(self._recovered_line)
            self.last_failed = False
            self.last_error = None
        except Exception as error:
            self.last_error = f"GET {self._url}: {error or type(error).__name__}"
            # Once per outage: the cache retries on its own, and every request would repeat the line.
            if not self.last_failed:
                logger.warning(self._failed_line, self.last_error)
            self.last_failed = True

    async def _read_capped(self, response: httpx.Response) -> bytes:
        """The body, read only up to the cap: a huge or endless one costs nothing."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise ValueError(f"{self._name} larger than {self._max_bytes} bytes")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > self._max_bytes:
                raise ValueError(f"{self._name} larger than {self._max_bytes} bytes")
        return bytes(body)


async def _settle(result: Awaitable[None] | None) -> None:
    if result is not None:
        await result
