"""FastAPI edge: ``install_auth(app)``, the ``get_current_user`` dependency, and rendering
``AuthError`` as the contract's HTTP answer (its status and headers come from the error itself).

``install_auth(app)`` is the one call an app needs. It registers the exception handlers, caps
request bodies before anything reads them (``body_limit``), and builds the verifier at start-up
by wrapping whatever lifespan the app already has (``lifespan=`` or ``@app.on_event``), which
keeps running. Route handlers take ``CurrentUser`` and never read headers.
"""

from __future__ import annotations

import logging
import math
import re
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import EllipsisType
from typing import Annotated, Any, Literal, TypeVar, cast

from fastapi import Depends, FastAPI, HTTPException, Request, Security
from fastapi import routing as fastapi_routing
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.responses import Response

from .access import check_permission, check_role
from .body_limit import AuthBeforeBody, BodyLimitMiddleware, PayloadTooLarge, max_body_bytes_from_env
from .errors import MESSAGES, AuthError
from .principal import Principal
from .settings import AuthSettings, get_settings
from .verify import Verifier

logger = logging.getLogger("authbridge")
T = TypeVar("T")

#: Registers the bearer scheme in OpenAPI (Swagger's "Authorize"); parsing stays ours, so a
#: missing token is the contract's 401 on every FastAPI version.
bearer_scheme = HTTPBearer(auto_error=False, bearerFormat="JWT", description="A Better Auth EdDSA JWT")

SettingsSource = AuthSettings | Callable[[], AuthSettings]
_STATE = "authbridge"


class _AuthState:
    """What ``install_auth`` leaves on ``app.state``: how to build the verifier, and the verifier."""

    def __init__(self, settings: SettingsSource, verifier: Verifier | None) -> None:
        self.settings = settings
        self.verifier = verifier
        self.running = False

    def get_verifier(self) -> Verifier:
        # Built on first use when the lifespan did not run (a TestClient outside `with`).
        if self.verifier is None:
            settings = self.settings() if callable(self.settings) else self.settings
            self.verifier = Verifier(settings)
        return self.verifier


def auth_error_response(error: AuthError) -> JSONResponse:
    """The contract's answer for ``error``: its status, headers and ``{"detail", "code"}``."""
    return JSONResponse(error.body, status_code=error.status, headers=error.headers)


async def _auth_error_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AuthError)
    return auth_error_response(exc)


_warned_not_installed = False


def get_verifier(request: Request) -> Verifier:
    """The app's verifier (built at start-up by ``install_auth``, or on first use)."""
    state: _AuthState | None = getattr(request.app.state, _STATE, None)
    if state is None:
        global _warned_not_installed
        if not _warned_not_installed:
            _warned_not_installed = True
            logger.warning(
                "authbridge: install_auth(app) was not called; answers keep the contract's status and "
                "headers but lack its `code`. Call install_auth(app) once after creating the app."
            )
        state = _AuthState(get_settings, None)
        setattr(request.app.state, _STATE, state)
    return state.get_verifier()


VerifierDep = Annotated[Verifier, Depends(get_verifier)]


def _authorization(request: Request) -> str | None:
    values = request.headers.getlist("authorization")
    if len(values) > 1:
        raise AuthError("malformed_token")
    return values[0] if values else None


async def _authenticate(request: Request) -> Principal:
    verifier = get_verifier(request)
    try:
        return await verifier.authenticate(_authorization(request))
    except AuthError as error:
        if not _installed(request.app):
            # No handler renders AuthError on this app: FastAPI's own HTTPException handler
            # still gives the contract's status and headers (never a 500).
            raise HTTPException(error.status, error.detail, headers=error.headers) from error
        raise


def _installed(app: Any) -> bool:
    return AuthError in getattr(app, "exception_handlers", {})


async def get_current_user(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)] = None,
) -> Principal:
    """The verified caller, or the contract's 401 / 503.

    >>> @app.get("/api/me")
    ... async def read_me(user: CurrentUser) -> dict[str, str]: ...
    """
    # The body-limit middleware may have verified this request already (before the body).
    principal = _verified_before_body(request, get_current_user)
    return principal if principal is not None else await _authenticate(request)


async def optional_user(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)] = None,
) -> Principal | None:
    """``None`` without an Authorization header; a present but bad token is still a 401."""
    if _authorization(request) is None:
        return None
    return await _authenticate(request)


