"""Step-up (RFC 9470): require_mfa / require_recent_sign_in as dependencies and
check_authentication in a handler; the 401 insufficient_user_authentication with a challenge
naming what the route requires, after authentication and before the handler; clients admitted or
refused; the 401 documented in OpenAPI."""

from __future__ import annotations

import time
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from authbridge import MFA_ACR, AuthError, Principal, StepUpRequest, check_authentication, has_mfa
from authbridge import principal_from_claims as principal
from authbridge.fastapi import CurrentUser, install_auth, require_mfa, require_recent_sign_in
from authbridge.testing import TestKey, make_client_token, make_token

from .support import env_test_key

DETAIL = "This action requires a stronger or more recent sign-in"
CHALLENGE = f'Bearer realm="api", error="insufficient_user_authentication", error_description="{DETAIL}"'
TOTP = ["pwd", "otp", "mfa"]

MfaUser = Annotated[Principal, Depends(require_mfa())]


def build_app() -> FastAPI:
    app = FastAPI()
    install_auth(app)

    @app.delete("/api/account")
    async def delete_account(user: MfaUser) -> dict[str, str]:
        return {"id": user.id}

    @app.post("/api/account/email", dependencies=[Depends(require_recent_sign_in(300))])
    async def change_email(user: CurrentUser) -> dict[str, str]:
        return {"id": user.id}

    @app.get("/api/admin/export", dependencies=[Depends(require_mfa(max_age=900, clients="admit"))])
    async def export() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/api/payouts")
    async def payout(user: CurrentUser) -> dict[str, str]:
        check_authentication(user, mfa=True)  # the same check, in a handler
        return {"id": user.id}

    return app


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> TestKey:
    return env_test_key(monkeypatch, tmp_path)


def bearer(**claims: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token('alice', **claims)}"}


def signed_in(amr: list[str], seconds_ago: int = 60) -> dict[str, str]:
    return bearer(amr=amr, auth_time=int(time.time()) - seconds_ago)


def test_require_mfa_admits_a_sign_in_with_a_second_factor() -> None:
    with TestClient(build_app()) as client:
        assert client.delete("/api/account", headers=signed_in(TOTP)).json() == {"id": "alice"}
        assert client.delete("/api/account", headers=signed_in(["pwd", "mfa"])).status_code == 200


@pytest.mark.parametrize("amr", [["pwd"], ["otp"], [], None])
def test_require_mfa_refuses_a_password_alone_with_the_rfc_9470_challenge(amr: list[str] | None) -> None:
    headers = bearer() if amr is None else signed_in(amr)
    with TestClient(build_app()) as client:
        res = client.delete("/api/account", headers=headers)
    assert res.status_code == 401
    assert res.headers["www-authenticate"] == f'{CHALLENGE}, acr_values="{MFA_ACR}"'
    assert res.json() == {"detail": DETAIL, "code": "insufficient_user_authentication"}


def test_require_recent_sign_in_names_max_age() -> None:
    with TestClient(build_app()) as client:
        assert client.post("/api/account/email", headers=signed_in(["pwd"], 100)).status_code == 200
        old = client.post("/api/account/email", headers=signed_in(TOTP, 301))
        missing = client.post("/api/account/email", headers=bearer(amr=TOTP))
    for res in (old, missing):
        assert res.status_code == 401
        assert res.headers["www-authenticate"] == f"{CHALLENGE}, max_age=300"


def test_both_requirements_are_named_whichever_failed() -> None:
    with TestClient(build_app()) as client:
        res = client.get("/api/admin/export", headers=signed_in(TOTP, 1000))
    assert res.status_code == 401
    assert res.headers["www-authenticate"] == f'{CHALLENGE}, acr_values="{MFA_ACR}", max_age=900'


def test_clients_are_refused_by_default_and_admitted_when_the_route_says_so() -> None:
    client_token = {"Authorization": f"Bearer {make_client_token('client_x', 'tasks:read:any')}"}
    with TestClient(build_app()) as client:
        refused = client.delete("/api/account", headers=client_token)
        admitted = client.get("/api/admin/export", headers=client_token)
    assert refused.status_code == 403
    assert refused.json()["code"] == "user_required"
    assert admitted.status_code == 200


def test_authentication_comes_first() -> None:
    with TestClient(build_app()) as client:
        res = client.delete("/api/account", headers=bearer(amr=TOTP, exp=int(time.time()) - 60))
    assert res.json()["code"] == "token_expired"


def test_a_handler_check_answers_the_same() -> None:
    with TestClient(build_app()) as client:
        res = client.post("/api/payouts", headers=signed_in(["pwd"]))
        ok = client.post("/api/payouts", headers=signed_in(TOTP))
    assert res.status_code == 401
    assert res.headers["www-authenticate"] == f'{CHALLENGE}, acr_values="{MFA_ACR}"'
    assert ok.status_code == 200


def test_openapi_documents_the_step_up_401() -> None:
    schema = build_app().openapi()
    codes = schema["paths"]["/api/account"]["delete"]["responses"]["401"]["content"]["application/json"]
    assert "insufficient_user_authentication" in codes["schema"]["properties"]["code"]["enum"]


def test_check_authentication_on_a_principal() -> None:
    now = 1_800_000_000
    user = principal({"sub": "u", "amr": TOTP, "auth_time": now - 10})
    assert has_mfa(user)
    check_authentication(user, mfa=True, max_age=10, now=now)
    with pytest.raises(AuthError) as refused:
        check_authentication(user, max_age=9, now=now)
    assert refused.value.step_up == StepUpRequest(acr_values=None, max_age=9)
    assert refused.value.status == 401


@pytest.mark.parametrize("max_age", [-1, 1.5, True, "300"])
def test_a_wrong_max_age_fails_when_the_app_is_built(max_age: object) -> None:
    with pytest.raises(TypeError):
        require_recent_sign_in(max_age)  # type: ignore[arg-type]


def test_nothing_required_is_a_mistake() -> None:
    with pytest.raises(TypeError):
        check_authentication(principal({"sub": "u"}))
