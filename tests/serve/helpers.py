"""Running `rulekit serve` in a subprocess for tests and benchmarks, and talking to it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.serve.pgserver import free_port

RULEKIT = [sys.executable, "-m", "rulekit.cli.main"]
POLICY = "4321-dcbao@1"


def write_tokens(path: Path, reps: list[str]) -> Path:
    """A tokens file: `tok-<rep>` per rep, `tok-admin` (admin), `tok-import` (import)."""
    lines = ["token,actor,role", "tok-admin-0,admin,admin", "tok-import-0,importer,import"]
    lines += [f"tok-{r}-0000,{r},rep" for r in reps]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def token(actor: str) -> dict[str, str]:
    """The Authorization header of an actor's token (as `write_tokens` names them)."""
    return {
        "Authorization": f"Bearer tok-{actor}-{'0' if actor in ('admin', 'import') else '0000'}"
    }


def cli(
    *args: str, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `rulekit ARGS` and return what it did (no check)."""
    return subprocess.run(
        [*RULEKIT, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, check=False
    )


class Server:
    """A `rulekit serve` subprocess on a free loopback port."""

    def __init__(self, url: str, tokens: Path, cwd: Path) -> None:
        self.url, self.tokens, self.cwd = url, tokens, cwd
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None
        self.log = cwd / f"serve-{self.port}.log"

    def start(self, timeout: float = 60) -> Server:
        self.launch()
        return self.wait(timeout)

    def launch(self) -> None:
        with open(self.log, "a", encoding="utf-8") as out:
            self.process = subprocess.Popen(
                [
                    *RULEKIT,
                    "serve",
                    POLICY,
                    "--db",
                    self.url,
                    "--tokens",
                    str(self.tokens),
                    "--port",
                    str(self.port),
                ],
                cwd=self.cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
            )

    def wait(self, timeout: float = 60) -> Server:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited: {self.log.read_text(encoding='utf-8')}")
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"serve did not start: {self.log.read_text(encoding='utf-8')}")

    def kill(self) -> None:
        """kill -9."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def serving(url: str, tokens: Path, cwd: Path, n: int = 1) -> Iterator[list[Server]]:
    """`n` serve processes on one ledger, stopped afterwards."""
    servers: list[Server] = []
    try:
        servers.append(Server(url, tokens, cwd).start())  # the first one migrates the ledger
        for _ in range(n - 1):
            servers.append(Server(url, tokens, cwd))
            servers[-1].launch()
        for s in servers[1:]:
            s.wait()
        yield servers
    finally:
        for s in servers:
            s.stop()


def snapshot(base: str, actor: str = "admin") -> dict[str, Any]:
    answer = httpx.get(base + "/v1/snapshot", headers=token(actor), timeout=60)
    answer.raise_for_status()
    doc: dict[str, Any] = answer.json()
    return doc


def replay_export(url: str, as_of: str, cwd: Path) -> dict[str, Any]:
    """`ledger export` then `rulekit replay` of the export at `as_of` (the law's right side)."""
    out = cwd / "export.csv"
    done = cli("ledger", "export", "--db", url, "--out", str(out), cwd=cwd)
    assert done.returncode == 0, done.stderr
    done = cli("replay", POLICY, str(out), "--as-of", as_of, "--format", "json", cwd=cwd)
    assert done.returncode == 0, done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    return doc
