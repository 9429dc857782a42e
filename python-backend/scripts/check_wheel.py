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
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
LIBRARY = HERE / "authbridge"
REPO = HERE.parent
#: The supported range's two ends: the floor of the `fastapi` extra and the lock's version.
OLDEST = re.search(r'"fastapi>=([\d.]+)', (LIBRARY / "pyproject.toml").read_text())
NEWEST = re.search(r"^fastapi==([\d.]+)$", (HERE / "requirements.lock").read_text(), re.MULTILINE)
TEST_TOOLS = ["pytest==9.2.0", "hypothesis==6.170.15", "ruff==0.17.6"]
#: What a published wheel must say about itself (METADATA lines) and carry.
METADATA = ("Requires-Python: >=3.11", "Provides-Extra: fastapi", "Classifier: Typing :: Typed",
            "Classifier: Framework :: FastAPI", "Description-Content-Type: text/markdown")  # fmt: skip
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
        failures = check_metadata(wheel)
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
        failures += check_git_install(work)
        if failures:
            raise SystemExit(f"check_wheel: {failures} check(s) failed")


def check_metadata(wheel: Path) -> int:
    """Ready to publish: the metadata an index shows, the type marker, no tests inside."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    missing = [line for line in METADATA if line not in metadata.splitlines()]
    if "authbridge/py.typed" not in names:
        missing.append("authbridge/py.typed")
    if any(name.startswith("tests/") for name in names):
        missing.append("(no tests in the wheel)")
    print(f"metadata: {'complete' if not missing else f'missing {missing}'}")
    return 1 if missing else 0


def check_git_install(work: Path) -> int:
    """The README's `pip install "authbridge[fastapi] @ git+…#subdirectory=…"`, from this clone."""
    if not (REPO / ".git").exists():
        print("git install: not a git clone, skipped")
        return 0
    env_dir = work / "venv-git"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # file://localhost/…: PEP 508 refuses a file URL with an empty host (file:///…).
    spec = f"authbridge[fastapi] @ git+file://localhost{REPO}#subdirectory=python-backend/authbridge"
    run(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", spec)
    probe = "import importlib.metadata as m, authbridge.fastapi; print(m.version('authbridge'))"
    version = run(python, "-c", probe).strip()
    print(f"git install: authbridge {version} from {spec.split(' @ ')[1]}")
    return 0


if __name__ == "__main__":
    main()
