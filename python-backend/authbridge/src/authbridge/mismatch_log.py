"""A token refused for its issuer or audience is almost always a configuration mistake (the auth
server signs for one URL, the service expects another): it leaves a warning naming the expected
and the received value, once per distinct pair so a stream of such tokens cannot flood the log,
and never the token. The claims were read after the signature held, so the values come from a
trusted signer. The TypeScript ``mismatch-log.ts`` writes the same lines.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

logger = logging.getLogger("authbridge")

#: Distinct pairs remembered; past that a new pair is not logged (the log stays bounded).
MAX_PAIRS = 64


def _json(value: Any) -> str:
    # JSON.stringify's spelling, so both languages write the same line.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class MismatchLog:
    def __init__(self, issuer: str, audiences: Sequence[str]) -> None:
        self._issuer = issuer
        self._audiences = list(audiences)
        self._seen: set[str] = set()

    def report(self, code: str, payload: Mapping[str, Any]) -> None:
        """Logs ``code``'s mismatch for this payload if the pair is new; other codes are ignored."""
        if code == "invalid_issuer":
            message = (
                f"authbridge: a token was refused for its issuer {_json(payload.get('iss'))}; "
                f"expected {_json(self._issuer)} (AUTH_ISSUER)"
            )
        elif code == "invalid_audience":
            message = (
                f"authbridge: a token was refused for its audience {_json(payload.get('aud'))}; "
                f"expected one of {_json(self._audiences)} (AUTH_AUDIENCE)"
            )
        else:
            return
        if message in self._seen or len(self._seen) >= MAX_PAIRS:
            return
        self._seen.add(message)
        logger.warning("%s", message)
