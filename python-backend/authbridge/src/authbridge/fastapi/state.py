"""Where an app keeps its verifier: built from settings at start-up (or on first use), closed at shutdown."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request

from ..settings import AuthSettings, get_settings
from ..verify import Verifier

logger = logging.getLogger("authbridge")

SettingsSource = AuthSettings | Callable[[], AuthSettings]
_STATE = "authbridge"


class AuthState:
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


def state_of(app: Any) -> AuthState | None:
    state: AuthState | None = getattr(app.state, _STATE, None)
    return state


def attach_state(app: Any, state: AuthState) -> None:
    setattr(app.state, _STATE, state)


_warned_not_installed = False


def get_verifier(request: Request) -> Verifier:
    """The app's verifier (built at start-up by ``install_auth``, or on first use).

    >>> @app.get("/api/keys")
    ... async def keys(verifier: VerifierDep) -> dict[str, bool]:
    ...     return {"warm": await verifier.warm()}
    """
    state = state_of(request.app)
    if state is None:
        global _warned_not_installed
        if not _warned_not_installed:
            _warned_not_installed = True
            logger.warning(
                "authbridge: install_auth(app) was not called; answers keep the contract's status and "
                "headers but lack its `code`. Call install_auth(app) once after creating the app."
            )
        state = AuthState(get_settings, None)
        attach_state(request.app, state)
    return state.get_verifier()


#: The app's verifier as a handler parameter (``get_verifier``).
#: >>> async def keys(verifier: VerifierDep) -> dict[str, bool]: return {"warm": await verifier.warm()}
VerifierDep = Annotated[Verifier, Depends(get_verifier)]


@asynccontextmanager
async def verifier_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Builds the verifier and fetches its JWKS before the first request; closes it at shutdown."""
    state = state_of(app)
    assert state is not None
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
