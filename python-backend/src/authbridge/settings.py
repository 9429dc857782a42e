"""Verifier configuration, read once from the ``AUTH_*`` environment (CONTRACT §2).

A wrong value raises at start-up naming the variable; nothing reads the environment per request.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: The only algorithms an Ed25519 key can verify: ``EdDSA`` and its RFC 9864 name ``Ed25519``.
SUPPORTED_ALGORITHMS = frozenset({"EdDSA", "Ed25519"})


def _csv(value: Any) -> Any:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class AuthSettings(BaseSettings):
    """What a service needs to verify tokens. Env names are the field names, ``AUTH_`` prefixed.

    >>> AuthSettings(jwks_url="http://127.0.0.1:3000/.well-known/jwks.json",
    ...              issuer="http://127.0.0.1:3000", audience=["http://127.0.0.1:3000"])
    """

    model_config = SettingsConfigDict(env_prefix="AUTH_", frozen=True, extra="ignore")

    #: Where the JWKS is fetched (``AUTH_JWKS_URL``). Required unless ``jwks`` is given.
    jwks_url: str | None = None
    #: A static key set instead of a URL (``AUTH_JWKS``, JSON): for tests and air-gapped services.
    jwks: dict[str, Any] | None = None
    #: Exact expected ``iss`` (``AUTH_ISSUER``).
    issuer: str = Field(min_length=1)
    #: Accepted ``aud`` values (``AUTH_AUDIENCE``, comma list): any one matches.
    audience: Annotated[list[str], NoDecode] = Field(min_length=1)
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
    #: Verified tokens remembered (LRU, dropped at exp or when their key leaves the set); 0 disables.
    token_cache_size: int = Field(default=10_000, ge=0)

    _split = field_validator("audience", "algorithms", mode="before")(_csv)

    @field_validator("algorithms")
    @classmethod
    def _only_eddsa(cls, value: list[str]) -> list[str]:
        unsupported = [alg for alg in value if alg not in SUPPORTED_ALGORITHMS]
        if unsupported or not value:
            raise ValueError(f"only EdDSA and Ed25519 are supported, got {unsupported or value}")
        return value

    @model_validator(mode="after")
    def _key_source(self) -> AuthSettings:
        if not self.jwks_url and self.jwks is None:
            raise ValueError("AUTH_JWKS_URL is required (or a static jwks)")
        return self


@lru_cache(maxsize=1)
def get_settings() -> AuthSettings:
    """The process's settings, parsed once. A FastAPI dependency, so tests can override it."""
    return AuthSettings()
