"""The Python suites' one way to run a service for a test (the equivalent of the TypeScript
harness's ``startService``): a free loopback port below the ephemeral range, the process, a
readiness URL polled until it answers with a deadline (noticing an early exit), and a stop."""

from __future__ import annotations

import random
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

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
