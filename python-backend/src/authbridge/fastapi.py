"""FastAPI edge: the ``get_current_user`` dependency and the contract's HTTP answers.

This is the only module that knows about HTTP. ``install_auth(app)`` registers the exception
handlers; the verifier is built once in the app's lifespan (``auth_lifespan``) and reached
through ``request.app.state``. Route handlers take ``CurrentUser`` and never read headers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Security
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.responses import Response

from .errors import AuthError
from .principal import Principal
from .settings import AuthSettings, get_settings
from .verify import Verifier

#: Registers the bearer scheme in OpenAPI (Swagger's "Authorize"); parsing stays ours, so a
#: missing token is the contract's 401 on every FastAPI version.
bearer_scheme = HTTPBearer(auto_error=False, bearerFormat="JWT", description="A Better Auth EdDSA JWT")

REALM = "api"


def status_for(error: AuthError) -> int:
    if error.code == "jwks_unavailable":
        return 503
    if error.code == "forbidden":
        return 403
    return 401


def headers_for(error: AuthError) -> dict[str, str]:
    """``WWW-Authenticate`` / ``Retry-After`` exactly as CONTRACT §3 lists them."""
    if error.code == "missing_token":
        return {"WWW-Authenticate": f'Bearer realm="{REALM}"'}
    if error.code == "jwks_unavailable":
        return {"Retry-After": str(error.retry_after or 1)}
    if error.code == "forbidden":
        return {}
    return {
        "WWW-Authenticate": (
            f'Bearer realm="{REALM}", error="invalid_token", error_description="{error.detail}"'
        )
    }


def auth_error_response(error: AuthError) -> JSONResponse:
    return JSONResponse(
        {"detail": error.detail, "code": error.code},
        status_code=status_for(error),
        headers=headers_for(error),
    )


async def _auth_error_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AuthError)
    return auth_error_response(exc)


def get_verifier(request: Request) -> Verifier:
    verifier: Verifier | None = getattr(request.app.state, "authbridge_verifier", None)
    if verifier is None:
        raise RuntimeError("authbridge: no verifier; use auth_lifespan() or install_auth(app, verifier=...)")
    return verifier


VerifierDep = Annotated[Verifier, Depends(get_verifier)]


def _authorization(request: Request) -> str | None:
    values = request.headers.getlist("authorization")
    if len(values) > 1:
        raise AuthError("malformed_token")
    return values[0] if values else None


async def get_current_user(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)] = None,
) -> Principal:
    """The verified caller, or the contract's 401 / 503.

    >>> @app.get("/api/me")
    ... async def read_me(user: CurrentUser) -> dict[str, str]: ...
    """
    # The verifier is read here rather than through a sub-dependency: one resolution less on
    # every protected request.
    return await get_verifier(request).authenticate(_authorization(request))


async def optional_user(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)] = None,
) -> Principal | None:
    """``None`` without an Authorization header; a present but bad token is still a 401."""
    header = _authorization(request)
    if header is None:
        return None
    return await get_verifier(request).authenticate(header)


CurrentUser = Annotated[Principal, Depends(get_current_user)]
OptionalUser = Annotated[Principal | None, Depends(optional_user)]


def require_owner(user: Principal, owner_id: str) -> None:
    """Raise the contract's 403 unless ``user`` is ``owner_id``."""
    if user.id != owner_id:
        raise AuthError("forbidden")


def _requires_auth(route: Any) -> bool:
    if not isinstance(route, APIRoute):
        return False
    stack = list(route.dependant.dependencies)
    while stack:
        dependant = stack.pop()
        if dependant.call is get_current_user:
            return True
        stack.extend(dependant.dependencies)
    return False


async def _validation_handler(request: Request, exc: Exception) -> Response:
    # FastAPI parses a JSON body before it runs dependencies; the contract decides
    # authentication first, so a protected route re-checks the token before answering 422.
    assert isinstance(exc, RequestValidationError)
    if _requires_auth(request.scope.get("route")):
        try:
            await get_verifier(request).authenticate(_authorization(request))
        except AuthError as error:
            return auth_error_response(error)
    return await request_validation_exception_handler(request, exc)


def install_auth(app: FastAPI, verifier: Verifier | None = None) -> None:
    """Register the contract's error handlers (and, optionally, a ready verifier)."""
    app.add_exception_handler(AuthError, _auth_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    if verifier is not None:
        app.state.authbridge_verifier = verifier


def auth_lifespan(
    settings_factory: Callable[[], AuthSettings] = get_settings,
) -> Callable[[FastAPI], Any]:
    """A lifespan that builds the verifier once and warms its JWKS (a failure is not fatal:
    the cache retries, and until then requests get the contract's 503).

    >>> app = FastAPI(lifespan=auth_lifespan())
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        verifier = Verifier(settings_factory())
        app.state.authbridge_verifier = verifier
        await verifier.jwks.warm()
        try:
            yield
        finally:
            await verifier.aclose()

    return lifespan
