"""A pure ASGI middleware that caps request bodies before anything buffers or parses them.

FastAPI reads a JSON body before it runs dependencies, so without this a 48 MB body with no
token is read whole (and a few in parallel exhaust memory) only to be answered 401. This
middleware hands the app a ``receive`` that, the first time the app asks for the body (by then
routing has chosen the route):

1. authenticates a protected route's request, so a 401 reads no body at all;
2. refuses a declared ``Content-Length`` over the cap at once (413);
3. counts a chunked body as it arrives and stops at the cap (413).

The answers are raised as ``HTTPException`` subclasses, which FastAPI lets through its body
parsing; ``install_auth`` renders them as the contract's JSON. Before either answer the rest of
the body is read and thrown away (at most ``DRAIN_MAX_BYTES`` within ``DRAIN_SECONDS``): a server
that closes a connection with unread data makes the client's kernel see a reset, and the client
never reads the 413 or 401 it was sent. Nothing drained is kept.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable
from types import EllipsisType
from typing import Literal

import anyio
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import AuthError

#: Default cap, bytes (``MAX_BODY_BYTES``): 1 MiB, nginx's ``client_max_body_size``, so an
#: ordinary app's uploads keep working; a route raises or lowers it with ``body_limit``.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
#: The 413 answer's ``detail`` (the same in the TypeScript twin, docs/contract.md).
TOO_LARGE_DETAIL = "The request body is too large"
#: Most of a refused body read and discarded so that the client gets the answer, bytes.
DRAIN_MAX_BYTES = 16 * 1024 * 1024
#: Longest time spent discarding a refused body, seconds.
DRAIN_SECONDS = 5.0

#: Called with the scope before the first body byte is read; raises ``AuthError`` for a
#: protected route's bad token.
BeforeBody = Callable[[Scope], Awaitable[None]]
#: The cap of the route the scope was routed to: bytes, ``None`` for no cap, or ``...`` for
#: the app's default.
RouteLimit = Callable[[Scope], "int | EllipsisType | None"]


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
    """``"env"``: ``MAX_BODY_BYTES`` or 1 MiB (``0`` turns the limit off); else ``value``."""
    if value != "env":
        return value
    raw = os.environ.get("MAX_BODY_BYTES", "").strip()
    if not raw:
        return DEFAULT_MAX_BODY_BYTES
    if not raw.isdigit():
        raise ValueError(f"MAX_BODY_BYTES must be a whole number of bytes, got {raw!r}")
    return int(raw) or None


async def _drain(receive: Receive) -> None:
    """Reads and discards the rest of a refused body, bounded in bytes and time."""
    drained = 0
    with anyio.move_on_after(DRAIN_SECONDS):
        while drained < DRAIN_MAX_BYTES:
            message = await receive()
            if message["type"] != "http.request":
                return
            drained += len(message.get("body", b""))
            if not message.get("more_body", False):
                return


class BodyLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int | None,
        before_body: BeforeBody | None = None,
        route_limit: RouteLimit | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.before_body = before_body
        self.route_limit = route_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared: int | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name.lower() == b"content-length":
                # A length that is no number can be no smaller than any cap.
                declared = int(value) if value.isdigit() else sys.maxsize
            elif name.lower() == b"transfer-encoding":
                chunked = True
        if not chunked and not declared:
            await self.app(scope, receive, send)
            return
        limit: int | None = self.max_body_bytes
        before_body = self.before_body
        route_limit = self.route_limit
        started = False
        received = 0

        async def guarded_receive() -> Message:
            nonlocal started, received, limit
            if not started:
                started = True
                # Routing has chosen the route by now: its own cap, if it set one, decides.
                chosen = route_limit(scope) if route_limit is not None else ...
                if chosen is not ...:
                    limit = chosen
                if before_body is not None:
                    try:
                        await before_body(scope)
                    except AuthError as error:
                        await _drain(receive)
                        raise AuthBeforeBody(error) from None
                if limit is not None and declared is not None and declared > limit:
                    await _drain(receive)
                    raise PayloadTooLarge()
            message = await receive()
            if limit is not None and message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    if message.get("more_body", False):
                        await _drain(receive)
                    raise PayloadTooLarge()
            return message

        await self.app(scope, guarded_receive, send)
