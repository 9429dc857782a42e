"""Verifier configuration, read once from the ``AUTH_*`` environment or a ``.env`` file (CONTRACT §2).

``AUTH_SERVER_URL`` alone is enough for a stock Better Auth server: the JWKS is its
``/api/auth/jwks`` and issuer and audience its origin; ``AUTH_JWKS_URL``, ``AUTH_ISSUER`` and
``AUTH_AUDIENCE`` override each. A wrong value raises at start-up naming the environment
variable; nothing reads the environment per request.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: One of ``SUPPORTED_ALGORITHMS``.
#: >>> algorithms: list[SupportedAlgorithm] = ["EdDSA"]
SupportedAlgorithm = Literal["EdDSA", "Ed25519"]
#: The only algorithms an Ed25519 key can verify: ``EdDSA`` and its RFC 9864 name ``Ed25519``.
#: >>> create_verifier(server_url=url, algorithms=["EdDSA"])  # a subset of SUPPORTED_ALGORITHMS
SUPPORTED_ALGORITHMS: frozenset[str] = frozenset(get_args(SupportedAlgorithm))


def _csv(value: Any) -> Any:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class AuthSettings(BaseSettings):
    """What a service needs to verify tokens. Env names are the field names, ``AUTH_`` prefixed.

    >>> AuthSettings(jwks_url="http://127.0.0.1:3000/.well-known/jwks.json",
    ...              issuer="http://127.0.0.1:3000", audience=["http://127.0.0.1:3000"])
    """

    model_config = SettingsConfigDict(
        env_prefix="AUTH_", env_file=".env", env_file_encoding="utf-8", frozen=True, extra="ignore"
    )

    #: The auth server's public URL (``AUTH_SERVER_URL``): derives the three below when unset.
    server_url: str | None = None
    #: Where the JWKS is fetched (``AUTH_JWKS_URL``). Default ``<server_url>/api/auth/jwks``.
    jwks_url: str | None = None
    #: A static key set instead of a URL (``AUTH_JWKS``, JSON): for tests and air-gapped services.
    jwks: dict[str, Any] | None = None
    #: Exact expected ``iss`` (``AUTH_ISSUER``). Default: the origin of ``server_url``.
    issuer: str = ""
    #: Accepted ``aud`` values (``AUTH_AUDIENCE``, comma list): any one matches.
    #: Default: the origin of ``server_url``.
    audience: Annotated[list[str], NoDecode] = Field(default_factory=list)
    #: Allowed header ``alg`` values (``AUTH_ALGORITHMS``). Default ``EdDSA,Ed25519``.
    algorithms: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["EdDSA", "Ed25519"])
    #: Clock tolerance for exp / nbf / iat, seconds. Default 5.
    leeway_seconds: float = Field(default=5, ge=0, le=300)
    #: Key-set freshness when the JWKS response has no usable max-age, seconds. Default 300.
    jwks_cache_seconds: float = Field(default=300, gt=0)
    #: Least time between two refetches caused by unknown kids, seconds. Default 30.
    jwks_cooldown_seconds: float = Field(default=30, ge=0)
    #: How long the last good key set serves while the JWKS is unreachable, seconds. Default 86400.
    jwks_max_stale_seconds: float = Field(default=86400, ge=0)
    #: JWKS fetch timeout, seconds. Default 5.
    jwks_timeout_seconds: float = Field(default=5, gt=0, le=60)
    #: Verified tokens remembered (bounded, dropped at exp or when their key leaves the set); 0 disables.
    token_cache_size: int = Field(default=10_000, ge=0)
    #: The revocation feed (``AUTH_REVOCATION_URL``, CONTRACT §8); ``off`` (or ``False``) verifies
    #: without it: tokens then stay valid until ``exp`` after a sign-out. Default
    #: ``<server_url>/api/auth/revocations``; required with ``AUTH_JWKS_URL`` alone; off with a
    #: static ``AUTH_JWKS`` unless ``revocation_list`` is given.
    revocation_url: str | None = None
    #: A static revocation list instead of the feed (``AUTH_REVOCATION_LIST``, JSON): for tests.
    revocation_list: dict[str, Any] | None = None
    #: How old the revocation list may get before it is fetched again, seconds. Default 5.
    revocation_poll_seconds: float = Field(default=5, ge=1, le=300)
    #: How long the last good list serves while the feed is unreachable, seconds. Default 300.
    revocation_max_stale_seconds: float = Field(default=300, ge=0)
    #: Revocation feed fetch timeout, seconds. Default 2.
    revocation_timeout_seconds: float = Field(default=2, gt=0, le=60)

    _split = field_validator("audience", "algorithms", mode="before")(_csv)

    @field_validator("revocation_url", mode="before")
    @classmethod
    def _off(cls, value: Any) -> Any:
        if value is False or (isinstance(value, str) and value.strip().lower() == "off"):
            return "off"
        return value

    @field_validator("revocation_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value in (None, "off"):
            return value
        parts = urlsplit(str(value))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"must be an http(s) URL or off, got {value!r}")
        return value

    @property
    def revocation_feed(self) -> str | None:
        """The feed's URL, or ``None`` when revocation is off or a static list stands in for it."""
        if self.revocation_url == "off" or self.revocation_list is not None:
            return None
        return self.revocation_url

    @field_validator("algorithms")
    @classmethod
    def _only_eddsa(cls, value: list[str]) -> list[str]:
        unsupported = [alg for alg in value if alg not in SUPPORTED_ALGORITHMS]
        if unsupported or not value:
            raise ValueError(f"only EdDSA and Ed25519 are supported, got {unsupported or value}")
        return value

    @model_validator(mode="before")
    @classmethod
    def _from_server_url(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not data.get("server_url"):
            return data
        url = str(data["server_url"]).rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"AUTH_SERVER_URL must be an http(s) URL, got {url!r}")
        origin = f"{parts.scheme}://{parts.netloc}"
        derived = {
            "jwks_url": f"{url}/api/auth/jwks",
            "revocation_url": f"{url}/api/auth/revocations",
            "issuer": origin,
            "audience": origin,
        }
        return {**derived, **{k: v for k, v in data.items() if v not in (None, "", [])}}

    @model_validator(mode="after")
    def _required(self) -> AuthSettings:
        if not self.jwks_url and self.jwks is None:
            raise ValueError("AUTH_SERVER_URL or AUTH_JWKS_URL is required (or a static AUTH_JWKS)")
        if not self.issuer:
            raise ValueError("AUTH_ISSUER is required (or AUTH_SERVER_URL)")
        if not self.audience:
            raise ValueError("AUTH_AUDIENCE is required (or AUTH_SERVER_URL)")
        if self.revocation_url is None and self.revocation_list is None and self.jwks_url:
            raise ValueError(
                "AUTH_REVOCATION_URL is required with AUTH_JWKS_URL alone (or AUTH_SERVER_URL); "
                "set it to off to verify without the revocation feed"
            )
        return self


