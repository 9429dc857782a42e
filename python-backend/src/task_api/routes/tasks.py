"""``/api/tasks`` and ``/api/users/{user_id}/tasks``: every query is filtered by the verified
``sub``; 404 is decided before 403 (CONTRACT §4)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlmodel import col, select

from authbridge.fastapi import CurrentUser, require_owner

from ..db import SessionDep
from ..errors import NotFoundError
from ..models import Task, TaskCreate, TaskPublic, TaskUpdate, utcnow

router = APIRouter(tags=["tasks"])

Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0)]


def _list(session: SessionDep, owner: str, completed: bool | None, limit: int, offset: int) -> list[Task]:
    query = select(Task).where(Task.user_id == owner)
    if completed is not None:
        query = query.where(Task.completed == completed)
    query = query.order_by(col(Task.created_at), col(Task.id)).offset(offset).limit(limit)
    return list(session.exec(query).all())


def _create(session: SessionDep, owner: str, body: TaskCreate) -> Task:
    task = Task(user_id=owner, **body.model_dump())
    session.add(task)
    session.commit()
    session.refresh(task)
    return task


def _owned_task(session: SessionDep, user: CurrentUser, task_id: str) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFoundError()
    require_owner(user, task.user_id)
    return task


@router.get("/api/tasks", response_model=list[TaskPublic])
def read_tasks(
    session: SessionDep,
    user: CurrentUser,
    completed: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[Task]:
    return _list(session, user.id, completed, limit, offset)


@router.post("/api/tasks", response_model=TaskPublic, status_code=status.HTTP_201_CREATED)
def create_task(session: SessionDep, user: CurrentUser, body: TaskCreate) -> Task:
    return _create(session, user.id, body)


@router.get("/api/tasks/{task_id}", response_model=TaskPublic)
def read_task(session: SessionDep, user: CurrentUser, task_id: str) -> Task:
    return _owned_task(session, user, task_id)


@router.patch("/api/tasks/{task_id}", response_model=TaskPublic)
def update_task(session: SessionDep, user: CurrentUser, task_id: str, body: TaskUpdate) -> Task:
    task = _owned_task(session, user, task_id)
    for name, value in body.model_dump(exclude_unset=True).items():
        setattr(task, name, value)
    task.updated_at = utcnow()
    session.add(task)
    session.commit()
    session.refresh(task)
    return task


@router.delete("/api/tasks/{task_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_task(session: SessionDep, user: CurrentUser, task_id: str) -> Response:
    task = _owned_task(session, user, task_id)
    session.delete(task)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api/users/{user_id}/tasks", response_model=list[TaskPublic])
def read_user_tasks(
    session: SessionDep,
    user: CurrentUser,
    user_id: str,
    completed: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[Task]:
    require_owner(user, user_id)
    return _list(session, user.id, completed, limit, offset)


@router.post("/api/users/{user_id}/tasks", response_model=TaskPublic, status_code=status.HTTP_201_CREATED)
def create_user_task(session: SessionDep, user: CurrentUser, user_id: str, body: TaskCreate) -> Task:
    require_owner(user, user_id)
    return _create(session, user.id, body)
