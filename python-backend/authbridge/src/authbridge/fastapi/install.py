"""``install_auth(app)``: the one call an app needs, composed with what the app already has."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError

from ..body_limit import AuthBeforeBody, BodyLimitMiddleware, PayloadTooLarge, max_body_bytes_from_env
from ..errors import AuthError
from ..settings import AuthSettings, get_settings
from ..verify import Verifier
from .body import authenticate_before_body, route_body_limit
from .openapi import wrap_openapi
from .responses import auth_error_handler, before_body_handler, too_large_handler, validation_handler
from .state import AuthState, SettingsSource, attach_state, state_of, verifier_lifespan


def install_auth(
    app: FastAPI,
    *,
    settings: SettingsSource = get_settings,
    verifier: Verifier | None = None,
    max_body_bytes: int | Literal["env"] | None = "env",
) -> None:
    """Set an app up for authbridge in one call. It installs, and replaces nothing of the app's:

    - exception handlers for ``AuthError`` (the contract's 401 / 403 / 503 with ``code``) and for
      a refused body (413 ``payload_too_large``);
    - a ``RequestValidationError`` handler only while the app has FastAPI's default: the same
      422 body, made JSON-safe (a NaN or an unpaired surrogate sent back would be a 500). An
      app's own handler, registered before or after, stays;
    - a body-limit middleware (``max_body_bytes``, default ``MAX_BODY_BYTES`` or 1 MiB; ``None``
      turns the cap off; a route sets its own with ``body_limit``): a larger body is a 413
      before it is read, and a protected route authenticates before any body is read, so its
      401 comes before a 413 or a 422;
    - the verifier, built from ``settings`` (default: ``AUTH_*`` from the environment or
      ``.env``) when the app starts, its JWKS fetched then, inside the app's own lifespan (its
      ``lifespan=`` and ``on_event`` handlers keep running);
    - the contract's 401 / 403 in OpenAPI on every protected operation, on top of the app's own
      ``app.openapi`` (set before this call, or before the app starts).

    >>> app = FastAPI()
    >>> install_auth(app)
    """
    if state_of(app) is not None:
        raise RuntimeError("authbridge: install_auth(app) was called twice on the same app")
    attach_state(app, AuthState(settings, verifier))
    app.add_exception_handler(AuthError, auth_error_handler)
    app.add_exception_handler(AuthBeforeBody, before_body_handler)
    app.add_exception_handler(PayloadTooLarge, too_large_handler)
    if app.exception_handlers.get(RequestValidationError) is request_validation_exception_handler:
        app.add_exception_handler(RequestValidationError, validation_handler)
    # Always installed: even with no cap, it authenticates a protected route before its body.
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=max_body_bytes_from_env(max_body_bytes),
        before_body=authenticate_before_body,
        route_limit=route_body_limit,
    )
    original = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        # An `app.openapi` the app set after install_auth is documented too.
        wrap_openapi(app)
        async with verifier_lifespan(app), original(app_) as state:
            yield state

    app.router.lifespan_context = lifespan
    wrap_openapi(app)


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
        if state_of(app) is None:
            attach_state(app, AuthState(settings_factory, None))
        async with verifier_lifespan(app):
            yield

    return lifespan
