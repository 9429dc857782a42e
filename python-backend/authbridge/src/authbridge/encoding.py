"""Strict base64url and JSON for token parts (the twin of the TypeScript ``encoding.ts``).

Canonical encodings only: the spare bits of a last character would otherwise let one token be
written several ways, and a token's identity (logs, caches, replay checks) blurs.
"""

from __future__ import annotations

import binascii
import json
from typing import Any

from .errors import AuthError

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# bytes.translate: str.translate would cost more than the base64 decode itself.
_TO_STANDARD = bytes.maketrans(b"-_", b"+/")


def _canonical_tail(segment: str) -> bool:
    """Whether the unused low bits of the last character are zero (the one canonical spelling).

    Otherwise the spare bits would let one token be written several ways, and a token's
    identity (logs, caches, replay checks) blurs.
    """
    rest = len(segment) % 4
    if rest == 0:
        return True
    value = _ALPHABET.find(segment[-1])
    return value >= 0 and value & (0x0F if rest == 2 else 0x03) == 0


def decode_segment(segment: str) -> bytes:
    # strict_mode rejects anything outside the standard alphabet; the url-safe spelling is
    # mapped onto it, so the standard-only characters and padding are refused first.
    if "+" in segment or "/" in segment or "=" in segment or len(segment) % 4 == 1:
        raise AuthError("malformed_token")
    if not _canonical_tail(segment):
        raise AuthError("malformed_token")
    try:
        standard = segment.encode("ascii").translate(_TO_STANDARD) + b"=" * (-len(segment) % 4)
        return binascii.a2b_base64(standard, strict_mode=True)
    except (binascii.Error, ValueError, UnicodeEncodeError) as err:
        raise AuthError("malformed_token") from err


def _reject_constant(name: str) -> Any:
    # NaN / Infinity are not JSON; the TypeScript verifier's JSON.parse refuses them too.
    raise ValueError(name)


_JSON = json.JSONDecoder(parse_constant=_reject_constant)


def json_object(segment: str) -> dict[str, Any]:
    raw = decode_segment(segment)
    if not raw:
        raise AuthError("malformed_token")
    try:
        value = _JSON.decode(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise AuthError("malformed_token") from err
    if not isinstance(value, dict):
        raise AuthError("malformed_token")
    return value
