"""A pure ASGI middleware that caps request bodies before anything buffers or parses them.

FastAPI reads a JSON body before it runs dependencies, so without this a 48 MB body with no
token is read whole (and a few in parallel exhaust memory) only to be answered 401. This
middleware hands the app a ``receive`` that, the first time the app asks for the body (by then
routing has chosen the route):

1. authenticates a protected route's request, so a 401 reads no body at all;
2. refuses a declared ``Content-Length`` over the cap at once (413);
3. counts a chunked body as it arrives and stops at the cap (413).

The answers are raised as ``HTTPException`` subclasses, which FastAPI lets through its body
parsing; ``install_auth`` renders them as the contract's JSON.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Literal

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import AuthError

#: Default cap, bytes (``MAX_BODY_BYTES``).
DEFAULT_MAX_BODY_BYTES = 64 * 1024
#: The 413 answer's ``detail`` (the same in the TypeScript twin, docs/contract.md).
TOO_LARGE_DETAIL = "The request body is too large"

#: Called with the scope before the first body byte is read; raises ``AuthError`` for a
#: protected route's bad token.
BeforeBody = Callable[[Scope], Awaitable[None]]


class PayloadTooLarge(HTTPException):
    """413 ``payload_too_large``, with ``Connection: close``: a keep-alive client must not send
    its next request on a socket whose unread body the server is about to drop."""

    def __init__(self) -> None:
        super().__init__(413, TOO_LARGE_DETAIL, headers={"Connection": "close"})


class AuthBeforeBody(HTTPException):
    """An ``AuthError`` found before the body was read."""

    def __init__(self, error: AuthError) -> None:
        super().__init__(error.status, error.detail, headers=error.headers)
        self.error = error


def max_body_bytes_from_env(value: int | Literal["env"] | None) -> int | None:
    """``"env"``: ``MAX_BODY_BYTES`` or 64 KiB (``0`` turns the limit off); else ``value``."""
    if value != "env":
        return value
    raw = os.environ.get("MAX_BODY_BYTES", "").strip()
    if not raw:
        return DEFAULT_MAX_BODY_BYTES
    if not raw.isdigit():
        raise ValueError(f"MAX_BODY_BYTES must be a whole number of bytes, got {raw!r}")
    return int(raw) or None


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, before_body: BeforeBody | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.before_body = before_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared: int | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name.lower() == b"content-length":
                declared = int(value) if value.isdigit() else self.max_body_bytes + 1
            elif name.lower() == b"transfer-encoding":
                chunked = True
        if not chunked and not declared:
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        before_body = self.before_body
        started = False
        received = 0

        async def guarded_receive() -> Message:
            nonlocal started, received
            if not started:
                started = True
                if before_body is not None:
                    try:
                        await before_body(scope)
                    except AuthError as error:
                        raise AuthBeforeBody(error) from None
                if declared is not None and declared > limit:
                    raise PayloadTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge()
            return message

        await self.app(scope, guarded_receive, send)
