"""The database: a sync SQLAlchemy engine, and units of work that each run whole in the
thread pool with their own session.

Why this shape: FastAPI runs a sync generator dependency (the usual ``get_session``) in the
thread pool and keeps its pooled connection until the response is sent; under a burst the
connection pool and the thread pool starve each other (requests hold threads while they wait
for connections whose release needs a thread), and everyone waits for SQLAlchemy's 30 s pool
timeout. Here a handler is ``async def`` and hands one function to ``Database.read`` or
``Database.write``; that function checks a connection out, does its work and gives the
connection back inside one thread-pool call. A thread that waits for a connection waits only
for another thread's database work to end, never for a thread, and the wait is bounded
(``pool_timeout`` → 503 ``busy``). The async engine (aiosqlite) measured 2.4 times slower here.

SQLite: WAL so readers never wait for the writer; one writer at a time per process (a lock,
so threads queue instead of SQLite's sleeping busy handler), and ``BEGIN IMMEDIATE`` so a writer
in another process makes us wait (``busy_timeout``) instead of failing with "database is
locked"; a wait beyond the timeout is a 503 ``busy``. PostgreSQL: a pool sized from the worker
count and a statement timeout.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Engine, event
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, SQLModel, create_engine
from starlette.concurrency import run_in_threadpool

from .config import TaskApiSettings

T = TypeVar("T")

#: Execution option that makes a SQLite transaction start with ``BEGIN IMMEDIATE``.
_IMMEDIATE = "authbridge_sqlite_immediate"


class DatabaseBusyError(Exception):
    """No connection or write lock within the configured bound: the API answers 503 ``busy``."""


def make_engine(settings: TaskApiSettings) -> Engine:
    """SQLite for development and tests, PostgreSQL (psycopg 3) in production."""
    database_url = settings.database_url
    if database_url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
        # Each worker process has its own pool: together they stay within db_max_connections.
        pool_size = max(2, settings.db_max_connections // max(1, settings.web_concurrency))
        timeout_ms = int(settings.db_statement_timeout_seconds * 1000)
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=settings.db_pool_timeout_seconds,
            connect_args={"options": f"-c statement_timeout={timeout_ms}"},
        )
    if database_url.startswith("sqlite:///"):
        path = database_url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            _private_sqlite_file(Path(path))
        engine = create_engine(
            database_url,
            poolclass=QueuePool,
            pool_size=settings.db_max_connections,
            max_overflow=0,
            pool_timeout=settings.db_pool_timeout_seconds,
            connect_args={"check_same_thread": False, "timeout": settings.db_busy_timeout_seconds},
        )
        busy_ms = int(settings.db_busy_timeout_seconds * 1000)
        event.listen(engine, "connect", lambda conn, _rec: _sqlite_connect(conn, busy_ms))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    raise ValueError("TASKS_DATABASE_URL must be sqlite:///… or postgresql://…")


def _private_sqlite_file(path: Path) -> None:
    """The tasks are the users' data: a folder this creates is 0700, the database 0600 from its
    first byte (SQLite's ``-wal`` and ``-shm`` take the database's mode), as the auth server does.
    An existing folder is left as it is (it may be the working directory); existing files lose
    group and other permissions."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            mode = file.stat().st_mode & 0o777
            if mode & 0o077:
                file.chmod(mode & 0o700)


def _sqlite_connect(connection: Any, busy_ms: int) -> None:
    # The driver's own implicit BEGIN is switched off so that _sqlite_begin chooses the kind.
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("pragma journal_mode = wal")
    cursor.execute(f"pragma busy_timeout = {busy_ms}")
    cursor.execute("pragma synchronous = normal")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get(_IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """Runs units of work in the thread pool, each with its own session.

    >>> task = await database.write(lambda session: _create(session, owner, body))
    """

    def __init__(self, engine: Engine, settings: TaskApiSettings) -> None:
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._writer = engine.execution_options(**{_IMMEDIATE: True}) if self._sqlite else engine
        self._write_lock = threading.Lock() if self._sqlite else None
        self._lock_timeout = settings.db_busy_timeout_seconds

    def create_tables(self) -> None:
        from . import models  # noqa: F401 - registers the tables on SQLModel.metadata

        SQLModel.metadata.create_all(self.engine)

    async def read(self, work: Callable[[Session], T]) -> T:
        return await run_in_threadpool(self._read, work)

    async def write(self, work: Callable[[Session], T]) -> T:
        """``work`` runs in one transaction, committed when it returns."""
        return await run_in_threadpool(self._write, work)

    def _read(self, work: Callable[[Session], T]) -> T:
        with Session(self.engine, expire_on_commit=False) as session:
            return work(session)

    def _write(self, work: Callable[[Session], T]) -> T:
        lock = self._write_lock
        if lock is not None and not lock.acquire(timeout=self._lock_timeout):
            raise DatabaseBusyError()
        try:
            with Session(self._writer, expire_on_commit=False) as session:
                result = work(session)
                session.commit()
                return result
        finally:
            if lock is not None:
                lock.release()


async def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


DatabaseDep = Annotated[Database, Depends(get_database)]
