"""``/api/tasks`` and ``/api/users/{user_id}/tasks``: every query is filtered by the verified
``sub`` (reading another user's list needs the ``tasks:read:any`` permission). The order of
checks is the contract's: authentication (401), the request's own validity (422, FastAPI before
the handler runs), the task's existence (404), its owner (403).
Handlers are ``async def`` and hand their database work to ``Database`` (see ``db.py``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlmodel import Session, col, select

from authbridge import Principal, has_permission
from authbridge.fastapi import CurrentUser, require_owner

from ..db import DatabaseDep
from ..errors import NotFoundError
from ..models import Task, TaskCreate, TaskPublic, TaskUpdate, utcnow
from ..strict_json import StrictJSONRoute

router = APIRouter(tags=["tasks"], route_class=StrictJSONRoute)

Limit = Annotated[int, Query(ge=1, le=100)]
#: Bounded so that no offset can overflow the database's 64-bit integers (CONTRACT §4).
Offset = Annotated[int, Query(ge=0, le=1_000_000_000)]


def _list(session: Session, owner: str, completed: bool | None, limit: int, offset: int) -> list[Task]:
    query = select(Task).where(Task.user_id == owner)
    if completed is not None:
        query = query.where(Task.completed == completed)
    query = query.order_by(col(Task.created_at), col(Task.id)).offset(offset).limit(limit)
    return list(session.exec(query).all())


def _create(session: Session, owner: str, body: TaskCreate) -> Task:
    task = Task(user_id=owner, **body.model_dump())
    session.add(task)
    return task


def _owned_task(session: Session, user: Principal, task_id: str) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFoundError()
    require_owner(user, task.user_id)
    return task


def _update(session: Session, user: Principal, task_id: str, body: TaskUpdate) -> Task:
    task = _owned_task(session, user, task_id)
    for name, value in body.model_dump(exclude_unset=True).items():
        setattr(task, name, value)
    task.updated_at = utcnow()
    session.add(task)
    return task


def _delete(session: Session, user: Principal, task_id: str) -> None:
    session.delete(_owned_task(session, user, task_id))


@router.get("/api/tasks", response_model=list[TaskPublic])
async def read_tasks(
    database: DatabaseDep,
    user: CurrentUser,
    completed: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[Task]:
    return await database.read(lambda s: _list(s, user.id, completed, limit, offset))


@router.post("/api/tasks", response_model=TaskPublic, status_code=status.HTTP_201_CREATED)
async def create_task(database: DatabaseDep, user: CurrentUser, body: TaskCreate) -> Task:
    return await database.write(lambda s: _create(s, user.id, body))


@router.get("/api/tasks/{task_id}", response_model=TaskPublic)
async def read_task(database: DatabaseDep, user: CurrentUser, task_id: str) -> Task:
    return await database.read(lambda s: _owned_task(s, user, task_id))


@router.patch("/api/tasks/{task_id}", response_model=TaskPublic)
async def update_task(database: DatabaseDep, user: CurrentUser, task_id: str, body: TaskUpdate) -> Task:
    return await database.write(lambda s: _update(s, user, task_id, body))


@router.delete("/api/tasks/{task_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_task(database: DatabaseDep, user: CurrentUser, task_id: str) -> Response:
    await database.write(lambda s: _delete(s, user, task_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api/users/{user_id}/tasks", response_model=list[TaskPublic])
async def read_user_tasks(
    database: DatabaseDep,
    user: CurrentUser,
    user_id: str,
    completed: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[Task]:
    # An admin (``tasks:read:any``) may read anyone's tasks; everyone else only their own.
    if not has_permission(user, "tasks:read:any"):
        require_owner(user, user_id)
    return await database.read(lambda s: _list(s, user_id, completed, limit, offset))


@router.post("/api/users/{user_id}/tasks", response_model=TaskPublic, status_code=status.HTTP_201_CREATED)
async def create_user_task(database: DatabaseDep, user: CurrentUser, user_id: str, body: TaskCreate) -> Task:
    require_owner(user, user_id)
    return await database.write(lambda s: _create(s, user.id, body))
