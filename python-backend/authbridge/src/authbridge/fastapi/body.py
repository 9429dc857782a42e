"""A route's own body cap (``body_limit``), and what the body-limit middleware asks of routing:
each route's cap, and its authentication before the body is read."""

from __future__ import annotations

from types import EllipsisType
from typing import Any, cast

from fastapi import Depends, Request
from fastapi.routing import APIRoute

from .routes import BODY_LIMITS, authenticator_of, dependency_calls, registered

#: Where a route keeps the cap found for it (routes are unhashable: no dictionary can key them).
_ROUTE_CAP_ATTRIBUTE = "_authbridge_body_cap"
_NOT_LOOKED_UP = object()


def body_limit(max_bytes: int | None) -> Any:
    """This route's body cap instead of the app's (``install_auth``'s ``max_body_bytes``): bytes,
    or ``None`` for no cap. Authentication still comes before the body.

    >>> @app.post("/api/uploads", dependencies=[body_limit(50 * 1024 * 1024)])
    ... async def upload(user: CurrentUser, request: Request) -> dict[str, int]: ...
    """
    if max_bytes is not None and (not isinstance(max_bytes, int) or max_bytes < 1):
        raise ValueError("authbridge: body_limit takes a positive number of bytes, or None for no cap")

    async def route_body_limit() -> None:
        return None

    BODY_LIMITS[route_body_limit] = max_bytes
    return Depends(route_body_limit)


def route_body_limit(scope: Any) -> int | EllipsisType | None:
    """The cap of the route routing chose: its ``body_limit``, or ``...`` for the app's."""
    route = scope.get("route")
    if not isinstance(route, APIRoute):
        return ...
    cached = getattr(route, _ROUTE_CAP_ATTRIBUTE, _NOT_LOOKED_UP)
    if cached is not _NOT_LOOKED_UP:
        return cast(int | EllipsisType | None, cached)
    found = (registered(BODY_LIMITS, call, ...) for call in dependency_calls(route))
    caps = [cap for cap in found if cap is not ...]
    cap: int | EllipsisType | None = caps[0] if caps else ...
    setattr(route, _ROUTE_CAP_ATTRIBUTE, cap)
    return cap


async def authenticate_before_body(scope: Any) -> None:
    """Authenticate a protected route's request before its body is read.

    Routing has chosen the route by the time the app first reads the body; a route that does
    not authenticate (or whose authentication is overridden) is left alone. FastAPI runs a
    route's dependencies before it validates its other parameters, so with this the contract's
    401 comes before any 422.
    """
    found = authenticator_of(scope.get("route"))
    app = scope.get("app")
    if found is None or found[0] in getattr(app, "dependency_overrides", {}):
        return
    principal = await found[1](Request(scope))
    scope.setdefault("authbridge.principals", {})[found[0]] = principal
