"""Database engine and the per-request session dependency."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine, event
from sqlmodel import Session, SQLModel, create_engine


def make_engine(database_url: str) -> Engine:
    """SQLite for development and tests, PostgreSQL (psycopg 3) in production."""
    if database_url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    if database_url.startswith("sqlite:///"):
        path = database_url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(database_url, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    raise ValueError("DATABASE_URL must be sqlite:///… or postgresql://…")


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL lets readers proceed while a request writes; concurrent writers wait instead of failing.
    cursor = connection.cursor()
    cursor.execute("pragma journal_mode = wal")
    cursor.execute("pragma busy_timeout = 15000")
    cursor.close()


def create_tables(engine: Engine) -> None:
    from . import models  # noqa: F401 - registers the tables on SQLModel.metadata

    SQLModel.metadata.create_all(engine)


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