#: Another way to authenticate a request (an API key header, a signed cookie): the caller it
#: proves, ``None`` when the request does not carry that credential, or ``AuthError`` when it
#: carries it and it is wrong.
OtherCredential = Callable[[Request], Awaitable[Principal | None]]

#: Every dependency that authenticates a caller, and how it does so: the body limit runs the one
#: a route uses before the body is read, and a 422 re-checks it first.
_AUTHENTICATORS: weakref.WeakKeyDictionary[Callable[..., Any], Callable[[Request], Awaitable[Principal]]] = (
    weakref.WeakKeyDictionary()
)
_AUTHENTICATORS[get_current_user] = lambda request: _authenticate(request)


def require_user(*, other_credentials: Sequence[OtherCredential] = ()) -> Callable[..., Awaitable[Principal]]:
    """A dependency like ``get_current_user`` that also accepts other credentials.

    A bearer token, when the request has an ``Authorization`` header, decides as always (a bad
    one is a 401 even if another credential is there too). Without one, each of
    ``other_credentials`` is asked in order; the first that returns a principal is the caller.
    None of them: 401 ``missing_token``. It runs before the body is read, as the bearer check does.

    >>> async def api_key(request: Request) -> Principal | None:
    ...     key = request.headers.get("x-api-key")
    ...     if key is None:
    ...         return None
    ...     owner = await keys.owner_of(key)  # your lookup
    ...     if owner is None:
    ...         raise AuthError(ErrorCode.INVALID_SIGNATURE)
    ...     return Principal.from_claims({"sub": owner})
    >>> Caller = Annotated[Principal, Depends(require_user(other_credentials=[api_key]))]
    """
    others = tuple(other_credentials)

    async def authenticate(request: Request) -> Principal:
        if _authorization(request) is not None or not others:
            return await _authenticate(request)
        for credential in others:
            principal = await credential(request)
            if principal is not None:
                return principal
        raise AuthError("missing_token")

    async def caller(
        request: Request,
        _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)] = None,
    ) -> Principal:
        principal = _verified_before_body(request, caller)
        return principal if principal is not None else await authenticate(request)

    _AUTHENTICATORS[caller] = authenticate
    return caller


def _verified_before_body(request: Request, dependency: Callable[..., Any]) -> Principal | None:
    verified: dict[Any, Principal] = request.scope.get("authbridge.principals", {})
    return verified.get(dependency)


CurrentUser = Annotated[Principal, Depends(get_current_user)]
OptionalUser = Annotated[Principal | None, Depends(optional_user)]


def require_owner(user: Principal, owner_id: str) -> None:
    """Raise the contract's 403 unless ``user`` is ``owner_id``.

    >>> require_owner(user, task.user_id)
    """
    if user.id != owner_id:
        raise AuthError("forbidden")


#: The dependencies ``require_role`` / ``require_permission`` made, and the 403 code each may
#: answer; install_auth documents those 403s in the app's OpenAPI.
_ACCESS_CHECKS: weakref.WeakKeyDictionary[Callable[..., Any], str] = weakref.WeakKeyDictionary()

AccessDependency = Callable[[Principal], Awaitable[Principal]]


def require_role(*roles: str) -> AccessDependency:
    """A dependency: the verified caller if they have at least one of ``roles`` (the token's
    ``role`` claim), else the contract's 403 ``insufficient_role``. Authentication comes first.

    >>> AdminUser = Annotated[Principal, Depends(require_role("admin"))]
    >>> @app.get("/api/admin/stats")
    ... async def stats(admin: AdminUser) -> dict[str, int]: ...
    """
    if not roles:
        raise TypeError("authbridge: require_role needs at least one role")
    return _access_dependency("insufficient_role", lambda user: check_role(user, roles))


def require_permission(*permissions: str) -> AccessDependency:
    """A dependency: the verified caller if they have every one of ``permissions`` (the token's
    ``permissions`` claim), else the contract's 403 ``insufficient_permission``.

    >>> can_purge = Depends(require_permission("tasks:write:any"))
    >>> @app.delete("/api/admin/tasks/{task_id}", dependencies=[can_purge])
    """
    if not permissions:
        raise TypeError("authbridge: require_permission needs at least one permission")
    return _access_dependency("insufficient_permission", lambda user: check_permission(user, permissions))


