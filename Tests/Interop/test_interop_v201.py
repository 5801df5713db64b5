"""Interop tests for OCPP 2.0.1: the PyPI `ocpp` package's `v201` module (an independent
2.0.1 implementation that validates every message against the official schemas) acts as
the charging station against a real `pilegate serve` process (see conftest.py).

Every network wait is bounded; each test has its own station identity.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from contextlib import asynccontextmanager
from datetime import datetime, timezone

import websockets
from ocpp.v201 import ChargePoint, call

from conftest import BLOCKED_TAG, DATA_TRANSFER_VENDOR, HEARTBEAT_INTERVAL, running, wait_until

TEST_TIMEOUT = 30.0
CONNECT_TIMEOUT = 10.0
RESPONSE_TIMEOUT = 10.0
HTTP_POLL_TIMEOUT = 10.0


def run(scenario) -> None:
    asyncio.run(asyncio.wait_for(scenario, timeout=TEST_TIMEOUT))


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@asynccontextmanager
async def station(url: str, identity: str, subprotocols=("ocpp2.0.1",)):
    ws = await asyncio.wait_for(
        websockets.connect(url, subprotocols=list(subprotocols), open_timeout=CONNECT_TIMEOUT, close_timeout=2), CONNECT_TIMEOUT
    )
    cp = ChargePoint(identity, ws, response_timeout=RESPONSE_TIMEOUT)
    async with running(cp, ws):
        yield cp, ws


async def boot(cp):
    response = await cp.call(
        call.BootNotification(
            charging_station={"model": "PyOCPP-201", "vendor_name": "InteropVendor", "firmware_version": "2.0.1"}, reason="PowerUp"
        ),
        suppress=False,
    )
    assert response.status == "Accepted"
    assert response.interval == HEARTBEAT_INTERVAL
    return response


def energy(wh: float, context: str = "Sample.Periodic"):
    return [{"timestamp": now_iso(), "sampled_value": [{"value": wh, "measurand": "Energy.Active.Import.Register", "context": context}]}]


def test_a_201_station_boots_charges_and_the_session_reads_like_a_16_one(gateway):
    identity = unique("CS201")
    ref = unique("tx")

    async def scenario():
        async with station(gateway.ws_url(identity), identity) as (cp, ws):
            assert ws.subprotocol == "ocpp2.0.1"
            await boot(cp)
            beat = await cp.call(call.Heartbeat(), suppress=False)
            assert beat.current_time.endswith("Z")
            await cp.call(
                call.StatusNotification(timestamp=now_iso(), connector_status="Occupied", evse_id=1, connector_id=1), suppress=False
            )
            auth = await cp.call(call.Authorize(id_token={"id_token": "PY-201", "type": "ISO14443"}), suppress=False)
            assert auth.id_token_info["status"] == "Accepted"
            blocked = await cp.call(call.Authorize(id_token={"id_token": BLOCKED_TAG, "type": "ISO14443"}), suppress=False)
            assert blocked.id_token_info["status"] == "Blocked"
            started = await cp.call(
                call.TransactionEvent(
                    event_type="Started", timestamp=now_iso(), trigger_reason="Authorized", seq_no=0,
                    transaction_info={"transaction_id": ref, "charging_state": "Charging"}, evse={"id": 1, "connector_id": 1},
                    id_token={"id_token": "PY-201", "type": "ISO14443"}, meter_value=energy(2000, "Transaction.Begin"),
                ),
                suppress=False,
            )
            assert started.id_token_info["status"] == "Accepted"
            await cp.call(
                call.TransactionEvent(
                    event_type="Updated", timestamp=now_iso(), trigger_reason="MeterValuePeriodic", seq_no=1,
                    transaction_info={"transaction_id": ref, "charging_state": "Charging"}, meter_value=energy(6000),
                ),
                suppress=False,
            )
            await cp.call(call.MeterValues(evse_id=1, meter_value=energy(6500)), suppress=False)
            await cp.call(
                call.TransactionEvent(
                    event_type="Ended", timestamp=now_iso(), trigger_reason="EVDeparted", seq_no=2,
                    transaction_info={"transaction_id": ref, "stopped_reason": "EVDisconnected"},
                    meter_value=energy(7000, "Transaction.End"),
                ),
                suppress=False,
            )
            transfer = await cp.call(call.DataTransfer(vendor_id=DATA_TRANSFER_VENDOR, data={"k": 1}), suppress=False)
            assert transfer.status == "Accepted"
            unknown = await cp.call(call.DataTransfer(vendor_id="com.nobody"), suppress=False)
            assert unknown.status == "UnknownVendorId"

    run(scenario())

    def completed():
        sessions = gateway.get_json(f"/api/sessions?chargePoint={identity}")
        return sessions if sessions and sessions[0]["status"] == "completed" else None

    sessions = wait_until(completed, HTTP_POLL_TIMEOUT, 0.1, "the completed 2.0.1 session")
    assert len(sessions) == 1
    session = sessions[0]
    assert session["ocppVersion"] == "2.0.1"
    assert session["transactionRef"] == ref
    assert session["idTag"] == "PY-201"
    assert (session["meterStartWh"], session["meterStopWh"], session["energyWh"]) == (2000, 7000, 5000)
    assert session["stopReason"] == "EVDisconnected"
    pile = gateway.get_json(f"/api/chargepoints/{identity}")
    assert pile["ocppVersion"] == "2.0.1"


def test_bad_201_frames_get_the_201_error_codes(gateway):
    identity = unique("CS201-BAD")

    async def scenario():
        ws = await asyncio.wait_for(
            websockets.connect(gateway.ws_url(identity), subprotocols=["ocpp2.0.1"], open_timeout=CONNECT_TIMEOUT), CONNECT_TIMEOUT
        )
        try:
            async def exchange(frame):
                await ws.send(json.dumps(frame))
                return json.loads(await asyncio.wait_for(ws.recv(), 5))

            boot_station = {"model": "Raw", "vendorName": "InteropVendor"}
            assert (await exchange([2, "b-0", "BootNotification", {"chargingStation": boot_station, "reason": "PowerUp"}]))[0] == 3
            frame = await exchange([2, "m-1", "StatusNotification", {"timestamp": now_iso(), "connectorStatus": "Available", "evseId": 1}])
            assert frame[:3] == [4, "m-1", "OccurrenceConstraintViolation"], frame
            bad_enum = {"timestamp": now_iso(), "connectorStatus": "Sleeping", "evseId": 1, "connectorId": 1}
            frame = await exchange([2, "m-2", "StatusNotification", bad_enum])
            assert frame[:3] == [4, "m-2", "PropertyConstraintViolation"], frame
            frame = await exchange([2, "m-3", "NoSuchAction", {}])
            assert frame[:3] == [4, "m-3", "NotImplemented"], frame
            frame = await exchange([9, "m-4"])
            assert frame[:3] == [4, "m-4", "MessageTypeNotSupported"], frame
            frame = await exchange([2, "m-5", "Heartbeat", {}])
            assert frame[0] == 3 and frame[1] == "m-5", "the connection stays up"
        finally:
            await asyncio.wait_for(ws.close(), 5)

    run(scenario())


def test_a_station_offering_both_versions_gets_201(gateway):
    identity = unique("CS-BOTH")

    async def scenario():
        async with station(gateway.ws_url(identity), identity, subprotocols=("ocpp1.6", "ocpp2.0.1")) as (cp, ws):
            assert ws.subprotocol == "ocpp2.0.1"
            await boot(cp)

    run(scenario())
