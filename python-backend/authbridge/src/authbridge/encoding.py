"""Strict base64url and JSON for token parts (the twin of the TypeScript ``encoding.ts``).

Canonical encodings only: the spare bits of a last character would otherwise let one token be
written several ways, and a token's identity (logs, caches, replay checks) blurs.
"""

from __future__ import annotations

import binascii
import json
import math
import sys
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


#: Deepest nesting of objects and arrays in a token's header or payload (the top object is 1).
#: >>> # a header nested deeper than MAX_JSON_DEPTH levels is malformed_token, in both languages
MAX_JSON_DEPTH = 32


def _reject_constant(name: str) -> Any:
    # NaN / Infinity are not JSON; the TypeScript verifier's JSON.parse refuses them too.
    raise ValueError(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _double_int(text: str) -> int:
    # 308 digits always fit a double; past that the value decides (past 4300 digits int() itself
    # refuses). A number no double can hold is malformed, as it is in the TypeScript verifier.
    value = int(text)
    if len(text) > 308 and abs(value) > sys.float_info.max:
        raise ValueError("number out of range")
    return value


_JSON = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_double_int)


def _depth(value: Any) -> int:
    """Nesting depth of objects and arrays, counted without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


def json_object(segment: str) -> dict[str, Any]:
    raw = decode_segment(segment)
    if not raw:
        raise AuthError("malformed_token")
    try:
        value = _JSON.decode(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        # RecursionError: nesting deep enough to exhaust the parser (a 2.8 KB header does).
        raise AuthError("malformed_token") from err
    if not isinstance(value, dict):
        raise AuthError("malformed_token")
    # Fewer brackets than the limit cannot nest past it: the walk is for the rare deep document.
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and _depth(value) > MAX_JSON_DEPTH:
        raise AuthError("malformed_token")
    return value