def _access_dependency(code: str, check: Callable[[Principal], None]) -> AccessDependency:
    """A dependency that authenticates, runs ``check`` and hands the caller on; registered so
    that install_auth documents its 403 (``code``) in OpenAPI."""

    async def access_check(user: CurrentUser) -> Principal:
        check(user)
        return user

    _ACCESS_CHECKS[access_check] = code
    return access_check


#: The caller, who must have the ``admin`` role.
AdminUser = Annotated[Principal, Depends(require_role("admin"))]


def _dependency_calls(route: Any) -> list[Any]:
    """Every dependency callable of an ``APIRoute`` (or a FastAPI route context), transitively."""
    calls: list[Any] = []
    stack = list(route.dependant.dependencies)
    while stack:
        dependant = stack.pop()
        calls.append(dependant.call)
        stack.extend(dependant.dependencies)
    return calls


def _authenticator_of(
    route: Any,
) -> tuple[Callable[..., Any], Callable[[Request], Awaitable[Principal]]] | None:
    """The authenticating dependency ``route`` uses (directly or through a dependency), and how
    it authenticates; ``None`` for a route anyone may call."""
    if not isinstance(route, APIRoute):
        return None
    for call in _dependency_calls(route):
        authenticate = _registered(_AUTHENTICATORS, call)
        if authenticate is not None:
            return call, authenticate
    return None


def _registered(registry: weakref.WeakKeyDictionary[Any, T], call: Any, default: Any = None) -> Any:
    """``registry[call]``, or ``default``: an app's own dependency may be no function at all (an
    instance that cannot be hashed or weakly referenced), and it is simply not one of ours."""
    try:
        return registry.get(call, default)
    except TypeError:
        return default


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


_UNAUTHORIZED: list[str] = [code for code in MESSAGES if AuthError(code).status == 401]


def _api_routes(app: FastAPI) -> Iterator[Any]:
    """The app's API routes as OpenAPI sees them: path, methods and dependencies with the
    including routers' prefixes and dependencies applied."""
    iter_route_contexts = getattr(fastapi_routing, "iter_route_contexts", None)
    if iter_route_contexts is None:  # FastAPI before lazily included routers: routes are flat
        yield from (route for route in app.routes if isinstance(route, APIRoute))
        return
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def _document_access(app: FastAPI, schema: dict[str, Any]) -> None:
    """Add the contract's 401 (and 403 for role and permission checks) to protected operations."""
    for route in _api_routes(app):
        calls = _dependency_calls(route)
        if not any(_registered(_AUTHENTICATORS, call) is not None for call in calls):
            continue
        operations = schema.get("paths", {}).get(route.path_format, {})
        codes = (_registered(_ACCESS_CHECKS, call) for call in calls)
        denies = sorted({code for code in codes if code is not None})
        for method in route.methods or ():
            responses = operations.get(method.lower(), {}).setdefault("responses", {})
            responses.setdefault("401", _error_response("Missing or invalid bearer token", _UNAUTHORIZED))
            if denies:
                responses.setdefault(
                    "403", _error_response("The token lacks a required role or permission", denies)
                )


async def _validation_handler(request: Request, exc: Exception) -> Response:
    # FastAPI parses a JSON body before it runs dependencies; the contract decides
    # authentication first, so a protected route re-checks the token before answering 422.
    # An app (or a test) that overrides get_current_user decides authentication itself.
    assert isinstance(exc, RequestValidationError)
    found = _authenticator_of(request.scope.get("route"))
    if found is not None and found[0] not in request.app.dependency_overrides:
        try:
            await found[1](request)
        except AuthError as error:
            return auth_error_response(error)
    # FastAPI's own 422 body, made JSON-safe: a NaN, an infinity or an unpaired surrogate the
    # client sent comes back in `input`, and a JSON response cannot carry it (a 500 otherwise).
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


@asynccontextmanager
async def _verifier_lifespan(app: FastAPI) -> AsyncIterator[None]:
    state: _AuthState = getattr(app.state, _STATE)
    if state.running:
        # install_auth's lifespan and a hand-composed auth_lifespan: the outer one does it.
        yield
        return
    state.running = True
    built = state.verifier is None
    verifier = state.get_verifier()
    # A failure is not fatal (the cache retries; meanwhile requests get the contract's 503), and
    # the cache logs it with its URL and status, so a wrong URL shows at start-up.
    if verifier.settings.jwks_url:
        await verifier.warm()
    try:
        yield
    finally:
        state.running = False
        if built:
            state.verifier = None
            await verifier.aclose()