class ConfigError(ValueError):
    """The verifier's configuration is wrong; the message names each option, or the ``AUTH_*``
    variable it came from. Raised when the verifier is built, never per request. TypeScript:
    ``ConfigError``.

    >>> try:
    ...     verifier_from_env()
    ... except ConfigError as error:
    ...     sys.exit(f"{error}")
    """


class _Given(AuthSettings):
    """``AuthSettings`` from the values given alone: no environment, no ``.env``."""

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: Any, init_settings: Any, *_: Any, **__: Any
    ) -> tuple[Any, ...]:
        return (init_settings,)


def _build(
    factory: type[AuthSettings], values: Mapping[str, Any], name: Callable[[str], str]
) -> AuthSettings:
    try:
        return factory(**values)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else ""
            prefix = f"{name(field)}: " if field else ""
            problems.append(f"{prefix}{item['msg'].removeprefix('Value error, ')}")
        raise ConfigError("authbridge configuration: " + "; ".join(problems)) from None


def _env_name(field: str) -> str:
    return f"AUTH_{field.upper()}"


def settings_from_options(**options: Any) -> AuthSettings:
    """``AuthSettings`` from these options alone (field names; the environment is not read), or
    a ``ConfigError`` naming the options at fault."""
    return _build(_Given, options, lambda field: field)


def options_from_env(env: Mapping[str, str] | None = None, /, **overrides: Any) -> AuthSettings:
    """``AuthSettings`` from the contract's ``AUTH_*`` variables: ``env``, or this process's
    environment and ``.env`` when ``None``; ``overrides`` win over both. A ``ConfigError`` names the
    variables at fault (``AUTH_ISSUER: …``). TypeScript: ``optionsFromEnv``.

    >>> settings = options_from_env({"AUTH_SERVER_URL": "https://auth.example.com"})
    >>> settings.issuer
    'https://auth.example.com'
    """
    if env is None:
        return _build(AuthSettings, overrides, _env_name)
    values: dict[str, Any] = {}
    for field in AuthSettings.model_fields:
        raw = env.get(_env_name(field))
        if raw not in (None, ""):
            values[field] = raw
    for field, what in (("jwks", "a JSON key set"), ("revocation_list", "a JSON revocation list")):
        if field in values:
            try:
                values[field] = json.loads(values[field])
            except ValueError:
                raise ConfigError(f"authbridge configuration: {_env_name(field)}: must be {what}") from None
    return _build(_Given, {**values, **overrides}, _env_name)


@lru_cache(maxsize=1)
def get_settings() -> AuthSettings:
    """The process's settings, parsed once (``options_from_env``); ``cache_clear()`` re-reads.
    FastAPI's ``install_auth`` uses it by default.

    >>> install_auth(app, settings=get_settings)
    """
    return options_from_env()
