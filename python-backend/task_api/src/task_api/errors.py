"""The task API's own answers that are not authentication: 404 ``not_found`` and 503 ``busy``
(the database did not hand out a connection or its write lock within the configured bound)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.responses import Response

BUSY_DETAIL = "The database is busy; retry shortly"
BUSY_RETRY_AFTER_SECONDS = 1


class NotFoundError(Exception):
    def __init__(self, detail: str = "Task not found") -> None:
        super().__init__(detail)
        self.detail = detail


async def not_found_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotFoundError)
    return JSONResponse({"detail": exc.detail, "code": "not_found"}, status_code=404)


def _busy() -> Response:
    return JSONResponse(
        {"detail": BUSY_DETAIL, "code": "busy"},
        status_code=503,
        headers={"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)},
    )


async def pool_timeout_handler(_request: Request, _exc: Exception) -> Response:
    """No pooled connection, or no write lock, within the configured bound."""
    return _busy()


def _is_busy(exc: OperationalError) -> bool:
    # SQLite: the write lock was not free within busy_timeout. PostgreSQL: statement_timeout
    # (SQLSTATE 57014) or a lock timeout (55P03).
    text = str(exc.orig).lower()
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return "database is locked" in text or "database is busy" in text or sqlstate in {"57014", "55P03"}


async def operational_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OperationalError)
    if _is_busy(exc):
        return _busy()
    raise exc
