"""The task API plus one unprotected copy of ``GET /api/tasks`` for the load benchmark: both run
the same query through the same session dependency for the same user, so the latency difference
is the cost of authentication."""

from __future__ import annotations

import os

from task_api import create_app
from task_api.db import SessionDep
from task_api.models import Task, TaskPublic
from task_api.routes.tasks import _list

app = create_app()
BENCH_USER = os.environ.get("BENCH_USER", "bench-user")


@app.get("/bench/tasks", response_model=list[TaskPublic])
def read_tasks_unprotected(session: SessionDep, limit: int = 50, offset: int = 0) -> list[Task]:
    return _list(session, BENCH_USER, None, limit, offset)
