"""The reference task API: per-user tasks behind authbridge's ``get_current_user``."""

from .app import create_app

__all__ = ["create_app"]
