"""The simulated 2.0.1 stations against an independent CSMS: the Python `ocpp` package's v201.

`ocpp.v201` validates every incoming payload (and every answer to its own calls) against
the official OCPP 2.0.1 JSON schemas and answers a violation with a CALLERROR, so a clean
run means someone else's validator accepted every message our stations sent. On top, the
CSMS checks what a schema cannot: seqNo counts from 0 per transaction without gaps, the
evse comes in the first event only, and the device model answers its calls.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
from datetime import datetime, timezone
from pathlib import Path

import pytest
import websockets
from ocpp.routing import after, on
from ocpp.v201 import ChargePoint as OcppChargePoint
from ocpp.v201 import call, call_result
from ocpp.v201.enums import Action

ROOT = Path(__file__).resolve().parents[2]
SIM_SECONDS = 12


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class CSMS(OcppChargePoint):
    """Answers a station; what it saw is kept on the class for the test to read."""

    seen: dict[str, int] = {}
    events: dict[str, list[dict]] = {}
    device_model: list[str] = []

    def count(self, action: str) -> None:
        CSMS.seen[action] = CSMS.seen.get(action, 0) + 1

    @on(Action.boot_notification)
    def boot(self, charging_station, reason, **kwargs):
        self.count("BootNotification")
        return call_result.BootNotification(current_time=now_iso(), interval=300, status="Accepted")

    @after(Action.boot_notification)
    async def ask_device_model(self, charging_station, reason, **kwargs):
        got = await self.call(call.GetVariables(get_variable_data=[
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
            {"component": {"name": "TxCtrlr"}, "variable": {"name": "TxStartPoint"}},
            {"component": {"name": "NoSuchCtrlr"}, "variable": {"name": "X"}},
        ]))
        CSMS.device_model += [r["attribute_status"] for r in got.get_variable_result]
        put = await self.call(call.SetVariables(set_variable_data=[
            {"attribute_value": "120", "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
        ]))
        CSMS.device_model += [r["attribute_status"] for r in put.set_variable_result]
        report = await self.call(call.GetBaseReport(request_id=1, report_base="FullInventory"))
        CSMS.device_model.append(report.status)

    @on(Action.heartbeat)
    def heartbeat(self, **kwargs):
        self.count("Heartbeat")
        return call_result.Heartbeat(current_time=now_iso())

    @on(Action.status_notification)
    def status(self, timestamp, connector_status, evse_id, connector_id, **kwargs):
        self.count("StatusNotification")
        return call_result.StatusNotification()

    @on(Action.authorize)
    def authorize(self, id_token, **kwargs):
        self.count("Authorize")
        return call_result.Authorize(id_token_info={"status": "Accepted"})

    @on(Action.transaction_event)
    def transaction_event(self, event_type, timestamp, trigger_reason, seq_no, transaction_info, **kwargs):
        self.count("TransactionEvent")
        CSMS.events.setdefault(transaction_info["transaction_id"], []).append(
            {"eventType": event_type, "seqNo": seq_no, "evse": kwargs.get("evse"), "trigger": trigger_reason})
        return call_result.TransactionEvent()

    @on(Action.meter_values)
    def meter_values(self, evse_id, meter_value, **kwargs):
        self.count("MeterValues")
        return call_result.MeterValues()

    @on(Action.notify_report)
    def notify_report(self, request_id, generated_at, seq_no, **kwargs):
        self.count("NotifyReport")
        return call_result.NotifyReport()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def simulators(tmp_path):
    root = tmp_path / "Simulators"
    shutil.copytree(ROOT / "Simulators", root)
    return root


@pytest.mark.parametrize("profile", ["nio-640-v201", "xpeng-s5-v201"])
def test_simulated_201_stations_pass_the_python_ocpp_v201_validator(pilegate_bin, simulators, tmp_path, profile):
    port = free_port()
    summary = tmp_path / "summary.json"

    async def scenario():
        async def handler(connection):
            identity = connection.request.path.rstrip("/").split("/")[-1]
            csms = CSMS(identity, connection)
            try:
                await csms.start()
            except websockets.exceptions.ConnectionClosed:
                pass

        async with websockets.serve(handler, "127.0.0.1", port, subprotocols=["ocpp2.0.1"]):
            proc = await asyncio.create_subprocess_exec(
                pilegate_bin, "sim", "--gateway", f"ws://127.0.0.1:{port}/ocpp", "--simulators", str(simulators),
                "--profile", profile, "--count", "3", "--speed", "240", "--duration", f"{SIM_SECONDS}s",
                "--json", str(summary), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
            try:
                out, _ = await asyncio.wait_for(proc.communicate(), timeout=SIM_SECONDS + 30)
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()
                pytest.fail("pilegate sim did not finish in time")
            return proc.returncode, out.decode()

    CSMS.seen, CSMS.events, CSMS.device_model = {}, {}, []
    code, output = asyncio.run(scenario())
    assert code == 0, output
    figures = json.loads(summary.read_text())
    assert figures["errors"] == {}, output
    assert figures["booted"] == 3, output
    assert figures["sessionsStarted"] >= 1, output
    for action in ("BootNotification", "StatusNotification", "TransactionEvent", "NotifyReport"):
        assert CSMS.seen.get(action, 0) >= 1, (action, CSMS.seen, output)
    assert CSMS.device_model[:5] == ["Accepted", "Accepted", "UnknownComponent", "Accepted", "Accepted"], CSMS.device_model
    ended = 0
    for transaction, events in CSMS.events.items():
        assert [e["seqNo"] for e in events] == list(range(len(events))), (transaction, events)
        assert events[0]["eventType"] == "Started" and events[0]["evse"] is not None, (transaction, events)
        assert all(e["evse"] is None for e in events[1:]), (transaction, events)
        ended += sum(e["eventType"] == "Ended" for e in events)
    assert ended >= 1, CSMS.events
