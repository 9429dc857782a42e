"""Task API settings, read once (the verifier reads its own ``AUTH_*`` settings in authbridge)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class TaskApiSettings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    #: ``TASKS_DATABASE_URL`` (``DATABASE_URL`` as a fallback): ``sqlite:///path`` (default
    #: ``./data/tasks.sqlite``) or ``postgresql://…``.
    database_url: str = Field(
        default="sqlite:///./data/tasks.sqlite",
        validation_alias=AliasChoices("TASKS_DATABASE_URL", "DATABASE_URL"),
    )
    #: Browser origins allowed by CORS (``CORS_ORIGINS``, comma list).
    cors_origins: Annotated[list[str], NoDecode] = []
    #: Connections all worker processes together may hold (``TASKS_DB_MAX_CONNECTIONS``). Default 10.
    db_max_connections: int = Field(
        default=10, ge=1, le=1000, validation_alias=AliasChoices("TASKS_DB_MAX_CONNECTIONS")
    )
    #: Worker processes sharing that budget (``WEB_CONCURRENCY``, as uvicorn and gunicorn read it). Default 1.
    web_concurrency: int = Field(default=1, ge=1, le=256, validation_alias=AliasChoices("WEB_CONCURRENCY"))
    #: Longest wait for a pooled connection before a 503 ``busy``, seconds. Default 10.
    db_pool_timeout_seconds: float = Field(
        default=10, gt=0, le=120, validation_alias=AliasChoices("TASKS_DB_POOL_TIMEOUT_SECONDS")
    )
    #: SQLite: longest wait for the write lock before a 503 ``busy``, seconds. Default 5.
    db_busy_timeout_seconds: float = Field(
        default=5, gt=0, le=120, validation_alias=AliasChoices("TASKS_DB_BUSY_TIMEOUT_SECONDS")
    )
    #: PostgreSQL ``statement_timeout``, seconds. Default 10.
    db_statement_timeout_seconds: float = Field(
        default=10,
        gt=0,
        le=600,
        validation_alias=AliasChoices("TASKS_DB_STATEMENT_TIMEOUT_SECONDS"),
    )

    #: Request body cap, bytes (``MAX_BODY_BYTES``; 0 turns it off). Default 64 KiB: a task is a
    #: few hundred bytes (the library's own default, for any app, is 1 MiB).
    max_body_bytes: int = Field(default=65536, ge=0, validation_alias=AliasChoices("MAX_BODY_BYTES"))
    #: ``ENVIRONMENT`` (``NODE_ENV`` as a fallback, as the TypeScript twin reads it): ``development``
    #: or ``production``, which decides the default of ``mfa_required_roles``.
    environment: Literal["development", "production", "test"] = Field(
        default="development", validation_alias=AliasChoices("ENVIRONMENT", "NODE_ENV")
    )
    #: Roles whose routes demand a second factor (``MFA_REQUIRED_ROLES``, comma list): with ``admin``
    #: the admin routes answer a person without ``mfa`` in ``amr`` with the step-up 401. Unset:
    #: ``admin`` in production, nobody in development.
    mfa_required_roles: Annotated[list[str] | None, NoDecode] = Field(
        default=None, validation_alias=AliasChoices("MFA_REQUIRED_ROLES")
    )

    @property
    def admin_requires_mfa(self) -> bool:
        """Whether the admin routes demand ``mfa`` (the policy, or the environment's default)."""
        roles = self.mfa_required_roles
        if roles is None:
            return self.environment == "production"
        return "admin" in roles

    @field_validator("cors_origins", "mfa_required_roles", mode="before")
    @classmethod
    def _csv(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value


@lru_cache(maxsize=1)
def get_task_settings() -> TaskApiSettings:
    return TaskApiSettings()
