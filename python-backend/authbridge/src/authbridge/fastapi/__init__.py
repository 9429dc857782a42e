"""FastAPI edge: ``install_auth(app)``, the ``get_current_user`` dependency and its relatives, and
rendering ``AuthError`` as the contract's HTTP answer (its status and headers come from the error).

Split by job: ``dependencies`` (what a route takes), ``install`` (what ``install_auth`` adds to an
app), ``openapi`` (the documented 401 / 403), ``body`` (per-route body caps), ``responses`` (the
HTTP answers), ``state`` (the app's verifier). Route handlers take ``CurrentUser`` and never read
headers; policy (who is an admin) belongs to the app.
"""

from .body import body_limit
from .dependencies import (
    CurrentCaller,
    CurrentUser,
    OptionalUser,
    OtherCredential,
    get_current_caller,
    get_current_user,
    optional_user,
    require_caller,
    require_mfa,
    require_owner,
    require_permission,
    require_recent_sign_in,
    require_role,
    require_user,
)
from .install import auth_lifespan, install_auth
from .responses import auth_error_handler
from .state import VerifierDep, get_verifier

__all__ = [
    "CurrentCaller",
    "CurrentUser",
    "OptionalUser",
    "OtherCredential",
    "VerifierDep",
    "auth_error_handler",
    "auth_lifespan",
    "body_limit",
    "get_current_caller",
    "get_current_user",
    "get_verifier",
    "install_auth",
    "optional_user",
    "require_caller",
    "require_mfa",
    "require_owner",
    "require_permission",
    "require_recent_sign_in",
    "require_role",
    "require_user",
]
