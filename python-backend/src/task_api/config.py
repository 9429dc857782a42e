"""Task API settings (the verifier's own ``AUTH_*`` settings live in ``authbridge.settings``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class TaskApiSettings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    #: ``sqlite:///path`` (default ``./data/tasks.sqlite``) or ``postgresql://…``.
    database_url: str = "sqlite:///./data/tasks.sqlite"
    #: Browser origins allowed by CORS (``CORS_ORIGINS``, comma list).
    cors_origins: Annotated[list[str], NoDecode] = []

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _csv(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value


@lru_cache(maxsize=1)
def get_task_settings() -> TaskApiSettings:
    return TaskApiSettings()
