"""HTTP answers at the edge: an ``AuthError`` as the contract's status, headers and body; a
refused body as 413; FastAPI's own 422, made safe to serialise."""

from __future__ import annotations

import math
import re
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.responses import Response

from ..body_limit import AuthBeforeBody, PayloadTooLarge
from ..errors import AuthError


def auth_error_response(error: AuthError) -> JSONResponse:
    """The contract's answer for ``error``: its status, headers and ``{"detail", "code"}``.

    >>> return auth_error_response(AuthError(ErrorCode.FORBIDDEN))
    """
    return JSONResponse(error.body, status_code=error.status, headers=error.headers)


async def auth_error_handler(_request: Request, exc: Exception) -> Response:
    """The exception handler ``install_auth`` registers for ``AuthError``; for an app that
    registers its handlers itself. TypeScript: ``app.onError(authErrorHandler())``.

    >>> app.add_exception_handler(AuthError, auth_error_handler)
    """
    assert isinstance(exc, AuthError)
    return auth_error_response(exc)


async def before_body_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AuthBeforeBody)
    return auth_error_response(exc.error)


async def too_large_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PayloadTooLarge)
    return JSONResponse(
        {"detail": exc.detail, "code": "payload_too_large"}, status_code=413, headers=exc.headers
    )


async def validation_handler(_request: Request, exc: Exception) -> Response:
    """FastAPI's own 422 body, made JSON-safe: a NaN, an infinity or an unpaired surrogate the
    client sent comes back in ``input``, and a JSON response cannot carry it (a 500 otherwise)."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": _json_safe(jsonable_encoder(exc.errors()))}, status_code=422)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str) and _SURROGATE.search(value):
        # An unpaired surrogate has no UTF-8 spelling: echoed as sent, it would make the 422 a 500.
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value
