"""Calling other services as a machine client: an ``httpx.Auth``.

A client credentials token (RFC 6749 §4.4) from the auth server, cached until shortly before it
expires, fetched once for any number of concurrent requests (a lock per instance, sync and
async), and sent as a bearer token. The TypeScript SDK's ``client-credentials.ts`` is the twin.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

import anyio
import httpx

_DISCOVERY_PATH = "/.well-known/oauth-authorization-server"


class ClientCredentialsError(Exception):
    """The token endpoint refused (its RFC 6749 ``error``, such as ``invalid_client``), or could
    not be reached or read (``unreachable``, ``invalid_response``). Never carries the secret.

    >>> try:
    ...     await reports.token()
    ... except ClientCredentialsError as error:
    ...     if error.error == "invalid_client": alert_operators()
    """

    def __init__(self, error: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        #: The OAuth ``error``, or ``unreachable`` / ``invalid_response``.
        self.error = error
        #: The token endpoint's HTTP status, when it answered.
        self.status = status


@dataclass(frozen=True, slots=True)
class _Cached:
    token: str
    refresh_at: float


def _stale_token(response: httpx.Response) -> bool:
    # The called API says the bearer token itself is no good (it expired early, or its key was revoked).
    return response.status_code == 401 and 'error="invalid_token"' in response.headers.get(
        "www-authenticate", ""
    )


def _json_object(response: httpx.Response, url: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as not_json:
        raise ClientCredentialsError(
            "invalid_response", f"{url} answered {response.status_code} without JSON", response.status_code
        ) from not_json
    if not isinstance(body, dict):
        raise ClientCredentialsError(
            "invalid_response",
            f"{url} answered {response.status_code} without a JSON object",
            response.status_code,
        )
    if not response.is_success:
        refusal = body.get("error")
        code = refusal if isinstance(refusal, str) else "invalid_response"
        description = body.get("error_description")
        detail = f": {description}" if isinstance(description, str) else ""
        raise ClientCredentialsError(
            code, f"{url} answered {response.status_code} {code}{detail}", response.status_code
        )
    return body


class ClientCredentials(httpx.Auth):
    """A machine client's token source, as ``httpx``'s ``auth=``. TypeScript: ``ClientCredentials``.

    ``server_url`` (the auth server, whose RFC 8414 metadata names the token endpoint) or
    ``token_url``; ``scope`` (space-separated) to ask for fewer scopes than the client has;
    ``resource`` (RFC 8707) for another audience. A 401 ``invalid_token`` from the called API is
    retried once with a new token.

    >>> reports = ClientCredentials(server_url=AUTH_URL, client_id=ID, client_secret=SECRET)
    >>> async with httpx.AsyncClient(auth=reports) as client:
    ...     tasks = (await client.get(f"{TASKS_URL}/api/admin/tasks")).json()
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        server_url: str | None = None,
        token_url: str | None = None,
        scope: str | None = None,
        resource: str | None = None,
        refresh_skew_seconds: float = 60,
        now: Callable[[], float] = time.time,
    ) -> None:
        if not client_id or not client_secret:
            raise TypeError("authbridge: ClientCredentials needs client_id and client_secret")
        if (server_url is None) == (token_url is None):
            raise TypeError("authbridge: ClientCredentials needs server_url or token_url (one of them)")
        self._client_id = client_id
        self._client_secret = client_secret
        self._issuer = server_url.rstrip("/") if server_url is not None else None
        self._endpoint = token_url
        self._scope = scope
        self._resource = resource
        self._skew = refresh_skew_seconds
        self._now = now
        self._cached: _Cached | None = None
        self._thread_lock = threading.Lock()
        self._async_lock: anyio.Lock | None = None

    def __repr__(self) -> str:
        return f"ClientCredentials(client_id={self._client_id!r})"

    def invalidate(self) -> None:
        """Forget the cached token: the next request fetches a new one."""
        self._cached = None

    async def token(self) -> str:
        """A valid access token: the cached one, or a new one (one request for all concurrent callers).

        >>> headers = {"Authorization": f"Bearer {await reports.token()}"}
        """
        cached = self._fresh()
        if cached is not None:
            return cached
        async with self._lock(), httpx.AsyncClient() as client:
            flow = self._token_flow()
            try:
                pending = next(flow)
                while True:
                    try:
                        response = await client.send(pending)
                    except httpx.TransportError as error:
                        raise ClientCredentialsError(
                            "unreachable", f"{pending.method} {pending.url} failed: {error}"
                        ) from error
                    await response.aread()
                    pending = flow.send(response)
            except StopIteration as done:
                token: str = done.value
                return token

    # httpx drives the two flows below: each yields requests and receives their responses. A
    # transport error there is httpx's own, as for the request it authorizes.

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        with self._thread_lock:
            token = yield from self._sync(self._token_flow())
        response = yield self._authorize(request, token)
        if _stale_token(response):
            with self._thread_lock:
                self._forget(token)
                token = yield from self._sync(self._token_flow())
            yield self._authorize(request, token)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = ""
        for attempt in range(2):
            async with self._lock():
                if attempt:
                    self._forget(token)
                flow = self._token_flow()
                try:
                    pending = next(flow)
                    while True:
                        answer = yield pending
                        await answer.aread()
                        pending = flow.send(answer)
                except StopIteration as done:
                    token = done.value
            response = yield self._authorize(request, token)
            if not _stale_token(response):
                return

    def _lock(self) -> anyio.Lock:
        # Created in the event loop that uses it (no await between the check and the set).
        if self._async_lock is None:
            self._async_lock = anyio.Lock()
        return self._async_lock

    def _fresh(self) -> str | None:
        """The cached token while it is fresh enough to send."""
        cached = self._cached
        return cached.token if cached is not None and self._now() < cached.refresh_at else None

    def _forget(self, token: str) -> None:
        # Only the token that was refused: another request may have fetched a new one meanwhile.
        if self._cached is not None and self._cached.token == token:
            self.invalidate()

    @staticmethod
    def _sync(
        flow: Generator[httpx.Request, httpx.Response, str],
    ) -> Generator[httpx.Request, httpx.Response, str]:
        try:
            pending = next(flow)
            while True:
                response = yield pending
                response.read()
                pending = flow.send(response)
        except StopIteration as done:
            token: str = done.value
            return token

    def _authorize(self, request: httpx.Request, token: str) -> httpx.Request:
        request.headers["Authorization"] = f"Bearer {token}"
        return request

    def _token_flow(self) -> Generator[httpx.Request, httpx.Response, str]:
        """The cached token, or the requests that get a new one (discovery first, once)."""
        cached = self._fresh()
        if cached is not None:
            return cached
        if self._endpoint is None:
            url = f"{self._issuer}{_DISCOVERY_PATH}"
            metadata = _json_object(
                (yield httpx.Request("GET", url, headers={"Accept": "application/json"})), url
            )
            # RFC 8414 §3.3: the metadata must name the issuer it was fetched for.
            issuer = metadata.get("issuer")
            if not isinstance(issuer, str) or issuer.rstrip("/") != self._issuer:
                raise ClientCredentialsError(
                    "invalid_response", f"the metadata at {self._issuer} names another issuer"
                )
            endpoint = metadata.get("token_endpoint")
            if not isinstance(endpoint, str):
                raise ClientCredentialsError(
                    "invalid_response", f"the metadata at {self._issuer} names no token_endpoint"
                )
            self._endpoint = endpoint
        form = {"grant_type": "client_credentials"}
        if self._scope is not None:
            form["scope"] = self._scope
        if self._resource is not None:
            form["resource"] = self._resource
        # RFC 6749 §2.3.1: each part form-encoded, then Basic.
        basic = base64.b64encode(
            f"{quote_plus(self._client_id)}:{quote_plus(self._client_secret)}".encode()
        ).decode()
        requested_at = self._now()
        request = httpx.Request(
            "POST",
            self._endpoint,
            data=form,
            headers={"Authorization": f"Basic {basic}", "Accept": "application/json"},
        )
        body = _json_object((yield request), self._endpoint)
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise ClientCredentialsError("invalid_response", "the token endpoint answered no access_token")
        expires_in = body.get("expires_in")
        lifetime = (
            float(expires_in)
            if isinstance(expires_in, int | float) and not isinstance(expires_in, bool) and expires_in > 0
            else 0.0
        )
        # Measured from when the request was sent, so a slow answer cannot make a token outlive its exp.
        self._cached = _Cached(token, requested_at + max(0.0, lifetime - self._skew))
        return token
