"""Fixtures for the interop tests: one real `pilegate serve` process per test session.

The gateway binary comes from $PILEGATE_BIN (default: .build/debug/pilegate). It is
never built here. The process listens on 127.0.0.1 with --port 0; the chosen port is
read from the startup line it prints on stdout.
"""

from __future__ import annotations

import asyncio
import json
import os
import pty
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

DEFAULT_BIN = "/work/main/.build/debug/pilegate"
HOST = "127.0.0.1"

STARTUP_TIMEOUT = 15.0  # seconds for the startup line and for GET /health
SHUTDOWN_TIMEOUT = 10.0  # seconds after SIGTERM before SIGKILL

# Id tags with fixed verdicts (case-insensitive CiString20 values).
BLOCKED_TAG = "BLOCKED-TAG-1"
EXPIRED_TAG = "EXPIRED-TAG-1"
INVALID_TAG = "INVALID-TAG-1"
EXPIRED_DATE = "2020-01-01T00:00:00Z"
DATA_TRANSFER_VENDOR = "com.pilegate.test"
HEARTBEAT_INTERVAL = 120

GATEWAY_YAML = f"""\
# Written by Tests/Interop/conftest.py
heartbeatInterval: {HEARTBEAT_INTERVAL}
acceptUnknownIdTags: true
dataTransferVendors: ["{DATA_TRANSFER_VENDOR}"]
idTags:
  - idTag: {BLOCKED_TAG}
    status: Blocked
  - idTag: {EXPIRED_TAG}
    status: Accepted
    expiryDate: "{EXPIRED_DATE}"
  - idTag: {INVALID_TAG}
    status: Invalid
"""

# `PileGate gateway on ...: OCPP at ws://127.0.0.1:PORT/ocpp/{chargePointId}, ...`
STARTUP_LINE = re.compile(r"ws://127\.0\.0\.1:(\d+)/")


@asynccontextmanager
async def running(cp, ws):
    """Runs an ocpp-package charge point on its open WebSocket for the block, then closes both (bounded)."""
    loop = asyncio.create_task(cp.start())
    try:
        yield cp
    finally:
        loop.cancel()
        try:
            await asyncio.wait_for(ws.close(), 5)
        except Exception:
            pass
        try:
            await asyncio.wait_for(loop, 5)
        except (asyncio.CancelledError, Exception):
            pass


def wait_until(predicate, timeout: float, interval: float = 0.05, what: str = "condition"):
    """Polls `predicate` until it returns a truthy value or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as error:  # keep polling; report the last error on timeout
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}{detail}")
        time.sleep(interval)


@dataclass
class GatewayProcess:
    """A running `pilegate serve` and ways to look at it from outside."""

    process: subprocess.Popen
    workdir: Path
    db_path: Path
    stderr_path: Path
    port: int = 0
    stdout_lines: list[str] = field(default_factory=list)
    _cleanup: list = field(default_factory=list)

    def stop(self) -> int | None:
        """SIGTERM, bounded wait, SIGKILL if needed; returns the exit status."""
        try:
            _stop(self.process)
        finally:
            for step in self._cleanup:
                step()
            self._cleanup = []
        return self.process.returncode

    @property
    def http_base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def ws_url(self, charge_point_id: str) -> str:
        return f"ws://{HOST}:{self.port}/ocpp/{charge_point_id}"

    def http_get(self, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
        """GET `path`; returns (status, body) for any HTTP status."""
        request = urllib.request.Request(self.http_base + path, method="GET")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def get_json(self, path: str, expect_status: int = 200):
        status, body = self.http_get(path)
        assert status == expect_status, f"GET {path}: HTTP {status}, body {body[:500]!r}"
        return json.loads(body)

    def findings_in_store(self, charge_point_id: str) -> list[dict]:
        """Findings recorded for a pile, read straight from the SQLite store (read-only).

        The HTTP API exposes findings only inside GET /api/sessions/{id}; findings that
        belong to no session (e.g. transport.missing-subprotocol,
        session.stop-unknown-transaction) are visible only in the store.
        """
        uri = f"file:{self.db_path}?mode=ro"
        connection = sqlite3.connect(uri, uri=True, timeout=5.0)
        try:
            rows = connection.execute(
                "SELECT rule, severity, session_id, message_id, detail FROM findings WHERE charge_point_id = ? ORDER BY id",
                (charge_point_id,),
            ).fetchall()
        finally:
            connection.close()
        return [
            {"rule": r[0], "severity": r[1], "sessionId": r[2], "messageId": r[3], "detail": r[4]} for r in rows
        ]

    def stderr_tail(self, limit: int = 4000) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")[-limit:]
        except OSError:
            return ""


def _read_pty(master_fd: int, lines: list[str], found: threading.Event, port_box: list[int]) -> None:
    """Collects the gateway's stdout (a pseudo-terminal) line by line until it closes."""
    buffer = b""
    while True:
        try:
            chunk = os.read(master_fd, 4096)
        except OSError:  # EIO once the child closed the terminal
            break
        if not chunk:
            break
        buffer += chunk
        while b"\n" in buffer:
            raw, buffer = buffer.split(b"\n", 1)
            line = raw.decode(errors="replace").rstrip("\r")
            lines.append(line)
            match = STARTUP_LINE.search(line)
            if match and not found.is_set():
                port_box.append(int(match.group(1)))
                found.set()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=SHUTDOWN_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=SHUTDOWN_TIMEOUT)


