"""Tasks: the table, and the schema family of the API (base → create / update / public)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StrictBool,
    StringConstraints,
    field_serializer,
    field_validator,
)
from sqlalchemy import Index
from sqlmodel import Field, SQLModel


def _no_nul(value: str) -> str:
    # A NUL truncates strings in C libraries and is refused by PostgreSQL text columns.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    # An unpaired surrogate (JSON's "\ud800") is no character: no UTF-8 spelling, so no database
    # stores it and no response can carry it. JSON's decoder joins a valid pair into one code point.
    if _SURROGATE.search(value):
        raise ValueError("must not contain unpaired surrogates")
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


Title = Annotated[
    str,
    StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_no_nul),
]
Description = Annotated[str, StringConstraints(strict=True, max_length=2000), AfterValidator(_no_nul)]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Task(SQLModel, table=True):
    # Every list is "this owner's tasks, oldest first": one index answers it without a sort.
    __table_args__ = (Index("task_user_created", "user_id", "created_at", "id"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    # The owner always comes from the verified `sub`, never from a request body.
    user_id: str = Field(max_length=255)
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    completed: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class TaskCreate(BaseModel):
    """Unknown fields (a ``user_id`` above all) are a 422."""

    model_config = ConfigDict(extra="forbid")
    title: Title
    description: Description | None = None
    completed: StrictBool = False


class TaskUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Title | None = None
    description: Description | None = None
    completed: StrictBool | None = None

    @field_validator("title", "completed", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Omitted means "unchanged"; an explicit null would remove a required value.
        if value is None:
            raise ValueError("may be omitted but not null")
        return value


def iso_utc(value: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and ``Z``, as JavaScript's ``toISOString`` writes it."""
    if value.tzinfo is None:
        # SQLite hands datetimes back without a zone; they were stored in UTC.
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TaskPublic(BaseModel):
    id: str
    user_id: str
    title: str
    description: str | None
    completed: bool
    created_at: datetime
    updated_at: datetime

    @field_serializer("created_at", "updated_at")
    def _iso(self, value: datetime) -> str:
        return iso_utc(value)
