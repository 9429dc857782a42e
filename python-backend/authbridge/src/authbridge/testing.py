"""Test helpers for apps that use authbridge: real Ed25519 tokens through the real verifier.

A throw-away key pair, its public JWKS put into the environment (``AUTH_JWKS``, with
``AUTH_ISSUER`` and ``AUTH_AUDIENCE``), and tokens signed with it. Nothing here is mocked: the
app's ``get_current_user`` verifies these tokens exactly as it verifies the auth server's.

>>> from authbridge.testing import configure_env, make_token
>>> configure_env()                       # before the app reads its settings
>>> headers = {"Authorization": f"Bearer {make_token('user-1')}"}

``serve_jwks`` runs a real JWKS endpoint on 127.0.0.1 for tests of key rotation or outages;
``acting_as`` replaces authentication for tests that are about something else,
keeping FastAPI's own 422s.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import threading
import time
import uuid
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

if TYPE_CHECKING:
    from fastapi import FastAPI

    from .principal import Principal

__all__ = [
    "TEST_AUDIENCE",
    "TEST_ISSUER",
    "JwksServer",
    "TestKey",
    "acting_as",
    "auth_headers",
    "configure_env",
    "generate_test_key",
    "make_client_token",
    "make_token",
    "serve_jwks",
]

#: The issuer ``configure_env`` sets and ``make_token`` signs for, unless told otherwise.
#: >>> create_verifier(jwks_url=jwks.url, issuer=TEST_ISSUER, audience=[TEST_AUDIENCE])
TEST_ISSUER = "https://auth.authbridge.test"
#: The audience ``configure_env`` sets and ``make_token`` signs for, unless told otherwise.
#: >>> create_verifier(jwks_url=jwks.url, issuer=TEST_ISSUER, audience=[TEST_AUDIENCE])
TEST_AUDIENCE = "authbridge-test"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64json(value: Any) -> str:
    return _b64url(json.dumps(value, separators=(",", ":")).encode())


@dataclass(frozen=True)
class TestKey:
    """An Ed25519 key pair with a ``kid``; ``jwks`` is what an auth server would publish.
    TypeScript: ``TestKey`` (``generateTestKey``).

    >>> key = TestKey("key-1")
    >>> os.environ["AUTH_JWKS"] = json.dumps(key.jwks)
    """

    __test__ = False  # not a pytest test class

    kid: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:12]}")
    private: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate, repr=False)

    @property
    def jwk(self) -> dict[str, str]:
        raw = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw), "kid": self.kid, "alg": "EdDSA"}

    @property
    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [self.jwk]}

    def sign(self, payload: dict[str, Any], header: dict[str, Any] | None = None) -> str:
        """A compact JWS of ``payload`` (header ``alg``/``kid`` unless ``header`` says otherwise)."""
        head = {"alg": "EdDSA", "kid": self.kid, **(header or {})}
        signing_input = f"{_b64json(head)}.{_b64json(payload)}"
        return f"{signing_input}.{_b64url(self.private.sign(signing_input.encode()))}"


def generate_test_key(kid: str | None = None) -> TestKey:
    """A throw-away Ed25519 key pair, with a random ``kid`` unless given. TypeScript: ``generateTestKey``.

    >>> key = generate_test_key("key-1")
    >>> token = make_token("user-1", key=key)
    """
    return TestKey(kid) if kid is not None else TestKey()


_default_key: TestKey | None = None
_defaults = {"issuer": TEST_ISSUER, "audience": TEST_AUDIENCE}


def configure_env(
    key: TestKey | None = None,
    *,
    issuer: str = TEST_ISSUER,
    audience: str = TEST_AUDIENCE,
    environ: MutableMapping[str, str] | None = None,
) -> TestKey:
    """Point authbridge's settings at a test key: ``AUTH_JWKS``, ``AUTH_ISSUER``, ``AUTH_AUDIENCE``.

    Clears ``AUTH_SERVER_URL``, ``AUTH_JWKS_URL`` and the ``AUTH_REVOCATION_*`` feed settings so
    a developer's ``.env`` cannot send the tests to a real server. Returns the key, which
    ``make_token`` then uses by default.

    >>> key = configure_env()  # before the app reads its settings
    """
    global _default_key
    key = key or TestKey()
    env = os.environ if environ is None else environ
    for name in ("AUTH_SERVER_URL", "AUTH_JWKS_URL", "AUTH_REVOCATION_URL", "AUTH_REVOCATION_LIST"):
        env.pop(name, None)
    env["AUTH_JWKS"] = json.dumps(key.jwks)
    env["AUTH_ISSUER"] = issuer
    env["AUTH_AUDIENCE"] = audience
    _defaults.update(issuer=issuer, audience=audience)
    from .settings import get_settings

    get_settings.cache_clear()
    _default_key = key
    return key


def _signed(key: TestKey | None, payload: dict[str, Any], header: dict[str, Any] | None = None) -> str:
    """``payload`` (``None`` members dropped) signed by ``key``, or the default key of ``configure_env``."""
    signer = key or _default_key
    if signer is None:
        raise RuntimeError("authbridge.testing: call configure_env() first, or pass key=")
    return signer.sign({name: value for name, value in payload.items() if value is not None}, header=header)


def _default_audience() -> str:
    return _defaults["audience"].split(",")[0].strip()


def make_token(sub: str = "user-1", *, key: TestKey | None = None, **claims: Any) -> str:
    """A valid token for ``sub``; any claim can be overridden (``exp=0``) or dropped (``=None``).

    Issuer and audience default to what ``configure_env`` set (the first audience of a list);
    ``sid`` is a random session id unless given (name one to revoke it in a ``revocation_list``).

    >>> make_token("user-1", role="admin")  # or exp=0 for an expired one
    """
    now = int(time.time())
    payload: dict[str, Any] = {
        "sub": sub,
        "email": f"{sub}@example.test",
        "name": sub,
        "email_verified": True,
        "iat": now,
        "exp": now + 900,
        "iss": _defaults["issuer"],
        "aud": _default_audience(),
        "sid": secrets.token_urlsafe(16),
    }
    return _signed(key, {**payload, **claims})


def make_client_token(
    client_id: str = "client_test", scope: str | None = None, *, key: TestKey | None = None, **claims: Any
) -> str:
    """A valid machine client token (RFC 9068: ``typ: at+jwt``, ``sub`` = ``client_id``, the
    granted ``scope``), as the auth server's token endpoint issues one; claims as ``make_token``.

    >>> make_client_token("reports", scope="tasks:read:any")
    """
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": _defaults["issuer"],
        "sub": client_id,
        "aud": _default_audience(),
        "client_id": client_id,
        "scope": scope,
        "iat": now,
        "exp": now + 3600,
        "jti": secrets.token_urlsafe(16),
    }
    return _signed(key, {**payload, **claims}, header={"typ": "at+jwt"})


def auth_headers(sub: str = "user-1", **claims: Any) -> dict[str, str]:
    """``{"Authorization": "Bearer <make_token(sub, **claims)>"}``.

    >>> client.get("/api/me", headers=auth_headers("user-1"))
    """
    return {"Authorization": f"Bearer {make_token(sub, **claims)}"}


def acting_as(app: FastAPI, user: Principal | str, **claims: Any) -> None:
    """Let every request in as ``user`` (a ``Principal``, or a user id and extra ``claims`` such
    as ``role="admin"``), without tokens; role and permission checks still apply.

    Validation errors stay FastAPI's 422s: authbridge does not re-check a token for a route
    whose user comes from an override. Undo with ``app.dependency_overrides.clear()``.
    TypeScript: ``actingAs`` (a middleware).

    >>> acting_as(app, "user-1", role="admin")
    """
    from .errors import AuthError, ErrorCode
    from .fastapi import get_current_caller, get_current_user
    from .principal import Principal, principal_from_claims

    principal = user if isinstance(user, Principal) else principal_from_claims({**claims, "sub": user})

    def as_user() -> Principal:
        # A machine client (``client_id`` among the claims) meets person-only routes as a token would.
        if principal.kind == "client":
            raise AuthError(ErrorCode.USER_REQUIRED)
        return principal

    app.dependency_overrides[get_current_user] = as_user
    app.dependency_overrides[get_current_caller] = lambda: principal


_REVOCATIONS_PATH = "/api/auth/revocations"


class _QuietHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that stops reading (an oversized JWKS) is expected, not worth a traceback.
        return


class JwksServer:
    """A real JWKS endpoint on 127.0.0.1 whose answers a test controls (status, keys, delay).

    >>> with serve_jwks(key) as jwks:
    ...     jwks.status = 503  # an outage
    TypeScript: ``JwksServer`` (``serveJwks``).
    """

    def __init__(self, keys: list[TestKey]) -> None:
        self.keys = list(keys)
        self.cache_control: str | None = "public, max-age=300"
        self.status = 200
        self.delay = 0.0
        self.fetches = 0
        self.extra_keys: list[dict[str, Any]] = []
        #: ``sid`` values the revocation feed (CONTRACT §8) lists: append one to end that session.
        self.revoked_sessions: list[str] = []
        #: ``client_id`` values the feed lists.
        self.revoked_clients: list[str] = []
        #: The feed's ``not_before``.
        self.not_before: float = 0
        #: Anything but 200 answers the feed with that status (a feed outage).
        self.revocation_status = 200
        self.revocation_fetches = 0  # feed requests answered, 304s included
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == _REVOCATIONS_PATH:
                    with server._lock:
                        server.revocation_fetches += 1
                    time.sleep(server.delay)
                    server._serve_revocations(self)
                    return
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

        self._httpd = _QuietHTTPServer(("127.0.0.1", 0), Handler)
        port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{port}/.well-known/jwks.json"
        #: ``http://127.0.0.1:<port>/api/auth/revocations``: the revocation feed, with an ETag and 304s.
        self.revocation_url = f"http://127.0.0.1:{port}{_REVOCATIONS_PATH}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    def _serve_revocations(self, handler: BaseHTTPRequestHandler) -> None:
        if self.revocation_status != 200:
            handler.send_response(self.revocation_status)
            handler.send_header("content-length", "0")
            handler.end_headers()
            return
        document = {
            "sessions": sorted(self.revoked_sessions),
            "clients": sorted(self.revoked_clients),
            "not_before": self.not_before,
        }
        body = json.dumps(document, separators=(",", ":")).encode()
        etag = '"' + base64.urlsafe_b64encode(hashlib.sha256(body).digest()).decode()[:27] + '"'
        unchanged = handler.headers.get("if-none-match") == etag
        handler.send_response(304 if unchanged else 200)
        handler.send_header("content-type", "application/json")
        handler.send_header("cache-control", "public, max-age=1")
        handler.send_header("etag", etag)
        handler.send_header("content-length", "0" if unchanged else str(len(body)))
        handler.end_headers()
        if not unchanged:
            handler.wfile.write(body)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@contextmanager
def serve_jwks(*keys: TestKey) -> Iterator[JwksServer]:
    """A ``JwksServer`` for the duration of a ``with`` block.

    >>> with serve_jwks(TestKey()) as jwks:
    ...     verifier = create_verifier(jwks_url=jwks.url, issuer=TEST_ISSUER, audience=[TEST_AUDIENCE])
    """
    server = JwksServer(list(keys))
    try:
        yield server
    finally:
        server.close()
