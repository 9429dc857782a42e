"""The task API plus one unprotected copy of ``GET /api/tasks`` for the load benchmark: both run
the same query through the same database dependency for the same user, so the latency difference
is the cost of authentication."""

from __future__ import annotations

import os

from fastapi import APIRouter

from task_api import create_app
from task_api.db import DatabaseDep
from task_api.models import Task, TaskPublic
from task_api.routes.tasks import Limit, Offset, _list
from task_api.strict_json import StrictJSONRoute

app = create_app()
BENCH_USER = os.environ.get("BENCH_USER", "bench-user")
# The same route class, parameters and query as GET /api/tasks: only the CurrentUser differs.
router = APIRouter(route_class=StrictJSONRoute)


@router.get("/bench/tasks", response_model=list[TaskPublic])
async def read_tasks_unprotected(
    database: DatabaseDep, completed: bool | None = None, limit: Limit = 50, offset: Offset = 0
) -> list[Task]:
    return await database.read(lambda s: _list(s, BENCH_USER, completed, limit, offset))


app.include_router(router)
