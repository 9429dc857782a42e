"""The task API's app factory: database, CORS, authbridge's handlers and the routers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from authbridge import AuthSettings
from authbridge.fastapi import install_auth
from authbridge.settings import get_settings

from .config import TaskApiSettings, get_task_settings
from .db import Database, DatabaseBusyError, make_engine
from .errors import NotFoundError, not_found_handler, operational_error_handler, pool_timeout_handler
from .routes import admin, me, tasks


def create_app(
    settings: TaskApiSettings | None = None,
    auth_settings: Callable[[], AuthSettings] = get_settings,
    engine: Engine | None = None,
) -> FastAPI:
    """Build the app; configuration is read here, once, and the verifier built at start-up.

    >>> app = create_app()  # reads DATABASE_URL, CORS_ORIGINS and AUTH_* from the environment
    """
    settings = settings or get_task_settings()
    engine = engine or make_engine(settings)
    database = Database(engine, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database.create_tables()
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(title="authbridge task API", version="0.2.0", lifespan=lifespan)
    app.state.database = database
    # The verifier is built at start-up around the lifespan above; bodies are capped at
    # MAX_BODY_BYTES (64 KiB here) before anything parses them.
    install_auth(app, settings=auth_settings, max_body_bytes=settings.max_body_bytes or None)
    app.add_exception_handler(NotFoundError, not_found_handler)
    app.add_exception_handler(PoolTimeoutError, pool_timeout_handler)
    app.add_exception_handler(DatabaseBusyError, pool_timeout_handler)
    app.add_exception_handler(OperationalError, operational_error_handler)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"],
        )

    @app.get("/health", tags=["health"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(me.router)
    app.include_router(tasks.router)
    app.include_router(admin.admin_router(mfa=settings.admin_requires_mfa))
    return app
