"""The body limit install_auth adds: 401 decided before any body is read on a protected route,
413 before a body over the cap is buffered (declared or chunked), and Connection: close with it.
A refused body is then read to its end and thrown away (bounded), so the client reads the answer
instead of a reset: the route never sees it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import Depends, FastAPI
from pydantic import BaseModel

from authbridge import body_limit as limits
from authbridge.fastapi import CurrentUser, body_limit, install_auth
from authbridge.testing import TestKey, make_token

pytestmark = pytest.mark.anyio
CAP = 1024


class Body(BaseModel):
    title: str


@pytest.fixture
def app(auth_env: TestKey) -> FastAPI:
    app = FastAPI()
    install_auth(app, max_body_bytes=CAP)

    @app.post("/items")
    async def create(user: CurrentUser, body: Body) -> dict[str, str]:
        reached.append("items")
        return {"owner": user.id, "title": body.title}

    @app.post("/public")
    async def public(body: Body) -> dict[str, str]:
        reached.append("public")
        return {"title": body.title}

    reached.clear()
    return app


#: The routes that ran, in order (a refused body never reaches one).
reached: list[str] = []


class Exchange:
    """One raw ASGI request: chunks the client would send, and what came back."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = list(chunks)
        self.read = 0
        #: Chunks read before the answer started.
        self.read_before_answer = -1
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body = b""

    async def receive(self) -> dict[str, Any]:
        if not self.chunks:
            return {"type": "http.disconnect"}
        self.read += 1
        chunk = self.chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(self.chunks)}

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.read_before_answer = self.read
            self.status = message["status"]
            self.headers = {k.decode().lower(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")


async def call(
    app: FastAPI, path: str, chunks: list[bytes], *, token: str | None = None, length: bool = True
) -> Exchange:
    headers = [(b"content-type", b"application/json")]
    if length:
        headers.append((b"content-length", str(sum(map(len, chunks))).encode()))
    else:
        headers.append((b"transfer-encoding", b"chunked"))
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "root_path": "",
             "scheme": "http", "query_string": b"", "headers": headers, "server": ("test", 80),
             "client": ("127.0.0.1", 1), "http_version": "1.1", "asgi": {"version": "3.0"}}  # fmt: skip
    exchange = Exchange(chunks)
    await app(scope, exchange.receive, exchange.send)
    return exchange


def big(n: int) -> bytes:
    return json.dumps({"title": "x" * n}).encode()


async def test_a_protected_route_answers_401_without_the_route_seeing_the_body(app: FastAPI) -> None:
    # Invalid JSON: had anything parsed it before authentication, the answer would be a 422.
    exchange = await call(app, "/items", [b"{not json" * 1000, b"x" * 4096])
    assert exchange.status == 401
    assert json.loads(exchange.body)["code"] == "missing_token"
    assert reached == []
    # Discarded to its end before the answer, so that the client reads it.
    assert exchange.read == exchange.read_before_answer == 2


async def test_a_declared_length_over_the_cap_is_413_without_the_route_seeing_it(app: FastAPI) -> None:
    exchange = await call(app, "/items", [big(10 * CAP)], token=make_token("ada"))
    assert exchange.status == 413
    assert json.loads(exchange.body) == {
        "detail": "The request body is too large",
        "code": "payload_too_large",
    }
    assert exchange.headers["connection"] == "close"
    assert reached == []


async def test_a_chunked_body_over_the_cap_is_413_and_the_rest_discarded(app: FastAPI) -> None:
    chunks = [b"x" * 512] * 100
    exchange = await call(app, "/public", chunks, length=False)
    assert exchange.status == 413
    assert reached == []
    assert exchange.read == 100


async def test_discarding_a_refused_body_stops_at_its_bound(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "DRAIN_MAX_BYTES", 10 * 4096)
    exchange = await call(app, "/items", [b"x" * 4096] * 1000)
    assert exchange.status == 401
    assert exchange.read <= 11


async def test_a_body_under_the_cap_reaches_the_route(app: FastAPI) -> None:
    body = json.dumps({"title": "hello"}).encode()
    exchange = await call(app, "/items", [body[:5], body[5:]], token=make_token("ada"), length=False)
    assert exchange.status == 200
    assert json.loads(exchange.body) == {"owner": "ada", "title": "hello"}


async def test_an_unprotected_route_is_capped_too(app: FastAPI) -> None:
    exchange = await call(app, "/public", [big(10 * CAP)])
    assert exchange.status == 413


async def test_the_default_cap_is_one_mebibyte_so_ordinary_uploads_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MAX_BODY_BYTES", raising=False)
    app = FastAPI()
    install_auth(app)

    @app.post("/public")
    async def public(body: Body) -> dict[str, int]:
        return {"length": len(body.title)}

    assert (await call(app, "/public", [big(300_000)])).status == 200
    assert (await call(app, "/public", [big(1024 * 1024)])).status == 413


async def test_a_route_sets_its_own_cap_with_body_limit(auth_env: TestKey) -> None:
    app = FastAPI()
    install_auth(app, max_body_bytes=CAP)

    @app.post("/uploads", dependencies=[body_limit(100 * CAP)])
    async def upload(user: CurrentUser, body: Body) -> dict[str, int]:
        return {"length": len(body.title)}

    @app.post("/anything", dependencies=[body_limit(None)])
    async def anything(body: Body) -> dict[str, int]:
        return {"length": len(body.title)}

    @app.post("/tiny", dependencies=[body_limit(16)])
    async def tiny(body: Body) -> dict[str, int]:
        return {"length": len(body.title)}

    token = make_token("ada")
    assert (await call(app, "/uploads", [big(50 * CAP)], token=token)).status == 200
    assert (await call(app, "/uploads", [big(200 * CAP)], token=token)).status == 413
    # Authentication still comes first on a route with a larger cap.
    assert (await call(app, "/uploads", [big(50 * CAP)])).status == 401
    assert (await call(app, "/anything", [big(3 * 1024 * 1024)], length=False)).status == 200
    assert (await call(app, "/tiny", [big(CAP // 2)])).status == 413
    with pytest.raises(ValueError, match="positive number of bytes"):
        body_limit(0)


async def test_the_limit_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_BODY_BYTES", "0")
    app = FastAPI()
    install_auth(app)

    @app.post("/public")
    async def public(body: Body) -> dict[str, int]:
        return {"length": len(body.title)}

    exchange = await call(app, "/public", [big(100_000)])
    assert exchange.status == 200


class _Slotted:
    """A dependency no weak reference can point to (``__slots__``, no ``__weakref__``)."""

    __slots__ = ()

    async def __call__(self) -> str:
        return "ok"


async def test_an_app_dependency_without_weak_references_is_not_mistaken_for_ours(auth_env: TestKey) -> None:
    app = FastAPI()
    install_auth(app, max_body_bytes=CAP)

    @app.post("/items", dependencies=[Depends(_Slotted())])
    async def create(user: CurrentUser, body: Body) -> dict[str, str]:
        return {"owner": user.id}

    assert (await call(app, "/items", [big(10)], token=make_token("ada"))).status == 200
    assert (await call(app, "/items", [big(10)])).status == 401
    assert "401" in app.openapi()["paths"]["/items"]["post"]["responses"]
