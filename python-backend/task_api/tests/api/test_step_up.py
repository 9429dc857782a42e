"""MFA_REQUIRED_ROLES=admin on the admin routes, per route and verb: an admin needs a sign-in
with a second factor (the step-up 401 otherwise, never data), after the role and the
permission; a machine client is judged by its scopes; the other routes ask nothing more."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest

from authbridge import AuthSettings
from authbridge.testing import JwksServer, TestKey
from task_api import create_app
from task_api.config import TaskApiSettings

from ..tokens import AUDIENCE, ISSUER, client_token_for, token_for

pytestmark = pytest.mark.anyio

DETAIL = "This action requires a stronger or more recent sign-in"
MFA_ACR = "http://schemas.openid.net/pape/policies/2007/06/multi-factor"
STEP_UP = (
    f'Bearer realm="api", error="insufficient_user_authentication", error_description="{DETAIL}", '
    f'acr_values="{MFA_ACR}"'
)
ADMIN = {"role": "admin", "permissions": ["tasks:read:any", "tasks:write:any", "users:list"]}
MISSING = "00000000-0000-0000-0000-000000000000"
ROUTES = [
    ("GET", "/api/admin/tasks", 200),
    ("DELETE", f"/api/admin/tasks/{MISSING}", 404),
    ("GET", "/api/admin/users", 200),
]


@pytest.fixture
async def strict(jwks: JwksServer, tmp_path: object) -> AsyncIterator[httpx.AsyncClient]:
    settings = TaskApiSettings(
        database_url=f"sqlite:///{tmp_path}/tasks.sqlite", mfa_required_roles=["admin"]
    )
    app = create_app(
        settings=settings,
        auth_settings=lambda: AuthSettings(
            jwks_url=jwks.url, revocation_url=jwks.revocation_url, issuer=ISSUER, audience=[AUDIENCE]
        ),
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


def headers(key: TestKey, sub: str = "root", **claims: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(key, sub, **claims)}"}


def signed_in(amr: list[str]) -> dict[str, object]:
    return {"amr": amr, "auth_time": int(time.time()) - 30}


@pytest.mark.parametrize(("method", "path", "ok"), ROUTES)
async def test_an_admin_with_a_second_factor_is_let_in(
    strict: httpx.AsyncClient, key: TestKey, method: str, path: str, ok: int
) -> None:
    res = await strict.request(
        method, path, headers=headers(key, **ADMIN, **signed_in(["pwd", "otp", "mfa"]))
    )
    assert res.status_code == ok


@pytest.mark.parametrize(("method", "path", "ok"), ROUTES)
@pytest.mark.parametrize("amr", [["pwd"], None])
async def test_an_admin_without_one_gets_the_step_up_401_and_no_data(
    strict: httpx.AsyncClient, key: TestKey, method: str, path: str, ok: int, amr: list[str] | None
) -> None:
    claims = ADMIN if amr is None else {**ADMIN, **signed_in(amr)}
    res = await strict.request(method, path, headers=headers(key, **claims))
    assert res.status_code == 401
    assert res.headers["www-authenticate"] == STEP_UP
    assert res.json() == {"detail": DETAIL, "code": "insufficient_user_authentication"}


async def test_the_role_and_the_permission_come_first(strict: httpx.AsyncClient, key: TestKey) -> None:
    plain = await strict.get("/api/admin/tasks", headers=headers(key, role="user", **signed_in(["pwd"])))
    assert plain.json()["code"] == "insufficient_role"
    partial = {"role": "admin", "permissions": ["users:list"], **signed_in(["pwd"])}
    no_permission = await strict.get("/api/admin/tasks", headers=headers(key, **partial))
    assert no_permission.json()["code"] == "insufficient_permission"


async def test_a_machine_client_is_judged_by_its_scopes(strict: httpx.AsyncClient, key: TestKey) -> None:
    token = client_token_for(key, "client_reports", "tasks:read:any")
    res = await strict.get("/api/admin/tasks", headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 200


async def test_routes_for_everyone_ask_nothing_more(strict: httpx.AsyncClient, key: TestKey) -> None:
    res = await strict.get("/api/tasks", headers=headers(key, **ADMIN, **signed_in(["pwd"])))
    assert res.status_code == 200


def test_the_policy_defaults_by_environment() -> None:
    assert TaskApiSettings(environment="production").admin_requires_mfa is True
    assert TaskApiSettings(environment="development").admin_requires_mfa is False
    assert TaskApiSettings(environment="production", mfa_required_roles=[]).admin_requires_mfa is False
    assert TaskApiSettings.model_validate({"MFA_REQUIRED_ROLES": " admin , sales"}).mfa_required_roles == [
        "admin",
        "sales",
    ]