@pytest.fixture(scope="session")
def pilegate_bin() -> str:
    path = os.environ.get("PILEGATE_BIN", DEFAULT_BIN)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"pilegate binary not found or not executable: {path} (set PILEGATE_BIN)")
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for listeners that need a fixed port)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gateway(pilegate_bin: str, workdir: Path, config: str = GATEWAY_YAML, extra_args: tuple[str, ...] = (),
                  command: str = "serve", ready_path: str = "/health") -> GatewayProcess:
    """Starts `pilegate COMMAND` (serve by default; `relay` prints the same startup line) on
    127.0.0.1:0 with its store and `config` in `workdir`, waits (bounded) for the startup line
    and for GET `ready_path` = 200."""
    db_path = workdir / "x.sqlite"
    config_path = workdir / "gw.yaml"
    stderr_path = workdir / "stderr.log"
    config_path.write_text(config)

    # Swift's print() is block-buffered when stdout is a pipe, so the startup line would
    # only appear at exit (see test_startup_line_is_printed_when_stdout_is_a_pipe). A
    # pseudo-terminal makes stdout line-buffered.
    master_fd, slave_fd = pty.openpty()
    stderr_file = open(stderr_path, "wb")
    argv = [
        pilegate_bin, command, "--host", HOST, "--port", "0",
        "--db", f"sqlite:{db_path}", "--config", str(config_path), *extra_args,
    ]
    try:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=slave_fd, stderr=stderr_file, cwd=workdir, close_fds=True
        )
    except BaseException:
        os.close(master_fd)
        stderr_file.close()
        raise
    finally:
        os.close(slave_fd)
    lines: list[str] = []
    found = threading.Event()
    port_box: list[int] = []
    reader = threading.Thread(target=_read_pty, args=(master_fd, lines, found, port_box), daemon=True)
    reader.start()

    gw = GatewayProcess(
        process=process, workdir=workdir, db_path=db_path, stderr_path=stderr_path, stdout_lines=lines,
        _cleanup=[stderr_file.close, lambda: reader.join(timeout=5.0), lambda: _close_fd(master_fd)])
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not found.wait(timeout=0.1):
            if process.poll() is not None:
                raise RuntimeError(
                    f"pilegate {command} exited with {process.returncode} before printing its address;"
                    f" stdout {lines!r}; stderr:\n{gw.stderr_tail()}")
            if time.monotonic() >= deadline:
                raise RuntimeError(
                    f"no startup line with ws://{HOST}:PORT/ within {STARTUP_TIMEOUT} s;"
                    f" stdout {lines!r}; stderr:\n{gw.stderr_tail()}")
        gw.port = port_box[0]
        assert 0 < gw.port < 65536
        wait_until(lambda: gw.http_get(ready_path, timeout=1.0)[0] == 200, STARTUP_TIMEOUT, 0.1, f"GET {ready_path} = 200")
    except BaseException:
        gw.stop()
        raise
    return gw


def _close_fd(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


@pytest.fixture
def fresh_workdir():
    """A temporary directory, removed afterwards (kept if $PILEGATE_INTEROP_KEEP is set)."""
    workdir = Path(tempfile.mkdtemp(prefix="pilegate-interop-"))
    try:
        yield workdir
    finally:
        _remove(workdir)


def _remove(workdir: Path) -> None:
    if os.environ.get("PILEGATE_INTEROP_KEEP"):
        print(f"\nkept gateway files in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def gateway(pilegate_bin: str):
    """The gateway shared by the tests: `pilegate serve` on 127.0.0.1 with a free port,
    a temporary store and the configuration in GATEWAY_YAML."""
    workdir = Path(tempfile.mkdtemp(prefix="pilegate-interop-"))
    try:
        gw = start_gateway(pilegate_bin, workdir)
        try:
            yield gw
        finally:
            gw.stop()
    finally:
        _remove(workdir)
