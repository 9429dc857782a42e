"""The authbridge library as users get it: its wheel, built and installed into fresh
virtualenvs with the oldest and the newest supported FastAPI, runs the library's own test suite
there (outside the repository, so nothing is imported from the source tree), and brings none
of the reference app's dependencies.

    .venv/bin/python scripts/check_wheel.py        (from python-backend/; `npm test` runs it)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
LIBRARY = HERE / "authbridge"
REPO = HERE.parent
#: The supported range's two ends: the floor of the `fastapi` extra and the lock's version.
OLDEST = re.search(r'"fastapi>=([\d.]+)', (LIBRARY / "pyproject.toml").read_text())
NEWEST = re.search(r"^fastapi==([\d.]+)$", (HERE / "requirements.lock").read_text(), re.MULTILINE)
TEST_TOOLS = ["pytest==9.2.0", "hypothesis==6.170.15"]
#: What the reference app needs and the library must not pull in.
APP_ONLY = ("sqlmodel", "psycopg", "uvicorn", "task_api", "authbridge_task_api", "aiosqlite")


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    command = [str(a) for a in args]
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"check_wheel: failed: {' '.join(map(str, args))}")
    return result.stdout


def main() -> None:
    if not OLDEST or not NEWEST:
        raise SystemExit("check_wheel: cannot read the supported FastAPI range")
    with tempfile.TemporaryDirectory(prefix="authbridge-wheel-") as tmp:
        work = Path(tmp)
        run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", work / "dist", LIBRARY)
        wheel = next((work / "dist").glob("authbridge-*.whl"))
        print(f"wheel: {wheel.name}")
        failures = 0
        for fastapi in (OLDEST.group(1), NEWEST.group(1)):
            env_dir = work / f"venv-{fastapi}"
            venv.create(env_dir, with_pip=True)
            python = env_dir / "bin" / "python"
            run(python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                f"{wheel}[fastapi]", f"fastapi=={fastapi}", *TEST_TOOLS)  # fmt: skip
            installed = run(python, "-m", "pip", "list", "--format=freeze").lower()
            names = {line.split("==")[0].replace("-", "_") for line in installed.splitlines()}
            leaked = sorted(name for name in APP_ONLY if name in names)
            if leaked:
                print(f"fastapi {fastapi}: the wheel pulled in {leaked}")
                failures += 1
                continue
            tests = work / f"tests-{fastapi}"
            shutil.copytree(LIBRARY / "tests", tests / "tests", ignore=shutil.ignore_patterns("__pycache__"))
            env = {
                "PATH": "/usr/bin:/bin",
                "AUTHBRIDGE_VECTORS": str(REPO / "contract-tests" / "vectors" / "vectors.json"),
                "AUTHBRIDGE_README": str(REPO / "README.md"),
            }
            result = subprocess.run(
                [str(python), "-m", "pytest", "-p", "no:cacheprovider", "tests"],
                cwd=tests, env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
            print(f"fastapi {fastapi}: {summary}")
            if result.returncode != 0:
                sys.stdout.write(result.stdout[-4000:] + result.stderr[-2000:])
                failures += 1
        if failures:
            raise SystemExit(f"check_wheel: {failures} environment(s) failed")


if __name__ == "__main__":
    main()
