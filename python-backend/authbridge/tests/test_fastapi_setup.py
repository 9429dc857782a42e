"""install_auth(app) as the one call: the app's own lifespan and on_event handlers keep running,
a TestClient outside ``with`` works, overrides keep FastAPI's 422s, a wrong JWKS URL is logged at
start-up, and an app without install_auth still never answers 500."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from authbridge import AuthSettings
from authbridge.fastapi import CurrentUser, install_auth
from authbridge.testing import JwksServer, TestKey, acting_as, configure_env, make_token


class Body(BaseModel):
    title: str


def protected_app(**install: object) -> FastAPI:
    app = FastAPI()
    install_auth(app, **install)  # type: ignore[arg-type]

    @app.get("/me")
    async def me(user: CurrentUser) -> dict[str, str | bool | None]:
        return {"id": user.id, "email_verified": user.email_verified}

    @app.post("/items")
    async def create(user: CurrentUser, body: Body) -> dict[str, str]:
        return {"owner": user.id, "title": body.title}

    return app


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> TestKey:
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    return configure_env(environ=_Env(monkeypatch))


class _Env(dict[str, str]):
    """os.environ through monkeypatch, so every test leaves the environment as it found it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        super().__init__()
        self._mp = monkeypatch

    def __setitem__(self, name: str, value: str) -> None:
        self._mp.setenv(name, value)

    def pop(self, name: str, default: object = None) -> object:  # type: ignore[override]
        self._mp.delenv(name, raising=False)
        return default


def test_existing_lifespan_and_on_event_handlers_keep_running(key: TestKey) -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        events.append("lifespan start")
        yield
        events.append("lifespan stop")

    app = FastAPI(lifespan=lifespan)
    install_auth(app)
    with TestClient(app):
        pass
    assert events == ["lifespan start", "lifespan stop"]

    legacy = FastAPI()
    with pytest.warns(DeprecationWarning, match="on_event"):

        @legacy.on_event("startup")
        async def startup() -> None:
            events.append("on_event startup")

    install_auth(legacy)
    with TestClient(legacy):
        pass
    assert events[-1] == "on_event startup"


def test_a_client_outside_with_builds_the_verifier_on_first_use(key: TestKey) -> None:
    client = TestClient(protected_app())
    assert client.get("/me").status_code == 401
    ok = client.get("/me", headers={"Authorization": f"Bearer {make_token('ada')}"})
    assert ok.json() == {"id": "ada", "email_verified": True}


def test_stock_better_auth_emailverified_is_read(key: TestKey) -> None:
    client = TestClient(protected_app())
    token = make_token("ada", email_verified=None, emailVerified=False)
    assert client.get("/me", headers={"Authorization": f"Bearer {token}"}).json()["email_verified"] is False


def test_an_override_of_get_current_user_keeps_fastapis_422(key: TestKey) -> None:
    app = protected_app()
    acting_as(app, "ada")
    client = TestClient(app)
    assert client.post("/items", json={"title": "x"}).json() == {"owner": "ada", "title": "x"}
    assert client.post("/items", json={}).status_code == 422


def test_without_an_override_a_bad_body_without_token_is_401(key: TestKey) -> None:
    client = TestClient(protected_app())
    response = client.post("/items", json={})
    assert response.status_code == 401
    assert response.json()["code"] == "missing_token"


def test_a_jwks_url_that_fails_is_logged_once_at_start_up(caplog: pytest.LogCaptureFixture) -> None:
    server = JwksServer([TestKey()])
    server.status = 404
    try:
        settings = AuthSettings(
            jwks_url=server.url, revocation_url=server.revocation_url, issuer="i", audience=["a"]
        )
        app = protected_app(settings=settings)
        with caplog.at_level(logging.WARNING, logger="authbridge"), TestClient(app) as client:
            messages = [r.getMessage() for r in caplog.records if r.name == "authbridge"]
            assert len(messages) == 1
            assert server.url in messages[0]
            assert "404" in messages[0]
            response = client.get(
                "/me", headers={"Authorization": f"Bearer {make_token('ada', key=TestKey())}"}
            )
            assert response.status_code == 503
            assert response.json()["code"] == "jwks_unavailable"
    finally:
        server.close()


def test_install_auth_twice_is_refused(key: TestKey) -> None:
    app = protected_app()
    with pytest.raises(RuntimeError, match="twice"):
        install_auth(app)


def test_an_app_without_install_auth_answers_the_contracts_status_not_500(key: TestKey) -> None:
    app = FastAPI()

    @app.get("/me")
    async def me(user: CurrentUser) -> dict[str, str]:
        return {"id": user.id}

    client = TestClient(app, raise_server_exceptions=False)
    missing = client.get("/me")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="api"'
    assert client.get("/me", headers={"Authorization": f"Bearer {make_token('ada')}"}).json() == {"id": "ada"}
