"""install_auth composes with the app: its own RequestValidationError handler and its own OpenAPI
customisation keep working whether they come before or after install_auth, and the contract's
401 still comes before any 422."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from pydantic import BaseModel

from authbridge.fastapi import CurrentUser, install_auth
from authbridge.testing import TestKey, make_token

pytestmark = pytest.mark.usefixtures("auth_env")


class Body(BaseModel):
    title: str


def _routes(app: FastAPI) -> None:
    @app.post("/items")
    async def create(user: CurrentUser, body: Body, limit: int = 10) -> dict[str, str]:
        return {"owner": user.id, "title": body.title}

    @app.get("/open")
    async def open_route(limit: int) -> dict[str, int]:
        return {"limit": limit}


async def _own_422(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"mine": True, "errors": len(exc.errors())}, status_code=422)


def _with_handler(order: str) -> FastAPI:
    app = FastAPI()
    if order == "before":
        app.add_exception_handler(RequestValidationError, _own_422)
        install_auth(app)
    else:
        install_auth(app)
        app.add_exception_handler(RequestValidationError, _own_422)
    _routes(app)
    return app


@pytest.mark.parametrize("order", ["before", "after"])
def test_the_apps_own_validation_handler_answers_its_422s(order: str, auth_env: TestKey) -> None:
    with TestClient(_with_handler(order)) as client:
        assert client.get("/open?limit=x").json() == {"mine": True, "errors": 1}
        headers = {"authorization": f"Bearer {make_token('alice', key=auth_env)}"}
        invalid = client.post("/items", json={"title": 5}, headers=headers)
        assert invalid.status_code == 422
        assert invalid.json() == {"mine": True, "errors": 1}


@pytest.mark.parametrize("order", ["before", "after"])
def test_authentication_still_comes_before_the_apps_422(order: str) -> None:
    with TestClient(_with_handler(order)) as client:
        for response in (
            client.post("/items", json={"title": 5}),
            client.post("/items", content=b"{not json", headers={"content-type": "application/json"}),
            client.post("/items?limit=x", json={"title": "ok"}),
        ):
            assert response.status_code == 401
            assert response.json()["code"] == "missing_token"


def _custom_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title="Custom", version="9.9", routes=app.routes)
            schema["info"]["x-logo"] = {"url": "https://example.test/logo.png"}
            app.openapi_schema = schema
        return app.openapi_schema

    return openapi


@pytest.mark.parametrize("order", ["before", "after"])
def test_the_apps_openapi_customisation_keeps_working_and_documents_the_401(order: str) -> None:
    app = FastAPI()
    _routes(app)
    if order == "before":
        app.openapi = _custom_openapi(app)  # type: ignore[method-assign]
        install_auth(app)
    else:
        install_auth(app)
        app.openapi = _custom_openapi(app)  # type: ignore[method-assign]
    with TestClient(app) as client:
        schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "Custom"
    assert schema["info"]["x-logo"] == {"url": "https://example.test/logo.png"}
    responses = schema["paths"]["/items"]["post"]["responses"]
    assert (
        "missing_token"
        in responses["401"]["content"]["application/json"]["schema"]["properties"]["code"]["enum"]
    )
    assert "401" not in schema["paths"]["/open"]["get"]["responses"]


def test_without_an_app_handler_a_422_that_echoes_a_lone_surrogate_is_still_json() -> None:
    app = FastAPI()
    install_auth(app)
    _routes(app)
    with TestClient(app) as client:
        response = client.get("/open?limit=%ED%A0%80")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]
