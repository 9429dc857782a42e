"""The contract's 401 (and 403 for role and permission checks) in the app's OpenAPI, on every
operation that authenticates, composed with whatever ``app.openapi`` the app sets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from ..errors import MESSAGES, AuthError
from .routes import ACCESS_CHECKS, AUTHENTICATORS, admits_clients, api_routes, dependency_calls, registered

_UNAUTHORIZED: list[str] = [code for code in MESSAGES if AuthError(code).status == 401]
_MARK = "_authbridge_documents"


def _error_response(description: str, codes: list[str]) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["detail", "code"],
                    "properties": {"detail": {"type": "string"}, "code": {"type": "string", "enum": codes}},
                }
            }
        },
    }


def document_access(app: FastAPI, schema: dict[str, Any]) -> None:
    """Add the contract's 401 (and 403 for role and permission checks, and for a machine client on
    a route for people) to protected operations."""
    for route in api_routes(app):
        calls = dependency_calls(route)
        if not any(registered(AUTHENTICATORS, call) is not None for call in calls):
            continue
        operations = schema.get("paths", {}).get(route.path_format, {})
        codes = {registered(ACCESS_CHECKS, call) for call in calls}
        if any(registered(AUTHENTICATORS, call) is not None and not admits_clients(call) for call in calls):
            codes.add("user_required")
        denies = sorted(code for code in codes if code is not None)
        for method in route.methods or ():
            responses = operations.get(method.lower(), {}).setdefault("responses", {})
            responses.setdefault("401", _error_response("Missing or invalid bearer token", _UNAUTHORIZED))
            if denies:
                responses.setdefault(
                    "403",
                    _error_response(
                        "A role or permission is missing, or a client called a route for people",
                        denies,
                    ),
                )


def wrap_openapi(app: FastAPI) -> None:
    """Document access in whatever ``app.openapi`` is now: FastAPI's, or the app's own (set before
    ``install_auth``, or before the app starts: the lifespan calls this again). Idempotent."""
    current: Callable[[], dict[str, Any]] = app.openapi
    if getattr(current, _MARK, False):
        return
    documented: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        # Generators cache the schema and regenerate it when routes change; document each one once.
        schema = current()
        if not documented or documented[0] is not schema:
            document_access(app, schema)
            documented[:] = [schema]
        return schema

    setattr(openapi, _MARK, True)
    app.openapi = openapi  # type: ignore[method-assign]
