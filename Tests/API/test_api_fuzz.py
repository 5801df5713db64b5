"""Schema-based fuzzing of the HTTP API: schemathesis (PyPI) generates requests from the
gateway's own /openapi.json and fails on any 5xx or any response that breaks the document
(status code, content type, headers, body schema), and on endpoints that ignore missing auth.

The gateway runs with the demo's tariffs and accounts and the demo fleet's registry, and
the demo fleet is connected and charging (`pilegate sim --fleet demo`), so map, sessions,
receipts and recommendations answer with real data while the fuzzer probes them.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOKEN = "fuzz-token-0123456789"
FUZZ_SECONDS = int(os.environ.get("PILEGATE_FUZZ_SECONDS", "60"))


def _load_interop_support():
    spec = importlib.util.spec_from_file_location("pilegate_interop_support_api", REPO / "Tests/Interop/conftest.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


interop = _load_interop_support()


@pytest.fixture
def system(tmp_path_factory):
    binary = os.environ.get("PILEGATE_BIN", interop.DEFAULT_BIN)
    if not os.access(binary, os.X_OK):
        pytest.fail(f"pilegate binary not found: {binary} (set PILEGATE_BIN)")
    workdir = Path(tempfile.mkdtemp(prefix="pilegate-fuzz-"))
    registry = workdir / "registry.yaml"
    subprocess.run(
        [binary, "sim", "--fleet", "demo", "--simulators", str(REPO / "Simulators"), "--write-registry", str(registry)],
        check=True, capture_output=True, timeout=60)
    config = (REPO / "Simulators/gateway/demo.yaml").read_text() + "\n" + registry.read_text()
    config += f"\nvehicles: {REPO / 'Simulators/vehicles'}\n"
    gateway = interop.start_gateway(binary, workdir, config=config, extra_args=("--api-token", TOKEN))
    sim_log = open(workdir / "sim.log", "wb")
    sim = subprocess.Popen(
        [binary, "sim", "--gateway", f"ws://127.0.0.1:{gateway.port}/ocpp", "--fleet", "demo", "--speed", "60",
         "--duration", f"{FUZZ_SECONDS + 120}s", "--simulators", str(REPO / "Simulators")],
        stdout=sim_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        interop.wait_until(
            lambda: gateway.get_json("/health")["connectedChargePoints"] >= 10, 60, 0.2, "the demo fleet to connect")
        yield gateway, workdir
    finally:
        if sim.poll() is None:
            os.killpg(sim.pid, signal.SIGTERM)
            try:
                sim.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(sim.pid, signal.SIGKILL)
                sim.wait(timeout=10)
        sim_log.close()
        gateway.stop()
        if not os.environ.get("PILEGATE_FUZZ_KEEP"):
            shutil.rmtree(workdir, ignore_errors=True)


def test_api_conforms_to_its_openapi_document_under_fuzzing(system):
    gateway, workdir = system
    schemathesis = shutil.which("schemathesis") or shutil.which("st")
    if schemathesis is None:
        pytest.fail("schemathesis is not installed (pip install -r Tests/Interop/requirements.txt)")
    report = workdir / "schemathesis.txt"
    command = [
        schemathesis, "run", f"{gateway.http_base}/openapi.json",
        "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                    "response_headers_conformance,response_schema_conformance,ignored_auth,unsupported_method",
        "--header", f"Authorization: Bearer {TOKEN}",
        # The event stream never ends by design; it has its own tests.
        "--exclude-path", "/api/events",
        # One worker: with two, hypothesis's lambda descriptions call ast.parse from two
        # threads, which CPython 3.11 can fail with "AST constructor recursion depth mismatch".
        "--max-time", str(FUZZ_SECONDS), "--request-timeout", "30", "--workers", "1",
        "--suppress-health-check", "all", "--no-color",
    ]
    with open(report, "w") as out:
        result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, timeout=FUZZ_SECONDS + 600)
    text = report.read_text(errors="replace")
    assert result.returncode == 0, f"schemathesis found problems:\n{text[-12000:]}\ngateway stderr:\n{gateway.stderr_tail()}"
