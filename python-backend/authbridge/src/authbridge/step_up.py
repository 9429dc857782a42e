"""Step-up (RFC 9470): whether the user's sign-in was strong enough, and recent enough, for the
route, read from the token's ``amr`` and ``auth_time`` (CONTRACT §7).

Failing is 401 ``insufficient_user_authentication`` with a challenge naming what the route
requires, so the client knows to sign in again, with a second factor or afresh. The TypeScript
SDK's ``step-up.ts`` is the twin.
"""

from __future__ import annotations

import time
from typing import Final

from .errors import AuthError, StepUpRequest
from .principal import Principal

#: The ACR value the challenge's ``acr_values`` names for multi-factor authentication (OpenID
#: PAPE's multi-factor policy, as Auth0 and others ask for step-up).
#: >>> error.step_up.acr_values == MFA_ACR  # the route wants a second factor
MFA_ACR: Final = "http://schemas.openid.net/pape/policies/2007/06/multi-factor"

#: The RFC 8176 value that says more than one factor was shown.
_MFA: Final = "mfa"


def has_mfa(user: Principal) -> bool:
    """Whether the user signed in with more than one factor (``amr`` holds ``mfa``).

    >>> if not has_mfa(user): ...
    """
    return _MFA in user.amr


def checked_max_age(max_age: int | None) -> int | None:
    """``max_age`` if it is a whole number of seconds, 0 or more; ``TypeError`` otherwise."""
    if max_age is None:
        return None
    if isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 0:
        raise TypeError("authbridge: max_age is a whole number of seconds, 0 or more")
    return max_age


def check_authentication(
    user: Principal, *, mfa: bool = False, max_age: int | None = None, now: float | None = None
) -> None:
    """Raise ``insufficient_user_authentication`` unless the person's sign-in has a second factor
    (with ``mfa``) and is at most ``max_age`` seconds old (a machine client has no sign-in:
    ``user_required``). ``now`` is seconds since the epoch. TypeScript: ``checkAuthentication``.

    >>> check_authentication(user, mfa=True)        # in a handler
    >>> check_authentication(user, max_age=300)     # signed in within five minutes
    """
    max_age = checked_max_age(max_age)
    if not mfa and max_age is None:
        raise TypeError("authbridge: require mfa, a max_age, or both")
    if user.kind == "client":
        raise AuthError("user_required")
    current = time.time() if now is None else now
    strong_enough = not mfa or has_mfa(user)
    recent_enough = max_age is None or (user.auth_time is not None and current - user.auth_time <= max_age)
    if strong_enough and recent_enough:
        return
    raise AuthError(
        "insufficient_user_authentication",
        step_up=StepUpRequest(acr_values=MFA_ACR if mfa else None, max_age=max_age),
    )
