"""The verified caller: what a route handler receives from ``get_current_user``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Principal:
    """``id`` is the token's ``sub``; ``claims`` holds every verified claim."""

    id: str
    email: str | None
    name: str | None
    claims: dict[str, Any] = field(repr=False)
