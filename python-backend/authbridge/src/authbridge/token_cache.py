"""A bounded LRU of verified tokens, keyed by the token itself. A hit skips parsing and the
signature; it is still refused once the token expires (with the same leeway as a fresh
verification) or once its key leaves the set. Only successful verifications enter it.

The TypeScript SDK's ``token-cache.ts`` has the same rules but evicts by second chance (CLOCK):
re-inserting into a ``Map`` on every hit is slow in V8, while ``OrderedDict.move_to_end`` is O(1).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from jwt import PyJWK

from .principal import Principal


@dataclass(frozen=True, slots=True)
class CachedToken:
    principal: Principal
    kid: str | None
    #: The key that verified it: a hit counts only while the set still maps ``kid`` to it.
    key: PyJWK
    #: ``exp + leeway`` in seconds: from then on the token is expired.
    expires_at: float


class TokenCache:
    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, CachedToken] = OrderedDict()

    def get(self, token: str, now: float) -> CachedToken | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        if now >= entry.expires_at:
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return entry

    def set(self, token: str, entry: CachedToken) -> None:
        if self._capacity == 0:
            return
        self._entries[token] = entry
        self._entries.move_to_end(token)
        if len(self._entries) > self._capacity:
            self._entries.popitem(last=False)

    def delete(self, token: str) -> None:
        self._entries.pop(token, None)
