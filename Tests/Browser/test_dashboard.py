"""The dashboard at `/` in headless Chromium, against `pilegate serve` with the simulated
demo fleet (`pilegate sim --fleet demo --speed 60`): sessions start by themselves, and the
page must show their energy growing without being reloaded, with no JavaScript errors.

The gateway is started the way the interop tests start it (`start_gateway` from
Tests/Interop/conftest.py: `pilegate serve --port 0`, startup line, GET /health; binary from
$PILEGATE_BIN). Chromium (Debian's `chromium`) is driven over the Chrome DevTools Protocol
with the `websockets` sync client; the test is skipped when chromium is not on PATH (it
fails instead when $PILEGATE_REQUIRE_CHROMIUM is set, as in CI).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from websockets.sync.client import connect

REPO = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
CHROMIUM_START_TIMEOUT = 30.0  # seconds for DevToolsActivePort and a page target
STOP_TIMEOUT = 10.0  # seconds after SIGTERM before SIGKILL
SIM_SPEED = 60  # simulated seconds per wall second: a meter sample about every wall second
SIM_DURATION = "10m"  # the simulator stops by itself even if teardown never runs
PAGE_LOAD_TIMEOUT = 15.0
FIRST_SESSION_TIMEOUT = 90.0  # wall seconds until an active session shows on the page
CHANGE_TIMEOUT = 45.0  # wall seconds until one of them shows more energy


def _load_interop_support():
    """Tests/Interop/conftest.py as a plain module, for `start_gateway` and `wait_until`."""
    spec = importlib.util.spec_from_file_location("pilegate_interop_support", REPO / "Tests/Interop/conftest.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


interop = _load_interop_support()
wait_until = interop.wait_until


def stop_process(process: subprocess.Popen, group: bool = False) -> None:
    """SIGTERM (to its process group if it leads one), bounded wait, then SIGKILL; with
    `group`, whatever is left of the group (e.g. chromium's helpers) is killed too."""
    send = (lambda sig: os.killpg(process.pid, sig)) if group else process.send_signal
    try:
        if process.poll() is None:
            send(signal.SIGTERM)
            process.wait(timeout=STOP_TIMEOUT)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        pass
    try:
        if group or process.poll() is None:
            send(signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=STOP_TIMEOUT)


def http_json(url: str, timeout: float = 5.0):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 only, never a proxy
    with opener.open(url, timeout=timeout) as response:
        return json.loads(response.read())


class DevTools:
    """A minimal CDP client for one page target: commands wait (bounded) for their answer,
    events that arrive meanwhile are kept in `events`."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, params: dict | None = None, timeout: float = 15.0) -> dict:
        self.next_id += 1
        message_id = self.next_id
        self.ws.send(json.dumps({"id": message_id, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"CDP {method}: no answer within {timeout} s")
            message = json.loads(self.ws.recv(timeout=remaining))
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"CDP {method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise AssertionError(f"evaluating {expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def drain(self, seconds: float = 0.5) -> None:
        """Collects the events that arrive within `seconds`."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                message = json.loads(self.ws.recv(timeout=remaining))
            except TimeoutError:
                return
            if "method" in message:
                self.events.append(message)

    def page_errors(self) -> list[str]:
        """Uncaught exceptions, console.error calls and error log entries (e.g. failed requests)."""
        errors = []
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                errors.append(f"exception: {details.get('exception', {}).get('description') or details.get('text')}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append("console.error: " + " ".join(str(a.get("value", a.get("description"))) for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                errors.append(f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".rstrip())
        return errors


def launch_chromium(binary: str, workdir: Path) -> tuple[subprocess.Popen, int]:
    """Starts headless Chromium with a fresh profile in `workdir`; returns it and its DevTools port."""
    profile = workdir / "chromium-profile"
    command = [
        binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--no-default-browser-check", "--disable-extensions",
        "--disable-background-networking", "--disable-component-update",
        "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank",
    ]
    log = open(workdir / "chromium.log", "wb")
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    finally:
        log.close()
    try:
        def port():
            if process.poll() is not None:
                raise RuntimeError(f"chromium exited with {process.returncode}")
            lines = (profile / "DevToolsActivePort").read_text().splitlines()
            return int(lines[0]) if lines and lines[0].isdigit() else None
        devtools_port = wait_until(port, CHROMIUM_START_TIMEOUT, 0.1, "chromium's DevToolsActivePort file")
    except BaseException:
        stop_process(process, group=True)
        raise
    return process, devtools_port


@pytest.fixture(scope="session")
def chromium_bin() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    reason = "chromium is not on PATH (Debian: apt-get install chromium)"
    if os.environ.get("PILEGATE_REQUIRE_CHROMIUM"):  # CI installs it: a skip there would hide the test
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pilegate_bin() -> str:
    path = os.environ.get("PILEGATE_BIN", interop.DEFAULT_BIN)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"pilegate binary not found or not executable: {path} (set PILEGATE_BIN)")
    return path


