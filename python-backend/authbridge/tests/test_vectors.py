"""The shared vectors (contract-tests/vectors): the Python verifier agrees with every one."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from authbridge import AuthError, AuthSettings, Verifier
from authbridge.access import check_permission, check_role, check_user
from authbridge.step_up import check_authentication

# AUTHBRIDGE_VECTORS: where the vectors are when these tests run outside the repository
# (against the built wheel).
VECTORS_FILE = Path(
    os.environ.get("AUTHBRIDGE_VECTORS")
    or Path(__file__).resolve().parents[3] / "contract-tests" / "vectors" / "vectors.json"
)
VECTORS = json.loads(VECTORS_FILE.read_text())["vectors"]

pytestmark = pytest.mark.anyio


def test_there_are_at_least_40_vectors() -> None:
    assert len(VECTORS) >= 40
    codes = {vector["expect"].get("code", "ok") for vector in VECTORS}
    assert {
        "ok",
        "invalid_claims",
        "insufficient_role",
        "insufficient_permission",
        "user_required",
        "insufficient_user_authentication",
        "token_revoked",
    } <= codes


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
async def test_vector(vector: dict[str, Any]) -> None:
    settings = AuthSettings.model_validate(
        {
            "jwks": vector["jwks"],
            "revocation_list": vector.get("revocations"),
            "issuer": vector["issuer"],
            "audience": [vector["audience"]],
            "token_cache_size": 0,
        }
    )
    verifier = Verifier(settings, now=lambda: float(vector["now"]))
    try:
        principal = await verifier.verify(vector["token"])
        # Authentication, role, permission, then the sign-in: CONTRACT §3's order.
        required = vector.get("require", {})
        if required.get("user"):
            check_user(principal)
        if "roles" in required:
            check_role(principal, required["roles"])
        if "permissions" in required:
            check_permission(principal, required["permissions"])
        if required.get("mfa") or "maxAge" in required:
            mfa, max_age = bool(required.get("mfa")), required.get("maxAge")
            check_authentication(principal, mfa=mfa, max_age=max_age, now=float(vector["now"]))
        result: dict[str, Any] = {
            "ok": True,
            "sub": principal.id,
            "kind": principal.kind,
            "client_id": principal.client_id,
            "scopes": list(principal.scopes),
            "roles": list(principal.roles),
            "permissions": list(principal.permissions),
            "amr": list(principal.amr),
            "auth_time": principal.auth_time,
        }
    except AuthError as error:
        # A step-up refusal is judged by its exact challenge too (what it asks the client for).
        result = {"code": error.code}
        if error.code == "insufficient_user_authentication":
            result["challenge"] = error.www_authenticate
    assert result == vector["expect"]
