"""What a route depends on, found the way FastAPI itself resolves it: for the body limit, the 422
answer and the OpenAPI documentation, which all ask "does this route authenticate, and how?"."""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi import routing as fastapi_routing
from fastapi.routing import APIRoute

from ..principal import Principal

T = TypeVar("T")

Authenticate = Callable[[Request], Awaitable[Principal]]

#: Every dependency that authenticates a caller, and how it does so.
AUTHENTICATORS: weakref.WeakKeyDictionary[Callable[..., Any], Authenticate] = weakref.WeakKeyDictionary()
#: The authenticating dependencies that admit machine clients too (``get_current_caller``).
ADMITS_CLIENTS: weakref.WeakSet[Callable[..., Any]] = weakref.WeakSet()
#: The dependencies ``require_role`` / ``require_permission`` made, and the 403 code each may answer.
ACCESS_CHECKS: weakref.WeakKeyDictionary[Callable[..., Any], str] = weakref.WeakKeyDictionary()
#: Routes' own body caps, set with ``body_limit``: the dependency each made, and its cap.
BODY_LIMITS: weakref.WeakKeyDictionary[Callable[..., Any], int | None] = weakref.WeakKeyDictionary()


def registered(registry: weakref.WeakKeyDictionary[Any, T], call: Any, default: Any = None) -> Any:
    """``registry[call]``, or ``default``: an app's own dependency may be no function at all (an
    instance that cannot be hashed or weakly referenced), and it is simply not one of ours."""
    try:
        return registry.get(call, default)
    except TypeError:
        return default


def dependency_calls(route: Any) -> list[Any]:
    """Every dependency callable of an ``APIRoute`` (or a FastAPI route context), transitively."""
    calls: list[Any] = []
    stack = list(route.dependant.dependencies)
    while stack:
        dependant = stack.pop()
        calls.append(dependant.call)
        stack.extend(dependant.dependencies)
    return calls


def authenticator_of(route: Any) -> tuple[Callable[..., Any], Authenticate] | None:
    """The authenticating dependency ``route`` uses (directly or through a dependency), and how
    it authenticates; ``None`` for a route anyone may call."""
    if not isinstance(route, APIRoute):
        return None
    found = [(call, auth) for call in dependency_calls(route) if (auth := registered(AUTHENTICATORS, call))]
    # A route that takes a person anywhere refuses a client before the body, whatever else it takes.
    for call, authenticate in found:
        if not admits_clients(call):
            return call, authenticate
    return found[0] if found else None


def admits_clients(call: Any) -> bool:
    """Whether the authenticating dependency ``call`` lets machine clients in."""
    try:
        return call in ADMITS_CLIENTS
    except TypeError:
        return False


def api_routes(app: FastAPI) -> Iterator[Any]:
    """The app's API routes as OpenAPI sees them: path, methods and dependencies with the
    including routers' prefixes and dependencies applied."""
    # FastAPI before lazily included routers (the supported range starts at 0.115) has flat routes.
    iter_route_contexts = getattr(fastapi_routing, "iter_route_contexts", None)
    if iter_route_contexts is None:
        yield from (route for route in app.routes if isinstance(route, APIRoute))
        return
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            yield context
