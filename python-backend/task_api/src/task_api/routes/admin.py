"""``/api/admin/*``: every user's tasks, for people with the ``admin`` role and for machine
clients granted the route's permission as a scope, such as a reporting job (the TypeScript twin's
``routes/admin.ts``). The order of checks is the contract's: authentication, then the role (the
router's dependency; a client has no role to check), then the route's permission (a client's
scope), then, under ``MFA_REQUIRED_ROLES`` with ``admin``, a person's second factor (the step-up
401), then the request's own validity (422), then the target's existence (404)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, col, select

from authbridge.fastapi import require_mfa, require_permission, require_role

from ..db import DatabaseDep
from ..errors import NotFoundError
from ..models import Task, TaskPublic
from ..strict_json import StrictJSONRoute
from .tasks import Limit, Offset


class UserTaskCount(BaseModel):
    user_id: str
    task_count: int


def _list_all(
    session: Session, owner: str | None, completed: bool | None, limit: int, offset: int
) -> list[Task]:
    query = select(Task)
    if owner is not None:
        query = query.where(Task.user_id == owner)
    if completed is not None:
        query = query.where(Task.completed == completed)
    query = query.order_by(col(Task.created_at), col(Task.id)).offset(offset).limit(limit)
    return list(session.exec(query).all())


def _count_by_user(session: Session, limit: int, offset: int) -> list[UserTaskCount]:
    # Byte order ("C" on PostgreSQL), as SQLite and the twin sort ids, whatever the collation.
    user_id = col(Task.user_id)
    order = user_id.collate("C") if session.get_bind().dialect.name == "postgresql" else user_id
    query = select(user_id, func.count()).group_by(user_id).order_by(order).offset(offset).limit(limit)
    return [UserTaskCount(user_id=owner, task_count=count) for owner, count in session.exec(query).all()]


def _delete(session: Session, task_id: str) -> None:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFoundError()
    session.delete(task)


async def read_all_tasks(
    database: DatabaseDep,
    owner: str | None = None,
    completed: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[Task]:
    return await database.read(lambda s: _list_all(s, owner, completed, limit, offset))


async def delete_any_task(database: DatabaseDep, task_id: str) -> Response:
    await database.write(lambda s: _delete(s, task_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def read_users(database: DatabaseDep, limit: Limit = 50, offset: Offset = 0) -> list[UserTaskCount]:
    return await database.read(lambda s: _count_by_user(s, limit, offset))


def admin_router(*, mfa: bool) -> APIRouter:
    """The admin routes; with ``mfa`` a person must have signed in with a second factor (checked
    after the permission, so that stepping up is asked only of whom it would let in)."""
    router = APIRouter(
        prefix="/api/admin",
        tags=["admin"],
        route_class=StrictJSONRoute,
        # People need the admin role; a machine client goes on to the route's permission (its scopes).
        dependencies=[Depends(require_role("admin", clients="admit"))],
    )
    # A client has no sign-in to step up: its scopes decide.
    step_up = [Depends(require_mfa(clients="admit"))] if mfa else []

    def checks(permission: str) -> list[Any]:
        return [Depends(require_permission(permission)), *step_up]

    router.add_api_route(
        "/tasks",
        read_all_tasks,
        methods=["GET"],
        response_model=list[TaskPublic],
        dependencies=checks("tasks:read:any"),
    )
    router.add_api_route(
        "/tasks/{task_id}",
        delete_any_task,
        methods=["DELETE"],
        status_code=status.HTTP_204_NO_CONTENT,
        dependencies=checks("tasks:write:any"),
    )
    router.add_api_route(
        "/users",
        read_users,
        methods=["GET"],
        response_model=list[UserTaskCount],
        dependencies=checks("users:list"),
    )
    return router
