"""``/api/me``: who the token says the caller is."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from authbridge.fastapi import CurrentUser

router = APIRouter(tags=["me"])


class Me(BaseModel):
    id: str
    email: str | None
    name: str | None
    roles: list[str]
    permissions: list[str]


@router.get("/api/me", response_model=Me)
async def read_me(user: CurrentUser) -> Me:
    return Me(
        id=user.id,
        email=user.email,
        name=user.name,
        roles=list(user.roles),
        permissions=list(user.permissions),
    )
