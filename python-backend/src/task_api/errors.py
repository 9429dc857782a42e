"""The task API's own answers that are not authentication: 404 ``not_found``."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.responses import Response


class NotFoundError(Exception):
    def __init__(self, detail: str = "Task not found") -> None:
        super().__init__(detail)
        self.detail = detail


async def not_found_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotFoundError)
    return JSONResponse({"detail": exc.detail, "code": "not_found"}, status_code=404)
