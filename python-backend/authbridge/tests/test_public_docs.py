"""Every public name (``__all__`` of ``authbridge``, ``authbridge.testing``, ``authbridge.fastapi``)
shows how it is used: a docstring with an example for functions and classes, a ``#:`` comment
with one right above the assignment for constants and type aliases."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

PACKAGE = Path(importlib.import_module("authbridge").__file__ or "").parent
MODULES = ["authbridge", "authbridge.testing", "authbridge.fastapi"]
PUBLIC = [(module, name) for module in MODULES for name in importlib.import_module(module).__all__]


def _comment_above(name: str) -> str:
    """The ``#:`` lines right above ``name``'s assignment, wherever in the package it is made."""
    assignment = re.compile(rf"^{re.escape(name)}\s*(:[^=]+)?=")
    for source in PACKAGE.rglob("*.py"):
        lines = source.read_text().splitlines()
        for index, line in enumerate(lines):
            if assignment.match(line):
                above = []
                for previous in reversed(lines[:index]):
                    if not previous.startswith("#:"):
                        break
                    above.append(previous)
                return "\n".join(reversed(above))
    return ""


@pytest.mark.parametrize(("module", "name"), PUBLIC, ids=[f"{m}.{n}" for m, n in PUBLIC])
def test_a_public_name_documents_an_example(module: str, name: str) -> None:
    value = getattr(importlib.import_module(module), name)
    if inspect.isfunction(value) or inspect.isclass(value):
        doc = inspect.getdoc(value) or ""
    else:
        doc = _comment_above(name)
    assert ">>>" in doc, f"{module}.{name} has no example in its documentation"
