"""Request bodies as strict JSON (RFC 8259): ``NaN``, ``Infinity``, numbers too large for a
double (``1e400``, or an integer past one: 400 digits, 5000 digits), a byte order mark, invalid
UTF-8 and nesting deep enough to exhaust the parser are all ``json_invalid`` 422s, exactly as the
TypeScript twin sees them, instead of values no JSON response can carry (a 500) or FastAPI's
generic 400.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute


def _reject_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not JSON", name, 0)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise json.JSONDecodeError("number out of range", text, 0)
    return value


def _double_int(text: str) -> int:
    # 308 digits always fit a double; past that the value decides (and past 4300 digits Python
    # refuses to convert at all, with a ValueError that would otherwise be a 500).
    if len(text.lstrip("-")) <= 308:
        return int(text)
    try:
        value = int(text)
    except ValueError as error:
        raise json.JSONDecodeError("number out of range", text, 0) from error
    if abs(value) > sys.float_info.max:
        raise json.JSONDecodeError("number out of range", text, 0)
    return value


def parse_strict_json(body: bytes) -> Any:
    """``json.loads`` that refuses what RFC 8259 JSON cannot hold; every failure is a JSONDecodeError."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise json.JSONDecodeError("invalid UTF-8", "", error.start) from error
    # No byte order mark: RFC 8259 §8.1 forbids sending one (str json.loads refuses it too; kept
    # explicit because bytes json.loads would skip it).
    if text.startswith("\ufeff"):
        raise json.JSONDecodeError("byte order mark", text, 0)
    try:
        return json.loads(
            text, parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_double_int
        )
    except RecursionError as error:
        raise json.JSONDecodeError("nested too deeply", text, 0) from error


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse_strict_json(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """An ``APIRoute`` whose handlers read bodies with ``parse_strict_json``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_handler
