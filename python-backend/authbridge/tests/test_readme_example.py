"""The README's "Use it in your FastAPI app" snippets, run as written: the app (main.py) and its
tests (test_main.py) are copied out of README.md into a fresh folder and run with pytest there."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(os.environ.get("AUTHBRIDGE_README") or Path(__file__).resolve().parents[3] / "README.md")
SNIPPET = re.compile(r"<!-- readme-test: (?P<name>[\w.]+) -->\s*```python\n(?P<code>.*?)```", re.DOTALL)


def snippets() -> dict[str, str]:
    return {m["name"]: m["code"] for m in SNIPPET.finditer(README.read_text())}


def test_the_readme_has_the_app_and_its_tests() -> None:
    found = snippets()
    assert set(found) == {"main.py", "test_main.py"}
    # The promise of the README: a complete app in at most 15 lines that calls install_auth only.
    assert len(found["main.py"].strip().splitlines()) <= 15
    assert "install_auth(app)" in found["main.py"]


def test_the_readme_app_passes_the_readme_tests(tmp_path: Path) -> None:
    for name, code in snippets().items():
        (tmp_path / name).write_text(code)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTH_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_main.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
