"""The Python suites' one way to run a service for a test (the equivalent of the TypeScript
harness's ``startService``): a free loopback port below the ephemeral range, the process, a
readiness URL polled until it answers with a deadline (noticing an early exit), and a stop."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    """A port no outgoing connection of this machine is handed in the meantime (below 32768)."""
    for _ in range(50):
        port = random.randint(20_000, 31_999)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port below 32768")


@contextmanager
def running_service(
    command: Sequence[str], *, cwd: Path, env: Mapping[str, str], ready_url: str, deadline_seconds: float = 60
) -> Iterator[subprocess.Popen[bytes]]:
    """``command`` running until the ``with`` block ends, once ``ready_url`` answered 200."""
    process = subprocess.Popen(
        list(command), cwd=cwd, env=dict(env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + deadline_seconds
        while True:
            if process.poll() is not None:
                output = process.stderr.read().decode(errors="replace") if process.stderr else ""
                raise RuntimeError(f"{command[-1]} exited with {process.returncode}: {output}")
            try:
                if httpx.get(ready_url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{command[-1]} did not answer {ready_url} within {deadline_seconds:.0f} s"
                )
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


ROOT = Path(__file__).resolve().parents[3]
TSX = ROOT / "node_modules" / "tsx" / "dist" / "cli.mjs"


@dataclass(frozen=True)
class AuthService:
    """The real auth server for a test module: its URL and the environment its CLIs need."""

    url: str
    env: dict[str, str]

    def clients_cli(self, *args: str) -> list[dict[str, Any]]:
        """``npm run clients:<args>`` against this server's database; its JSON lines."""
        done = subprocess.run(
            ["node", "--import", "tsx", "src/auth-server/src/cli/clients.ts", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            check=True,
            timeout=120,
        )
        return [json.loads(line) for line in done.stdout.decode().splitlines() if line.strip()]


@contextmanager
def running_auth_server(data_dir: Path, **env: str) -> Iterator[AuthService]:
    """The auth server as ``npm start`` runs it, on a free loopback port, with its own data."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    full = {
        **os.environ,
        "NODE_ENV": "development",
        "PORT": str(port),
        "BETTER_AUTH_URL": url,
        "DATA_DIR": str(data_dir),
        "JWT_AUDIENCE": "task-api",
        "LOG_LEVEL": "warn",
        **env,
    }
    full.pop("DATABASE_URL", None)
    command = ["node", "--import", "tsx", "src/auth-server/src/main.ts"]
    with running_service(command, cwd=ROOT, env=full, ready_url=f"{url}/readyz"):
        yield AuthService(url, full)
