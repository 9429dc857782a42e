"""The dependencies a route takes: who the caller is (``CurrentUser``, a person; ``CurrentCaller``,
a person or a machine client), may be (``OptionalUser``), and what they must have
(``require_role``, ``require_permission``, ``require_owner``, and the step-up checks
``require_mfa`` and ``require_recent_sign_in``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, Literal

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..access import check_permission, check_role, check_user
from ..errors import AuthError, ErrorCode
from ..principal import Principal
from ..step_up import check_authentication, checked_max_age
from .routes import ACCESS_CHECKS, ADMITS_CLIENTS, AUTHENTICATORS
from .state import get_verifier

#: Registers the bearer scheme in OpenAPI (Swagger's "Authorize"); parsing stays ours, so a
#: missing token is the contract's 401 on every FastAPI version.
bearer_scheme = HTTPBearer(auto_error=False, bearerFormat="JWT", description="A Better Auth EdDSA JWT")

Bearer = Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)]


def _authorization(request: Request) -> str | None:
    values = request.headers.getlist("authorization")
    if len(values) > 1:
        raise AuthError(ErrorCode.MALFORMED_TOKEN)
    return values[0] if values else None


async def _authenticate(request: Request) -> Principal:
    verifier = get_verifier(request)
    try:
        return await verifier.authenticate(_authorization(request))
    except AuthError as error:
        if AuthError not in getattr(request.app, "exception_handlers", {}):
            # No handler renders AuthError on this app (install_auth was not called): FastAPI's
            # own HTTPException handler still gives the contract's status and headers, never a 500.
            raise HTTPException(error.status, error.detail, headers=error.headers) from error
        raise


async def _authenticate_person(request: Request) -> Principal:
    # A route for people answers a client's token with one code (decided before the body).
    principal = await _authenticate(request)
    check_user(principal)
    return principal


def _verified_before_body(request: Request, dependency: Callable[..., Any]) -> Principal | None:
    verified: dict[Any, Principal] = request.scope.get("authbridge.principals", {})
    return verified.get(dependency)


async def get_current_user(request: Request, _credentials: Bearer = None) -> Principal:
    """The verified user (a person), or the contract's 401 / 503; a machine client's token is
    the 403 ``user_required``.

    >>> @app.get("/api/me")
    ... async def read_me(user: CurrentUser) -> dict[str, str]: ...
    """
    # The body limit may have verified this request already (before the body).
    principal = _verified_before_body(request, get_current_user)
    return principal if principal is not None else await _authenticate_person(request)


AUTHENTICATORS[get_current_user] = _authenticate_person


async def get_current_caller(request: Request, _credentials: Bearer = None) -> Principal:
    """The verified caller, a person or a machine client (``principal.kind``), or the contract's
    401 / 503: for routes a service may call too. TypeScript: ``requireCaller``.

    >>> @app.get("/api/admin/tasks", dependencies=[Depends(require_permission("tasks:read:any"))])
    ... async def every_task(caller: CurrentCaller) -> list[Task]: ...
    """
    principal = _verified_before_body(request, get_current_caller)
    return principal if principal is not None else await _authenticate(request)


AUTHENTICATORS[get_current_caller] = _authenticate
ADMITS_CLIENTS.add(get_current_caller)


async def optional_user(request: Request, _credentials: Bearer = None) -> Principal | None:
    """``None`` without an Authorization header; a present but bad token is still a 401, a machine
    client's token the 403 ``user_required``.

    >>> @app.get("/api/greeting")
    ... async def greeting(user: OptionalUser) -> str:
    ...     return f"hello {user.name}" if user else "hello"
    """
    if _authorization(request) is None:
        return None
    return await _authenticate_person(request)


#: Another way to authenticate a request (an API key header, a signed cookie): the caller it
#: proves, ``None`` when the request does not carry that credential, or ``AuthError`` when it
#: carries it and it is wrong.
#: >>> async def api_key(request: Request) -> Principal | None: ...  # see require_user
OtherCredential = Callable[[Request], Awaitable[Principal | None]]


def require_user(
    *, other_credentials: Sequence[OtherCredential] = (), allow_clients: bool = False
) -> Callable[..., Awaitable[Principal]]:
    """A dependency like ``get_current_user`` that also accepts other credentials, and with
    ``allow_clients`` machine clients' tokens (as ``get_current_caller``).

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
    ...     return principal_from_claims({"sub": owner})
    >>> Caller = Annotated[Principal, Depends(require_user(other_credentials=[api_key]))]
    """
    others = tuple(other_credentials)

    async def any_caller(request: Request) -> Principal:
        if _authorization(request) is not None or not others:
            return await _authenticate(request)
        for credential in others:
            principal = await credential(request)
            if principal is not None:
                return principal
        raise AuthError(ErrorCode.MISSING_TOKEN)

    async def authenticate(request: Request) -> Principal:
        principal = await any_caller(request)
        if not allow_clients:
            check_user(principal)
        return principal

    async def caller(request: Request, _credentials: Bearer = None) -> Principal:
        principal = _verified_before_body(request, caller)
        return principal if principal is not None else await authenticate(request)

    AUTHENTICATORS[caller] = authenticate
    if allow_clients:
        ADMITS_CLIENTS.add(caller)
    return caller


def require_caller(
    *, other_credentials: Sequence[OtherCredential] = ()
) -> Callable[..., Awaitable[Principal]]:
    """``require_user`` that admits machine clients too: for routes a person or a service may
    call (``get_current_caller`` with other credentials). TypeScript: ``requireCaller``.

    >>> Caller = Annotated[Principal, Depends(require_caller(other_credentials=[api_key]))]
    """
    return require_user(other_credentials=other_credentials, allow_clients=True)


#: The verified caller as a handler parameter (``get_current_user``).
#: >>> @app.get("/api/me")
#: ... async def me(user: CurrentUser) -> dict[str, str]: return {"id": user.id}
CurrentUser = Annotated[Principal, Depends(get_current_user)]
#: A person or a machine client as a handler parameter (``get_current_caller``).
#: >>> @app.get("/api/reports")
#: ... async def reports(caller: CurrentCaller) -> dict[str, str]: return {"kind": caller.kind}
CurrentCaller = Annotated[Principal, Depends(get_current_caller)]
#: The caller if a token was sent, else ``None`` (``optional_user``).
#: >>> @app.get("/api/greeting")
#: ... async def greeting(user: OptionalUser) -> str: return f"hi {user.name}" if user else "hi"
OptionalUser = Annotated[Principal | None, Depends(optional_user)]


def require_owner(user: Principal, owner_id: str) -> None:
    """Raise the contract's 403 unless ``user`` is ``owner_id``.

    >>> require_owner(user, task.user_id)
    """
    if user.id != owner_id:
        raise AuthError(ErrorCode.FORBIDDEN)


AccessDependency = Callable[[Principal], Awaitable[Principal]]


def require_role(*roles: str, clients: Literal["admit", "refuse"] = "refuse") -> AccessDependency:
    """A dependency: the verified caller if they have at least one of ``roles`` (the token's
    ``role`` claim), else the contract's 403 ``insufficient_role`` (a machine client has no
    role). With ``clients="admit"`` a machine client passes this check, to be judged by the
    route's ``require_permission`` (its scopes), which must follow. Authentication comes first.

    >>> Admin = Annotated[Principal, Depends(require_role("admin"))]
    >>> staff_or_jobs = Depends(require_role("admin", clients="admit"))
    >>> @app.get("/api/admin/stats")
    ... async def stats(admin: Admin) -> dict[str, int]: ...
    """
    if not roles:
        raise TypeError("authbridge: require_role needs at least one role")
    if clients not in ("admit", "refuse"):
        raise TypeError('authbridge: require_role\'s clients is "admit" or "refuse"')
    admit_clients = clients == "admit"

    def check(user: Principal) -> None:
        if admit_clients and user.kind == "client":
            return
        check_role(user, roles)

    return _access_dependency(ErrorCode.INSUFFICIENT_ROLE, check)


def require_permission(*permissions: str) -> AccessDependency:
    """A dependency: the verified caller if they have every one of ``permissions``, else the
    contract's 403 ``insufficient_permission``. A user holds the token's ``permissions``, a
    machine client its ``scope``: both may pass, unless the route also takes ``CurrentUser``.

    >>> can_purge = Depends(require_permission("tasks:write:any"))
    >>> @app.delete("/api/admin/tasks/{task_id}", dependencies=[can_purge])
    """
    if not permissions:
        raise TypeError("authbridge: require_permission needs at least one permission")
    return _access_dependency(
        ErrorCode.INSUFFICIENT_PERMISSION, lambda user: check_permission(user, permissions)
    )


def _access_dependency(code: str, check: Callable[[Principal], None]) -> AccessDependency:
    """A dependency that authenticates, runs ``check`` and hands the caller on; registered so
    that install_auth documents its 403 (``code``) in OpenAPI."""

    async def access_check(user: CurrentCaller) -> Principal:
        check(user)
        return user

    ACCESS_CHECKS[access_check] = code
    return access_check


ClientPolicy = Literal["admit", "refuse"]


def require_mfa(*, max_age: int | None = None, clients: ClientPolicy = "refuse") -> AccessDependency:
    """A dependency: the verified user if they signed in with a second factor (``amr`` holds
    ``mfa``) and, with ``max_age``, within that many seconds; else the contract's 401
    ``insufficient_user_authentication`` with RFC 9470's challenge (``acr_values`` naming MFA).
    ``clients="admit"`` lets a machine client through (it has no sign-in; its scopes decide).
    TypeScript: ``requireMfa``.

    >>> @app.delete("/api/account", dependencies=[Depends(require_mfa())])
    """
    return _step_up_dependency(mfa=True, max_age=max_age, clients=clients)


def require_recent_sign_in(max_age: int, *, clients: ClientPolicy = "refuse") -> AccessDependency:
    """A dependency: the verified user if they signed in at most ``max_age`` seconds ago
    (``auth_time``), else the contract's 401 ``insufficient_user_authentication`` with RFC 9470's
    ``max_age``. TypeScript: ``requireRecentSignIn``.

    >>> @app.post("/api/account/email", dependencies=[Depends(require_recent_sign_in(300))])
    """
    return _step_up_dependency(mfa=False, max_age=max_age, clients=clients)


def _step_up_dependency(*, mfa: bool, max_age: int | None, clients: ClientPolicy) -> AccessDependency:
    # Checked once here, so a wrong max_age fails when the app is built, not per request.
    checked = checked_max_age(max_age)
    if clients not in ("admit", "refuse"):
        raise TypeError('authbridge: clients is "admit" or "refuse"')

    if clients == "admit":

        async def step_up_caller(user: CurrentCaller) -> Principal:
            if user.kind != "client":
                check_authentication(user, mfa=mfa, max_age=checked)
            return user

        return step_up_caller

    # A route for people: a client's token is user_required (and documented so) before this runs.
    async def step_up_user(user: CurrentUser) -> Principal:
        check_authentication(user, mfa=mfa, max_age=checked)
        return user

    return step_up_user