@pytest.fixture
def workdir():
    path = Path(tempfile.mkdtemp(prefix="pilegate-browser-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def page(chromium_bin: str, workdir: Path):
    """A CDP session on a blank page of a fresh headless Chromium, with Runtime, Log and Page enabled."""
    process, port = launch_chromium(chromium_bin, workdir)
    try:
        def page_target():
            targets = http_json(f"http://{HOST}:{port}/json")
            return next((t for t in targets if t.get("type") == "page" and t.get("webSocketDebuggerUrl")), None)
        target = wait_until(page_target, CHROMIUM_START_TIMEOUT, 0.1, "a page target in chromium")
        with connect(target["webSocketDebuggerUrl"], max_size=None, open_timeout=10, close_timeout=2, proxy=None) as ws:
            devtools = DevTools(ws)
            for domain in ("Runtime", "Log", "Page"):
                devtools.call(f"{domain}.enable")
            yield devtools
    finally:
        stop_process(process, group=True)


# Active session rows as the page shows them: {session id: kWh cell text}.
READ_ACTIVE_KWH = """(() => {
  const rows = document.querySelectorAll('#sessions tbody tr[data-session-id][data-status="active"]');
  return Object.fromEntries([...rows].map((tr) => [tr.dataset.sessionId, tr.querySelector('td.kwh').textContent]));
})()"""


def _tail(path: Path, limit: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-limit:]
    except OSError:
        return ""


@pytest.fixture
def fleet_gateway(pilegate_bin: str, workdir: Path):
    """`pilegate serve` on a free port and the demo fleet connected to it; yields the gateway
    and a function describing both processes' output, for failure messages."""
    gateway = interop.start_gateway(pilegate_bin, workdir)
    sim = None
    try:
        sim_log_path = workdir / "sim.log"
        with open(sim_log_path, "wb") as sim_log:
            sim = subprocess.Popen(
                [pilegate_bin, "sim", "--gateway", f"ws://{interop.HOST}:{gateway.port}/ocpp", "--fleet", "demo",
                 "--speed", str(SIM_SPEED), "--duration", SIM_DURATION, "--simulators", str(REPO / "Simulators")],
                stdin=subprocess.DEVNULL, stdout=sim_log, stderr=subprocess.STDOUT, cwd=workdir)

        def diagnostics() -> str:
            state = "running" if sim.poll() is None else f"exited with {sim.returncode}"
            return (f"\n--- sim ({state}) ---\n{_tail(sim_log_path)}"
                    f"\n--- gateway stderr ---\n{gateway.stderr_tail(3000)}")

        yield gateway, diagnostics
    finally:
        if sim is not None:
            stop_process(sim)
        gateway.stop()


def read_active_kwh(page) -> dict[str, float]:
    """kWh of each active session row whose cell holds a number."""
    figures = {}
    for session_id, text in (page.evaluate(READ_ACTIVE_KWH) or {}).items():
        try:
            figures[session_id] = float(text)
        except ValueError:  # '—' until the first meter value
            pass
    return figures


def check_live_numbers_change(page, base_url: str, first_timeout: float = FIRST_SESSION_TIMEOUT,
                              change_timeout: float = CHANGE_TIMEOUT, diagnostics=lambda: "") -> dict:
    """Opens the dashboard once and waits (bounded) until an active session's kWh grows on the
    page, which must not reload meanwhile; returns what it saw."""
    navigation = page.call("Page.navigate", {"url": base_url + "/"})
    assert "errorText" not in navigation, f"cannot open {base_url}/: {navigation['errorText']}"
    wait_until(lambda: page.evaluate("document.readyState") == "complete", PAGE_LOAD_TIMEOUT, 0.1, "the page to load")
    page.evaluate("window.__loadedOnce = 'yes'")  # gone if the page reloads

    try:
        first = wait_until(lambda: read_active_kwh(page), first_timeout, 0.25, "an active session row with kWh")
    except TimeoutError as error:
        raise AssertionError(
            f"{error}; page sessions: {page.evaluate(READ_ACTIVE_KWH)!r}; page errors: {page.page_errors()}{diagnostics()}"
        ) from None
    baseline = dict(first)  # the first figure seen for each session
    grown, now = None, first
    deadline = time.monotonic() + change_timeout
    while grown is None and time.monotonic() < deadline:
        time.sleep(0.5)
        now = read_active_kwh(page)
        for session_id, kwh in now.items():
            baseline.setdefault(session_id, kwh)
        grown = next(((sid, baseline[sid], kwh) for sid, kwh in now.items() if kwh > baseline[sid]), None)
    assert grown is not None, (
        f"no active session's kWh grew on the page within {change_timeout} s; first {first}, last {now};"
        f" page errors: {page.page_errors()}{diagnostics()}")
    assert page.evaluate("window.__loadedOnce") == "yes", "the page reloaded"
    status = page.evaluate(
        "({state: document.querySelector('#status-line').dataset.state,"
        " lastEvent: document.querySelector('#status-line').dataset.lastEvent || null})")
    assert status["state"] == "live" and status["lastEvent"], f"event stream not live: {status}{diagnostics()}"
    piles = page.evaluate("Number(document.querySelector('#network-summary tr[data-network=\"all\"] td.piles').textContent)")
    assert piles >= 1, f"network summary counts no piles{diagnostics()}"
    page.drain(0.5)
    errors = page.page_errors()
    assert not errors, "JavaScript errors on the dashboard:\n" + "\n".join(errors)
    return {"first": first, "grown": grown, "status": status, "piles": piles}


def test_dashboard_shows_session_energy_growing_without_reload(page, fleet_gateway):
    gateway, diagnostics = fleet_gateway
    seen = check_live_numbers_change(page, gateway.http_base, diagnostics=diagnostics)
    session_id, before, after = seen["grown"]
    print(f"session {session_id}: {before} kWh -> {after} kWh on the page; {seen['piles']} piles")
