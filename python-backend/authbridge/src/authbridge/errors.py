"""The one error a verification (or an ownership, role or permission check) raises.

Its ``code`` is drawn from the contract's closed set (CONTRACT §2-§3) and is API; the message is
fixed per code so that both verifiers, Python and TypeScript, answer byte for byte alike.
``status`` and ``headers`` are the contract's HTTP mapping, kept here in one place as in the
TypeScript ``AuthError``: every edge (FastAPI's handler, a plain ASGI app) renders them, none
decides them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal, cast

#: Every code a protected API answers with, besides ``not_found``.
#: >>> def retry(code: AuthErrorCode) -> bool: return code == "jwks_unavailable"
AuthErrorCode = Literal[
    "missing_token",
    "malformed_token",
    "unsupported_algorithm",
    "unknown_key",
    "jwks_unavailable",
    "invalid_signature",
    "token_expired",
    "token_not_yet_valid",
    "token_revoked",
    "invalid_issuer",
    "invalid_audience",
    "invalid_claims",
    "forbidden",
    "user_required",
    "insufficient_user_authentication",
    "insufficient_role",
    "insufficient_permission",
]


class ErrorCode(StrEnum):
    """The contract's codes as constants: ``raise AuthError(ErrorCode.FORBIDDEN)`` passes linters
    that refuse a string literal in a raise (ruff ``EM101``); each member is its code's string.

    >>> ErrorCode.TOKEN_EXPIRED == "token_expired"
    True
    """

    MISSING_TOKEN = "missing_token"
    MALFORMED_TOKEN = "malformed_token"
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm"
    UNKNOWN_KEY = "unknown_key"
    JWKS_UNAVAILABLE = "jwks_unavailable"
    INVALID_SIGNATURE = "invalid_signature"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_NOT_YET_VALID = "token_not_yet_valid"
    TOKEN_REVOKED = "token_revoked"
    INVALID_ISSUER = "invalid_issuer"
    INVALID_AUDIENCE = "invalid_audience"
    INVALID_CLAIMS = "invalid_claims"
    FORBIDDEN = "forbidden"
    USER_REQUIRED = "user_required"
    INSUFFICIENT_USER_AUTHENTICATION = "insufficient_user_authentication"
    INSUFFICIENT_ROLE = "insufficient_role"
    INSUFFICIENT_PERMISSION = "insufficient_permission"


#: One message per code, identical in the TypeScript SDK (``src/verifier-sdk/src/errors.ts``).
#: >>> MESSAGES["token_expired"]
#: 'The token has expired'
MESSAGES: Final[dict[AuthErrorCode, str]] = {
    "missing_token": "Missing bearer token",
    "malformed_token": "The token is malformed",
    "unsupported_algorithm": "The token algorithm is not allowed",
    "unknown_key": "The token was signed by an unknown key",
    "jwks_unavailable": "The signing keys cannot be fetched right now",
    "invalid_signature": "The token signature is invalid",
    "token_expired": "The token has expired",
    "token_not_yet_valid": "The token is not valid yet",
    "token_revoked": "The token has been revoked",
    "invalid_issuer": "The token issuer is not accepted",
    "invalid_audience": "The token audience is not accepted",
    "invalid_claims": "The token claims are invalid",
    "forbidden": "You do not have access to this resource",
    "user_required": "This route is for signed-in users, not machine clients",
    "insufficient_user_authentication": "This action requires a stronger or more recent sign-in",
    "insufficient_role": "This action requires a role you do not have",
    "insufficient_permission": "This action requires a permission you do not have",
}


#: The ``realm`` of every ``WWW-Authenticate`` challenge.
#: >>> f'Bearer realm="{REALM}"'  # what a 401 missing_token carries
REALM: Final = "api"

_INSUFFICIENT_SCOPE: Final = frozenset({"insufficient_role", "insufficient_permission"})


@dataclass(frozen=True, slots=True)
class StepUpRequest:
    """What a step-up challenge (RFC 9470 §3) asks for: the ACR of multi-factor authentication,
    a maximum authentication age in seconds, or both, as the route requires them.

    >>> AuthError("insufficient_user_authentication", step_up=StepUpRequest(acr_values=MFA_ACR))
    """

    acr_values: str | None = None
    max_age: int | None = None


class AuthError(Exception):
    """A token (or an ownership, role or permission check) failed; ``code`` says which contract case it is.

    >>> raise AuthError(ErrorCode.TOKEN_EXPIRED)  # or AuthError("token_expired")
    """

    code: AuthErrorCode
    detail: str
    retry_after: int | None
    #: What the client must show to pass: set on ``insufficient_user_authentication``.
    step_up: StepUpRequest | None

    def __init__(
        self,
        code: AuthErrorCode | ErrorCode,
        *,
        retry_after: int | None = None,
        step_up: StepUpRequest | None = None,
    ) -> None:
        if code not in MESSAGES:
            raise ValueError(f"authbridge: {code!r} is not one of the contract's error codes")
        # The plain string either way: codes are compared, logged and sent as strings.
        plain = cast(AuthErrorCode, str(code))
        super().__init__(MESSAGES[plain])
        self.code = plain
        self.detail = MESSAGES[plain]
        self.retry_after = retry_after
        self.step_up = step_up

    @property
    def status(self) -> int:
        """401 for token failures, 503 when the keys cannot be fetched, 403 for a refused access."""
        if self.code == "jwks_unavailable":
            return 503
        if self.code in ("forbidden", "user_required") or self.code in _INSUFFICIENT_SCOPE:
            return 403
        return 401

    @property
    def www_authenticate(self) -> str | None:
        """The exact ``WWW-Authenticate`` value of CONTRACT §3, or ``None`` where none is sent."""
        if self.code == "missing_token":
            return f'Bearer realm="{REALM}"'
        if self.code in ("jwks_unavailable", "forbidden", "user_required"):
            return None
        if self.code == "insufficient_user_authentication":
            return _step_up_challenge(self.detail, self.step_up)
        if self.code in _INSUFFICIENT_SCOPE:
            # RFC 6750 §3.1: a valid token that lacks the privileges the request needs.
            return f'Bearer realm="{REALM}", error="insufficient_scope", error_description="{self.detail}"'
        return f'Bearer realm="{REALM}", error="invalid_token", error_description="{self.detail}"'

    @property
    def headers(self) -> dict[str, str]:
        """Response headers of CONTRACT §3 (``WWW-Authenticate`` or ``Retry-After``)."""
        headers: dict[str, str] = {}
        challenge = self.www_authenticate
        if challenge:
            headers["WWW-Authenticate"] = challenge
        if self.code == "jwks_unavailable":
            headers["Retry-After"] = str(self.retry_after or 1)
        return headers

    @property
    def body(self) -> dict[str, str]:
        """``{"detail", "code"}``."""
        return {"detail": self.detail, "code": self.code}

    def __repr__(self) -> str:
        return f"AuthError({self.code!r})"


def _step_up_challenge(detail: str, step_up: StepUpRequest | None) -> str:
    """RFC 9470 §3: the challenge names what the route requires, ``acr_values`` then ``max_age``."""
    challenge = (
        f'Bearer realm="{REALM}", error="insufficient_user_authentication", error_description="{detail}"'
    )
    if step_up is not None and step_up.acr_values:
        challenge += f', acr_values="{step_up.acr_values}"'
    if step_up is not None and step_up.max_age is not None:
        challenge += f", max_age={step_up.max_age}"
    return challenge