def install_auth(
    app: FastAPI,
    *,
    settings: SettingsSource = get_settings,
    verifier: Verifier | None = None,
    max_body_bytes: int | Literal["env"] | None = "env",
) -> None:
    """Set an app up for authbridge in one call.

    - exception handlers that answer exactly as the contract says (401 / 403 / 503);
    - the verifier, built from ``settings`` (default: ``AUTH_*`` from the environment or
      ``.env``) when the app starts, its JWKS fetched then; the app's own lifespan and
      ``on_event`` handlers keep running inside it;
    - a body limit (``max_body_bytes``, default ``MAX_BODY_BYTES`` or 1 MiB; ``None`` turns it
      off; a route sets its own with ``body_limit``): a larger body is a 413 before it is read,
      and a protected route answers 401 before reading any body at all.

    >>> app = FastAPI()
    >>> install_auth(app)
    """
    if getattr(app.state, _STATE, None) is not None:
        raise RuntimeError("authbridge: install_auth(app) was called twice on the same app")
    setattr(app.state, _STATE, _AuthState(settings, verifier))
    app.add_exception_handler(AuthError, _auth_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(AuthBeforeBody, _before_body_handler)
    app.add_exception_handler(PayloadTooLarge, _too_large_handler)
    # Always installed: even with no cap, it authenticates a protected route before its body.
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=max_body_bytes_from_env(max_body_bytes),
        before_body=_authenticate_before_body,
        route_limit=_route_body_limit,
    )

    original = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        async with _verifier_lifespan(app), original(app_) as state:
            yield state

    app.router.lifespan_context = lifespan

    generate_openapi = app.openapi
    documented: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        # FastAPI caches the schema and regenerates it when routes change; document each one once.
        schema = generate_openapi()
        if not documented or documented[0] is not schema:
            _document_access(app, schema)
            documented[:] = [schema]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


async def _authenticate_before_body(scope: Any) -> None:
    """For the body limit: authenticate a protected route's request before its body is read.

    Routing has chosen the route by the time the app first reads the body; a route that does
    not authenticate (or whose authentication is overridden) is left alone.
    """
    found = _authenticator_of(scope.get("route"))
    app = scope.get("app")
    if found is None or found[0] in getattr(app, "dependency_overrides", {}):
        return
    principal = await found[1](Request(scope))
    scope.setdefault("authbridge.principals", {})[found[0]] = principal


#: Routes' own body caps, set with ``body_limit``: the dependency each made, and its cap.
_BODY_LIMITS: weakref.WeakKeyDictionary[Callable[..., Any], int | None] = weakref.WeakKeyDictionary()
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

    _BODY_LIMITS[route_body_limit] = max_bytes
    return Depends(route_body_limit)


def _route_body_limit(scope: Any) -> int | EllipsisType | None:
    route = scope.get("route")
    if not isinstance(route, APIRoute):
        return ...
    cached = getattr(route, _ROUTE_CAP_ATTRIBUTE, _NOT_LOOKED_UP)
    if cached is not _NOT_LOOKED_UP:
        return cast(int | EllipsisType | None, cached)
    found = (_registered(_BODY_LIMITS, call, ...) for call in _dependency_calls(route))
    caps = [cap for cap in found if cap is not ...]
    cap: int | EllipsisType | None = caps[0] if caps else ...
    setattr(route, _ROUTE_CAP_ATTRIBUTE, cap)
    return cap


async def _before_body_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AuthBeforeBody)
    return auth_error_response(exc.error)


async def _too_large_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PayloadTooLarge)
    return JSONResponse(
        {"detail": exc.detail, "code": "payload_too_large"}, status_code=413, headers=exc.headers
    )


def auth_lifespan(
    settings_factory: Callable[[], AuthSettings] = get_settings,
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A lifespan that builds the verifier, for apps that compose lifespans by hand.

    ``install_auth`` already does this; use it only with ``install_auth(app, settings=...)``
    when the verifier must start at a chosen point of your own lifespan.

    >>> app = FastAPI(lifespan=auth_lifespan())
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, _STATE, None) is None:
            setattr(app.state, _STATE, _AuthState(settings_factory, None))
        async with _verifier_lifespan(app):
            yield

    return lifespan
