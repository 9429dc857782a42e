"""Role and permission checks on a verified principal (CONTRACT §3).

They raise the contract's 403 ``insufficient_role`` / ``insufficient_permission`` and read the
principal only, so a check never costs a JWKS fetch or a second verification. The TypeScript
SDK's ``access.ts`` is the twin.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import AuthError
from .principal import Principal


def has_role(user: Principal, role: str) -> bool:
    """Whether the token's ``role`` claim lists ``role``.

    >>> if has_role(user, "admin"): ...
    """
    return role in user.roles


def has_permission(user: Principal, permission: str) -> bool:
    """Whether the caller holds ``permission``: a user by the token's ``permissions`` claim, a
    machine client by its ``scope`` (scopes are the role map's permission names).

    >>> if has_permission(user, "tasks:read:any"): ...
    """
    return permission in (user.scopes if user.kind == "client" else user.permissions)


def check_user(caller: Principal) -> None:
    """Raise ``user_required`` unless the caller is a person (a user's token, not a machine
    client's): what ``get_current_user`` does after authenticating.

    >>> check_user(caller)  # in a handler that takes CurrentCaller
    """
    if caller.kind == "client":
        raise AuthError("user_required")


def check_role(user: Principal, roles: Iterable[str]) -> None:
    """Raise ``insufficient_role`` unless ``user`` has at least one of ``roles`` (a machine client
    has none).

    >>> check_role(user, ["admin"])
    """
    wanted = tuple(roles)
    if not wanted:
        raise TypeError("authbridge: name at least one role")
    if not any(has_role(user, role) for role in wanted):
        raise AuthError("insufficient_role")


def check_permission(user: Principal, permissions: Iterable[str]) -> None:
    """Raise ``insufficient_permission`` unless the caller (a user or a client) has every one of
    ``permissions``.

    >>> check_permission(user, ["tasks:read:any"])
    """
    wanted = tuple(permissions)
    if not wanted:
        raise TypeError("authbridge: name at least one permission")
    if not all(has_permission(user, permission) for permission in wanted):
        raise AuthError("insufficient_permission")
