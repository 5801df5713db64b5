"""Operator commands (POST /api/chargepoints/{id}/commands/{action}) reaching the PyPI
`ocpp` package's charge points, 1.6 and 2.0.1: the library checks each CALL the gateway
sends against its own copy of the official schemas, and its answer comes back as the
HTTP response. Every wait is bounded; the gateway is a real `pilegate serve` process.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
import uuid

import pytest
import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v16.enums import RegistrationStatus
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201

from conftest import start_gateway

TOKEN = "interop-command-token"
TEST_TIMEOUT = 40.0


class Station16(ChargePoint16):
    """Answers the Core and Remote Trigger commands and keeps what it was sent."""

    received: list[tuple[str, dict]]

    @on(Action16.reset)
    def reset(self, type, **_):
        self.received.append(("Reset", {"type": type}))
        return result16.Reset(status="Accepted")

    @on(Action16.get_configuration)
    def get_configuration(self, key=None, **_):
        self.received.append(("GetConfiguration", {"key": key}))
        return result16.GetConfiguration(configuration_key=[{"key": "HeartbeatInterval", "readonly": False, "value": "300"}])

    @on(Action16.change_configuration)
    def change_configuration(self, key, value, **_):
        self.received.append(("ChangeConfiguration", {"key": key, "value": value}))
        return result16.ChangeConfiguration(status="Rejected" if key == "ReadOnlyKey" else "Accepted")

    @on(Action16.unlock_connector)
    def unlock_connector(self, connector_id, **_):
        self.received.append(("UnlockConnector", {"connectorId": connector_id}))
        return result16.UnlockConnector(status="Unlocked")

    @on(Action16.trigger_message)
    def trigger_message(self, requested_message, connector_id=None, **_):
        self.received.append(("TriggerMessage", {"requestedMessage": requested_message}))
        return result16.TriggerMessage(status="Accepted")

    @on(Action16.change_availability)
    def change_availability(self, connector_id, type, **_):
        self.received.append(("ChangeAvailability", {"connectorId": connector_id, "type": type}))
        return result16.ChangeAvailability(status="Scheduled")

    @on(Action16.clear_cache)
    def clear_cache(self, **_):
        self.received.append(("ClearCache", {}))
        return result16.ClearCache(status="Accepted")

    @on(Action16.remote_start_transaction)
    def remote_start(self, id_tag, connector_id=None, **_):
        self.received.append(("RemoteStartTransaction", {"idTag": id_tag, "connectorId": connector_id}))
        return result16.RemoteStartTransaction(status="Rejected")


class Station201(ChargePoint201):
    received: list[tuple[str, dict]]

    @on(Action201.reset)
    def reset(self, type, **_):
        self.received.append(("Reset", {"type": type}))
        return result201.Reset(status="Scheduled")

    @on(Action201.get_variables)
    def get_variables(self, get_variable_data, **_):
        self.received.append(("GetVariables", {"count": len(get_variable_data)}))
        return result201.GetVariables(get_variable_result=[
            {"attribute_status": "Accepted", "component": d["component"], "variable": d["variable"], "attribute_value": "300"}
            for d in get_variable_data])

    @on(Action201.request_start_transaction)
    def request_start(self, id_token, remote_start_id, **_):
        self.received.append(("RequestStartTransaction", {"remoteStartId": remote_start_id}))
        return result201.RequestStartTransaction(status="Rejected")


def post(gateway, path: str, body) -> tuple[int, dict]:
    request = urllib.request.Request(
        gateway.http_base + path, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


async def connected(gateway, cls, identity: str, subprotocol: str):
    ws = await asyncio.wait_for(
        websockets.connect(gateway.ws_url(identity), subprotocols=[subprotocol], open_timeout=10, close_timeout=2), 10)
    station = cls(identity, ws, response_timeout=10)
    station.received = []
    loop = asyncio.create_task(station.start())
    return ws, station, loop


async def command(gateway, identity: str, action: str, payload) -> tuple[int, dict]:
    return await asyncio.to_thread(post, gateway, f"/api/chargepoints/{identity}/commands/{action}", payload)


@pytest.fixture
def commands_gateway(pilegate_bin, fresh_workdir):
    gw = start_gateway(pilegate_bin, fresh_workdir, extra_args=("--api-token", TOKEN))
    try:
        yield gw
    finally:
        gw.stop()


def test_16_commands_reach_the_ocpp_library_charge_point(commands_gateway):
    identity = f"PY16-{uuid.uuid4().hex[:6]}"

    async def scenario():
        ws, station, loop = await connected(commands_gateway, Station16, identity, "ocpp1.6")
        try:
            boot = await station.call(call16.BootNotification(charge_point_vendor="PyVendor", charge_point_model="PyModel"), suppress=False)
            assert boot.status == RegistrationStatus.accepted
            cases = [
                ("Reset", {"type": "Soft"}, {"status": "Accepted"}),
                ("GetConfiguration", {"key": ["HeartbeatInterval"]}, {"configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]}),
                ("ChangeConfiguration", {"key": "ReadOnlyKey", "value": "1"}, {"status": "Rejected"}),
                ("UnlockConnector", {"connectorId": 7}, {"status": "Unlocked"}),
                ("TriggerMessage", {"requestedMessage": "StatusNotification"}, {"status": "Accepted"}),
                ("ChangeAvailability", {"connectorId": 0, "type": "Inoperative"}, {"status": "Scheduled"}),
                ("ClearCache", {}, {"status": "Accepted"}),
                ("RemoteStartTransaction", {"idTag": "PY-TAG", "connectorId": 1}, {"status": "Rejected"}),
            ]
            for action, payload, answer in cases:
                status, body = await command(commands_gateway, identity, action, payload)
                assert status == 200, (action, status, body)
                assert body == answer, (action, body)
            assert [name for name, _ in station.received] == [action for action, _, _ in cases]
            assert ("UnlockConnector", {"connectorId": 7}) in station.received, "an id the gateway does not know still goes out"
            # A command the library's charge point has no handler for: its CALLERROR comes back as 502.
            status, body = await command(commands_gateway, identity, "DataTransfer", {"vendorId": "nobody"})
            assert status == 502, body
            assert body["error"]["code"] == "pile_error"
            assert body["error"]["details"]["ocppErrorCode"] == "NotImplemented"
            history = json.loads(commands_gateway.http_get(f"/api/chargepoints/{identity}/commands")[1])
            assert len(history) == len(cases) + 1
            assert history[0]["outcome"] == "pile_error"
            assert all(entry["outcome"] == "answered" for entry in history[1:])
        finally:
            loop.cancel()
            await ws.close()

    asyncio.run(asyncio.wait_for(scenario(), TEST_TIMEOUT))


def test_201_commands_reach_the_ocpp_library_station(commands_gateway):
    identity = f"PY201-{uuid.uuid4().hex[:6]}"

    async def scenario():
        ws, station, loop = await connected(commands_gateway, Station201, identity, "ocpp2.0.1")
        try:
            await station.call(call201.BootNotification(
                charging_station={"model": "PyModel", "vendor_name": "PyVendor"}, reason="PowerUp"), suppress=False)
            status, body = await command(commands_gateway, identity, "Reset", {"type": "OnIdle"})
            assert (status, body) == (200, {"status": "Scheduled"}), body
            status, body = await command(commands_gateway, identity, "GetVariables", {"getVariableData": [
                {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}]})
            assert status == 200, body
            assert body["getVariableResult"][0]["attributeValue"] == "300"
            status, body = await command(commands_gateway, identity, "RequestStartTransaction", {
                "idToken": {"idToken": "PY-TOKEN", "type": "Central"}, "remoteStartId": 41})
            assert (status, body) == (200, {"status": "Rejected"}), body
            # 2.0.1's schema, not 1.6's: Soft is not a 2.0.1 reset type.
            status, body = await command(commands_gateway, identity, "Reset", {"type": "Soft"})
            assert status == 400 and body["error"]["details"]["path"] == "type", body
            assert [name for name, _ in station.received] == ["Reset", "GetVariables", "RequestStartTransaction"]
            assert station.received[2][1] == {"remoteStartId": 41}
        finally:
            loop.cancel()
            await ws.close()

    asyncio.run(asyncio.wait_for(scenario(), TEST_TIMEOUT))
