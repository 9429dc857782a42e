"""Claim checks of CONTRACT §2.6, run only after the signature holds."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal, TypeGuard

from .errors import AuthError

#: A person (a user's session token) or a machine client (an RFC 9068 access token).
PrincipalKind = Literal["user", "client"]


def _is_number(value: Any) -> TypeGuard[float]:
    # bool is an int in Python; JSON true is not a NumericDate.
    return isinstance(value, int | float) and not isinstance(value, bool)


def validate_claims(
    claims: dict[str, Any],
    *,
    issuer: str,
    audiences: Collection[str],
    leeway: float,
    now: float,
) -> None:
    """Raises ``AuthError`` for the first failing check, in the contract's order.

    >>> validate_claims({"exp": 2e9, "iss": "i", "aud": "a", "sub": "u"},
    ...                 issuer="i", audiences=["a"], leeway=5, now=1.7e9)
    """
    exp = claims.get("exp")
    if not _is_number(exp):
        raise AuthError("invalid_claims")
    if exp <= now - leeway:
        raise AuthError("token_expired")
    for name in ("nbf", "iat"):
        value = claims.get(name)
        if value is None:
            continue
        if not _is_number(value):
            raise AuthError("invalid_claims")
        if value > now + leeway:
            raise AuthError("token_not_yet_valid")
    if claims.get("iss") != issuer:
        raise AuthError("invalid_issuer")
    aud = claims.get("aud")
    token_audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(token_audiences, list) or not any(
        isinstance(item, str) and item in audiences for item in token_audiences
    ):
        raise AuthError("invalid_audience")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise AuthError("invalid_claims")
    for name in ("email", "name"):
        if name in claims and not isinstance(claims[name], str):
            raise AuthError("invalid_claims")
    for name in ("email_verified", "emailVerified"):
        if name in claims and not isinstance(claims[name], bool):
            raise AuthError("invalid_claims")
    if "role" in claims and roles_of(claims["role"]) is None:
        raise AuthError("invalid_claims")
    if "permissions" in claims and permissions_of(claims["permissions"]) is None:
        raise AuthError("invalid_claims")
    if "amr" in claims and amr_of(claims["amr"]) is None:
        raise AuthError("invalid_claims")
    if "auth_time" in claims:
        auth_time = claims["auth_time"]
        # A sign-in cannot have happened after now: such a token is malformed, not early.
        if not _is_number(auth_time) or auth_time > now + leeway:
            raise AuthError("invalid_claims")
    if "sid" in claims and (not isinstance(claims["sid"], str) or not claims["sid"]):
        raise AuthError("invalid_claims")


#: Claims that describe a person: a client token carrying one is refused (it names no person).
_PERSON_CLAIMS = (
    "email",
    "name",
    "email_verified",
    "emailVerified",
    "sid",
    "role",
    "permissions",
    "amr",
    "auth_time",
)


def token_kind_of(typ: str | None, claims: dict[str, Any]) -> PrincipalKind:
    """Whether the verified token is a person's or a machine client's, by RFC 9068 §4.

    An access token (``typ`` ``at+jwt``) must carry ``client_id``, and a token that carries
    ``client_id`` must be one, so neither kind can be passed off as the other
    (``invalid_claims``). A client token's ``client_id`` is its ``sub``, its ``scope`` a
    space-separated list, and it carries no person claims. ``typ`` is the header's, lower-cased,
    without ``application/``. TypeScript: ``tokenKindOf``.

    >>> token_kind_of("at+jwt", {"sub": "client_1", "client_id": "client_1", "scope": "tasks:read:any"})
    'client'
    """
    is_access_token = typ == "at+jwt"
    has_client_id = "client_id" in claims
    if is_access_token != has_client_id:
        raise AuthError("invalid_claims")
    if not has_client_id:
        return "user"
    client_id = claims["client_id"]
    if not isinstance(client_id, str) or not client_id or claims.get("sub") != client_id:
        raise AuthError("invalid_claims")
    if "scope" in claims and scopes_of(claims["scope"]) is None:
        raise AuthError("invalid_claims")
    if any(name in claims for name in _PERSON_CLAIMS):
        raise AuthError("invalid_claims")
    return "client"


def scopes_of(value: Any) -> tuple[str, ...] | None:
    """The scopes of a ``scope`` claim (RFC 6749 §3.3: names separated by single spaces), each
    once; ``None`` when the claim is not such a string.

    >>> scopes_of("tasks:read:any users:list")
    ('tasks:read:any', 'users:list')
    """
    if not isinstance(value, str):
        return None
    scopes = value.split(" ")
    return tuple(dict.fromkeys(scopes)) if all(scopes) else None


def roles_of(value: Any) -> tuple[str, ...] | None:
    """The roles of a ``role`` claim: one role, or a comma list as Better Auth's admin plugin
    stores several (``"admin,sales"``). ``None`` when the claim is not such a string.

    >>> roles_of("admin, sales")
    ('admin', 'sales')
    """
    if not isinstance(value, str):
        return None
    # Only U+0020: Python's strip() and JavaScript's trim() disagree on other white space.
    roles = [item.strip(" ") for item in value.split(",")]
    return tuple(dict.fromkeys(roles)) if all(roles) else None


def permissions_of(value: Any) -> tuple[str, ...] | None:
    """The ``permissions`` claim: a list of non-empty strings, or ``None`` when it is not one."""
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        return None
    return tuple(dict.fromkeys(value))


def amr_of(value: Any) -> tuple[str, ...] | None:
    """The ``amr`` claim (RFC 8176: how the user authenticated, e.g. ``["pwd", "otp", "mfa"]``): a
    list of non-empty strings, each once; ``None`` when it is not one.

    >>> amr_of(["pwd", "otp", "mfa"])
    ('pwd', 'otp', 'mfa')
    """
    return permissions_of(value)
