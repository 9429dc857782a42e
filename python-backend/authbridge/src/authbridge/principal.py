"""The verified caller: what a route handler receives from ``get_current_user``.

Immutable all the way down: the verified-token cache hands the same principal to every request
that carries the same token, so a handler must not be able to change what the next one sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .claims import PrincipalKind, amr_of, permissions_of, roles_of, scopes_of


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    return value


@dataclass(frozen=True, slots=True)
class Principal:
    """``id`` is the token's ``sub`` (a user's id, or a machine client's ``client_id``);
    ``claims`` holds every verified claim, read-only.

    >>> principal_from_claims({"sub": "u1", "email": "a@example.com"}).email
    'a@example.com'
    """

    id: str
    email: str | None
    name: str | None
    #: ``email_verified`` or, in stock Better Auth tokens, ``emailVerified``.
    email_verified: bool | None
    #: The ``role`` claim as a tuple (``"admin,sales"`` → ``("admin", "sales")``); empty when absent.
    roles: tuple[str, ...]
    #: The ``permissions`` claim; empty when absent.
    permissions: tuple[str, ...]
    claims: Mapping[str, Any] = field(repr=False)
    #: ``"user"`` (a person's session token) or ``"client"`` (a client credentials access token,
    #: ``typ: at+jwt`` with ``client_id``).
    kind: PrincipalKind = "user"
    #: The ``client_id`` claim of a client token; ``None`` for a user.
    client_id: str | None = None
    #: The ``scope`` claim of a client token as a tuple; empty for a user.
    scopes: tuple[str, ...] = ()
    #: The ``amr`` claim (RFC 8176: ``("pwd",)``, ``("pwd", "otp", "mfa")``); empty when absent.
    amr: tuple[str, ...] = ()
    #: The ``auth_time`` claim: when the user signed in, seconds since the epoch; ``None`` when absent.
    auth_time: float | None = None
    #: The ``sid`` claim: the session the token was issued from (a keyed hash, never the session
    #: token), which the revocation feed lists once the session ends; ``None`` for a client.
    session_id: str | None = None
    #: The ``iat`` claim, seconds since the epoch; ``None`` when absent.
    issued_at: float | None = None


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """The principal of verified ``claims`` (frozen, all the way down). TypeScript: ``principalFromClaims``.

    >>> principal_from_claims({"sub": "u1", "role": "admin,sales"}).roles
    ('admin', 'sales')
    """
    verified = claims.get("email_verified", claims.get("emailVerified"))
    is_client = "client_id" in claims
    client_id = claims["client_id"] if is_client else None
    return Principal(
        id=str(claims["sub"]),
        email=claims.get("email"),
        name=claims.get("name"),
        email_verified=verified if isinstance(verified, bool) else None,
        roles=roles_of(claims.get("role")) or (),
        permissions=permissions_of(claims.get("permissions")) or (),
        claims=_frozen(claims),
        kind="client" if is_client else "user",
        client_id=client_id if isinstance(client_id, str) else None,
        scopes=(scopes_of(claims.get("scope")) if is_client else None) or (),
        amr=amr_of(claims.get("amr")) or (),
        auth_time=_number_or_none(claims.get("auth_time")),
        session_id=claims["sid"] if isinstance(claims.get("sid"), str) else None,
        issued_at=_number_or_none(claims.get("iat")),
    )


def _number_or_none(value: Any) -> float | None:
    # bool is an int in Python; JSON true is not a NumericDate.
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None
