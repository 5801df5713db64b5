"""The simulator against an independent central system: the Python `ocpp` package.

The `ocpp` library validates every incoming payload against the official OCPP 1.6 JSON
schemas and answers violations with a CALLERROR, so a clean run means someone else's
validator accepted every message our simulated piles sent.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint as OcppChargePoint
from ocpp.v16 import call_result
from ocpp.v16.enums import Action, RegistrationStatus

ROOT = Path(__file__).resolve().parents[2]
SIM_SECONDS = 15


class CentralSystem(OcppChargePoint):
    """Answers a pile; every message it sees is counted in `seen`."""

    seen: dict[str, int] = {}
    next_tx = 1

    def count(self, action: str) -> None:
        CentralSystem.seen[action] = CentralSystem.seen.get(action, 0) + 1

    @on(Action.boot_notification)
    def boot(self, charge_point_vendor, charge_point_model, **kwargs):
        self.count("BootNotification")
        return call_result.BootNotification(
            current_time=datetime.now(timezone.utc).isoformat(), interval=300, status=RegistrationStatus.accepted)

    @on(Action.heartbeat)
    def heartbeat(self, **kwargs):
        self.count("Heartbeat")
        return call_result.Heartbeat(current_time=datetime.now(timezone.utc).isoformat())

    @on(Action.status_notification)
    def status(self, connector_id, error_code, status, **kwargs):
        self.count("StatusNotification")
        return call_result.StatusNotification()

    @on(Action.authorize)
    def authorize(self, id_tag, **kwargs):
        self.count("Authorize")
        return call_result.Authorize(id_tag_info={"status": "Accepted"})

    @on(Action.start_transaction)
    def on_start_transaction(self, connector_id, id_tag, meter_start, timestamp, **kwargs):
        self.count("StartTransaction")
        CentralSystem.next_tx += 1
        return call_result.StartTransaction(transaction_id=CentralSystem.next_tx, id_tag_info={"status": "Accepted"})

    @on(Action.meter_values)
    def meter_values(self, connector_id, meter_value, **kwargs):
        self.count("MeterValues")
        return call_result.MeterValues()

    @on(Action.stop_transaction)
    def on_stop_transaction(self, meter_stop, timestamp, transaction_id, **kwargs):
        self.count("StopTransaction")
        return call_result.StopTransaction()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def simulators(tmp_path):
    """The shipped profiles, with a small fleet of every model that has no quirks."""
    root = tmp_path / "Simulators"
    shutil.copytree(ROOT / "Simulators", root)
    return root


def test_simulated_piles_pass_the_python_ocpp_validator(pilegate_bin, simulators, tmp_path):
    port = free_port()
    summary = tmp_path / "summary.json"

    async def scenario():
        async def handler(connection):
            identity = connection.request.path.rstrip("/").split("/")[-1]
            cs = CentralSystem(identity, connection)
            try:
                await cs.start()
            except websockets.exceptions.ConnectionClosed:
                pass

        async with websockets.serve(handler, "127.0.0.1", port, subprotocols=["ocpp1.6"]):
            proc = await asyncio.create_subprocess_exec(
                pilegate_bin, "sim", "--gateway", f"ws://127.0.0.1:{port}/ocpp", "--simulators", str(simulators),
                "--profile", "nio-640", "--count", "4", "--speed", "240", "--duration", f"{SIM_SECONDS}s",
                "--json", str(summary), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
            try:
                out, _ = await asyncio.wait_for(proc.communicate(), timeout=SIM_SECONDS + 30)
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()
                pytest.fail("pilegate sim did not finish in time")
            return proc.returncode, out.decode()

    CentralSystem.seen = {}
    code, output = asyncio.run(scenario())
    assert code == 0, output
    figures = json.loads(summary.read_text())
    # Every message reached the independent validator and none was refused.
    assert figures["errors"] == {}, output
    assert figures["booted"] == 4, output
    assert figures["sessionsStarted"] >= 1, output
    for action in ("BootNotification", "StatusNotification", "Authorize", "StartTransaction", "MeterValues"):
        assert CentralSystem.seen.get(action, 0) >= 1, (action, CentralSystem.seen, output)
