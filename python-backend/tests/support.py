"""Test support: Ed25519 keys, token builders by intent, and a real JWKS server on loopback."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ISSUER = "https://auth.authbridge.test"
AUDIENCE = "task-api"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


@dataclass
class SigningKey:
    kid: str
    private: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    @property
    def x(self) -> str:
        return b64url(self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))

    @property
    def jwk(self) -> dict[str, str]:
        return {"kty": "OKP", "crv": "Ed25519", "x": self.x, "kid": self.kid, "alg": "EdDSA"}

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def new_key(kid: str | None = None) -> SigningKey:
    return SigningKey(kid or f"kid-{uuid.uuid4().hex[:12]}")


def claims_for(sub: Any = "user-1", now: float | None = None, **overrides: Any) -> dict[str, Any]:
    now = time.time() if now is None else now
    claims: dict[str, Any] = {
        "sub": sub,
        "email": f"{sub}@example.test",
        "name": f"User {sub}",
        "email_verified": True,
        "iat": int(now),
        "exp": int(now) + 900,
        "iss": ISSUER,
        "aud": AUDIENCE,
    }
    if sub is DROP:
        claims.pop("sub")
    for name, value in overrides.items():
        if value is DROP:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


DROP: Any = object()


def make_token(
    key: SigningKey,
    claims: dict[str, Any] | None = None,
    *,
    header: dict[str, Any] | None = None,
    kid: Any = ...,
    alg: Any = "EdDSA",
    signature: bytes | None = None,
) -> str:
    """A compact JWS; `header` entries override the defaults, `DROP` removes one."""
    head: dict[str, Any] = {"alg": alg, "kid": key.kid if kid is ... else kid}
    for name, value in (header or {}).items():
        if value is DROP:
            head.pop(name, None)
        else:
            head[name] = value
    if head.get("kid") is None and "kid" in head and kid is None:
        head.pop("kid")
    signing_input = f"{b64json(head)}.{b64json(claims if claims is not None else claims_for())}"
    sig = key.sign(signing_input.encode()) if signature is None else signature
    return f"{signing_input}.{b64url(sig)}"


class JwksServer:
    """A real HTTP JWKS endpoint on 127.0.0.1 whose answers a test controls."""

    def __init__(self, keys: list[SigningKey]) -> None:
        self.keys = list(keys)
        self.cache_control: str | None = "public, max-age=300"
        self.status = 200
        self.delay = 0.0
        self.fetches = 0
        self.extra_keys: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server.fetches += 1
                if server.delay:
                    time.sleep(server.delay)
                if server.status != 200:
                    self.send_response(server.status)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                body = json.dumps({"keys": [k.jwk for k in server.keys] + server.extra_keys}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                if server.cache_control:
                    self.send_header("cache-control", server.cache_control)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/.well-known/jwks.json"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@contextmanager
def jwks_server(keys: list[SigningKey]) -> Iterator[JwksServer]:
    server = JwksServer(keys)
    try:
        yield server
    finally:
        server.close()


class FakeClock:
    """Monotonic and wall clock a test moves by hand."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
