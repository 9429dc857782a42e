"""require_role / require_permission: the contract's 403s with the RFC 6750 challenge, after
authentication and before the handler; AdminUser; the 403 documented in OpenAPI; overrides that
carry roles."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Response
from fastapi.testclient import TestClient

from authbridge import Principal
from authbridge.fastapi import CurrentUser, install_auth, require_permission, require_role
from authbridge.testing import TestKey, acting_as, make_token, serve_jwks

from .support import env_test_key

#: The policy an app writes for itself (the reference task API does the same with a router dependency).
AdminUser = Annotated[Principal, Depends(require_role("admin"))]

SCOPE = 'Bearer realm="api", error="insufficient_scope", error_description="{}"'
ROLE_DETAIL = "This action requires a role you do not have"
PERMISSION_DETAIL = "This action requires a permission you do not have"

SalesOrAdmin = Annotated[Principal, Depends(require_role("admin", "sales"))]


def build_app() -> FastAPI:
    app = FastAPI()
    install_auth(app)

    @app.get("/api/me")
    async def me(user: CurrentUser) -> dict[str, object]:
        return {"roles": list(user.roles), "permissions": list(user.permissions)}

    @app.get("/api/admin/stats")
    async def stats(admin: AdminUser) -> dict[str, str]:
        return {"id": admin.id}

    @app.get("/api/reports")
    async def reports(user: SalesOrAdmin) -> dict[str, list[str]]:
        return {"roles": list(user.roles)}

    @app.delete(
        "/api/admin/tasks",
        dependencies=[Depends(require_permission("tasks:write:any", "tasks:read:any"))],
        status_code=204,
    )
    async def purge(admin: AdminUser) -> Response:
        return Response(status_code=204)

    return app


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> TestKey:
    return env_test_key(monkeypatch, tmp_path)


def bearer(**claims: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token('alice', **claims)}"}


def test_a_user_with_the_role_gets_in_and_sees_roles_and_permissions() -> None:
    with TestClient(build_app()) as client:
        res = client.get("/api/admin/stats", headers=bearer(role="user,admin"))
        assert res.status_code == 200
        assert res.json() == {"id": "alice"}
        me = client.get("/api/me", headers=bearer(role="admin", permissions=["users:list"]))
        assert me.json() == {"roles": ["admin"], "permissions": ["users:list"]}


def test_a_user_without_the_role_gets_403_insufficient_role_with_the_challenge() -> None:
    with TestClient(build_app()) as client:
        res = client.get("/api/admin/stats", headers=bearer(role="user"))
        assert res.status_code == 403
        assert res.headers["www-authenticate"] == SCOPE.format(ROLE_DETAIL)
        assert (
            res.text == '{"detail":"This action requires a role you do not have","code":"insufficient_role"}'
        )


def test_any_one_of_several_roles_is_enough() -> None:
    with TestClient(build_app()) as client:
        assert client.get("/api/reports", headers=bearer(role="sales")).json() == {"roles": ["sales"]}
        assert client.get("/api/reports", headers=bearer()).status_code == 403


def test_permissions_are_checked_all_of_them() -> None:
    with TestClient(build_app()) as client:
        partial = client.delete(
            "/api/admin/tasks", headers=bearer(role="admin", permissions=["tasks:read:any"])
        )
        assert partial.status_code == 403
        assert partial.headers["www-authenticate"] == SCOPE.format(PERMISSION_DETAIL)
        assert partial.json() == {"detail": PERMISSION_DETAIL, "code": "insufficient_permission"}
        full = bearer(role="admin", permissions=["tasks:read:any", "tasks:write:any"])
        assert client.delete("/api/admin/tasks", headers=full).status_code == 204


def test_authentication_comes_first() -> None:
    with TestClient(build_app()) as client:
        assert client.get("/api/admin/stats").json()["code"] == "missing_token"
        malformed = client.get("/api/admin/stats", headers=bearer(role=["admin"]))
        assert malformed.status_code == 401
        assert malformed.json()["code"] == "invalid_claims"
        expired = client.get("/api/admin/stats", headers=bearer(role="admin", exp=1))
        assert expired.json()["code"] == "token_expired"


def codes(response: dict[str, Any]) -> list[str]:
    enum: list[str] = response["content"]["application/json"]["schema"]["properties"]["code"]["enum"]
    return enum


def test_openapi_documents_the_401_and_the_403s() -> None:
    schema = TestClient(build_app()).get("/openapi.json").json()
    stats = schema["paths"]["/api/admin/stats"]["get"]["responses"]
    assert stats["403"]["content"]["application/json"]["schema"]["properties"]["code"]["enum"] == [
        "insufficient_role"
    ]
    assert (
        "missing_token" in stats["401"]["content"]["application/json"]["schema"]["properties"]["code"]["enum"]
    )
    purge = schema["paths"]["/api/admin/tasks"]["delete"]["responses"]
    assert codes(purge["403"]) == ["insufficient_permission", "insufficient_role"]
    me = schema["paths"]["/api/me"]["get"]["responses"]
    assert "401" in me
    # A route for people refuses a machine client's token.
    assert codes(me["403"]) == ["user_required"]


def test_override_current_user_carries_roles_and_checks_still_apply() -> None:
    app = build_app()
    acting_as(app, "bob", role="admin")
    with TestClient(app) as client:
        assert client.get("/api/admin/stats").json() == {"id": "bob"}
    app.dependency_overrides.clear()
    acting_as(app, "carol")
    with TestClient(app) as client:
        assert client.get("/api/admin/stats").json()["code"] == "insufficient_role"


def test_a_role_check_never_fetches_the_jwks_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    key = TestKey()
    with serve_jwks(key) as server:
        monkeypatch.delenv("AUTH_JWKS", raising=False)
        monkeypatch.setenv("AUTH_JWKS_URL", server.url)
        monkeypatch.setenv("AUTH_REVOCATION_URL", server.revocation_url)
        headers = {"Authorization": f"Bearer {make_token('alice', key=key, role='user')}"}
        with TestClient(build_app()) as client:
            assert client.get("/api/admin/stats", headers=headers).status_code == 403
            fetches = server.fetches
            for _ in range(5):
                assert client.get("/api/admin/stats", headers=headers).status_code == 403
            assert server.fetches == fetches


def test_a_check_needs_a_name() -> None:
    with pytest.raises(TypeError):
        require_role()
    with pytest.raises(TypeError):
        require_permission()
