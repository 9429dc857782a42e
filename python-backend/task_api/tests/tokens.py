"""Tokens for the task API's issuer and audience, signed with an authbridge.testing key."""

from __future__ import annotations

from typing import Any

from authbridge.testing import TestKey, make_client_token, make_token

ISSUER = "https://auth.authbridge.test"
AUDIENCE = "task-api"


def token_for(key: TestKey, sub: str, **claims: Any) -> str:
    """A valid token for ``sub`` from ``key``; claims override (``=None`` drops one)."""
    return make_token(sub, key=key, **{"iss": ISSUER, "aud": AUDIENCE, **claims})


def client_token_for(key: TestKey, client_id: str, scope: str, **claims: Any) -> str:
    """A machine client's token (client credentials, RFC 9068) with the scopes it was granted."""
    return make_client_token(client_id, scope, key=key, **{"iss": ISSUER, "aud": AUDIENCE, **claims})
