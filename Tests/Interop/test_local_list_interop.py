"""The gateway's own local lists and charging-profile store against the PyPI `ocpp`
package's charge points, 1.6 and 2.0.1: the library checks each SendLocalList,
GetLocalListVersion, SetChargingProfile and ClearChargingProfile against its copy of the
official schemas; the stations below keep the list as the spec says (Full replaces,
Differential updates and must raise the version, an entry without info removes its tag),
so what they end up holding is the gateway's list. Every wait is bounded; the gateway is a
real `pilegate serve` process.
"""

from __future__ import annotations

import asyncio
import json
import time
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
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201

from conftest import start_gateway

TOKEN = "interop-local-list-token"
TEST_TIMEOUT = 60.0
CONFIG = """\
# Written by Tests/Interop/test_local_list_interop.py
accounts:
  - {id: alice, idTag: PY-ALICE}
  - {id: bob, idTag: PY-BOB, blocked: true}
localList:
  push: auto
"""


class Station16(ChargePoint16):
    """Keeps a local list (1.6 §6.45) and charging profiles; takes one entry per SendLocalList."""

    version: int
    entries: dict
    sends: list
    profiles: dict

    @on(Action16.get_local_list_version)
    def get_local_list_version(self, **_):
        return result16.GetLocalListVersion(list_version=self.version)

    @on(Action16.get_configuration)
    def get_configuration(self, key=None, **_):
        known = {"LocalAuthListMaxLength": "10", "SendLocalListMaxLength": "1"}
        return result16.GetConfiguration(
            configuration_key=[{"key": k, "readonly": True, "value": known[k]} for k in (key or []) if k in known],
            unknown_key=[k for k in (key or []) if k not in known] or None)

    @on(Action16.send_local_list)
    def send_local_list(self, list_version, update_type, local_authorization_list=None, **_):
        items = local_authorization_list or []
        self.sends.append((update_type, list_version, len(items)))
        if len(items) > 1:
            return result16.SendLocalList(status="Failed")
        if update_type == "Full":
            self.entries = {}
        elif list_version <= self.version:
            return result16.SendLocalList(status="VersionMismatch")
        for item in items:
            info = item.get("id_tag_info")
            if info is None:
                self.entries.pop(item["id_tag"].upper(), None)
            else:
                self.entries[item["id_tag"].upper()] = info["status"]
        self.version = list_version
        return result16.SendLocalList(status="Accepted")

    @on(Action16.set_charging_profile)
    def set_charging_profile(self, connector_id, cs_charging_profiles, **_):
        self.profiles[cs_charging_profiles["charging_profile_id"]] = connector_id
        return result16.SetChargingProfile(status="Accepted")

    @on(Action16.clear_charging_profile)
    def clear_charging_profile(self, id=None, **_):
        found = self.profiles.pop(id, None) is not None
        return result16.ClearChargingProfile(status="Accepted" if found else "Unknown")


class Station201(ChargePoint201):
    version: int
    entries: dict
    sends: list
    profiles: dict

    @on(Action201.get_local_list_version)
    def get_local_list_version(self, **_):
        return result201.GetLocalListVersion(version_number=self.version)

    @on(Action201.send_local_list)
    def send_local_list(self, version_number, update_type, local_authorization_list=None, **_):
        items = local_authorization_list or []
        self.sends.append((update_type, version_number, len(items)))
        if update_type == "Full":
            self.entries = {}
        elif version_number <= self.version:
            return result201.SendLocalList(status="VersionMismatch")
        for item in items:
            token = item["id_token"]["id_token"].upper()
            info = item.get("id_token_info")
            if info is None:
                self.entries.pop(token, None)
            else:
                self.entries[token] = info["status"]
        self.version = version_number
        return result201.SendLocalList(status="Accepted")

    @on(Action201.set_charging_profile)
    def set_charging_profile(self, evse_id, charging_profile, **_):
        self.profiles[charging_profile["id"]] = evse_id
        return result201.SetChargingProfile(status="Accepted")

    @on(Action201.clear_charging_profile)
    def clear_charging_profile(self, charging_profile_id=None, charging_profile_criteria=None, **_):
        found = self.profiles.pop(charging_profile_id, None) is not None
        return result201.ClearChargingProfile(status="Accepted" if found else "Unknown")


def api(gateway, method: str, path: str, body=None) -> tuple[int, dict | list]:
    request = urllib.request.Request(
        gateway.http_base + path, data=None if body is None else json.dumps(body).encode(), method=method,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


async def call_api(gateway, method: str, path: str, body=None):
    return await asyncio.to_thread(api, gateway, method, path, body)


async def connected(gateway, cls, identity: str, subprotocol: str):
    ws = await asyncio.wait_for(
        websockets.connect(gateway.ws_url(identity), subprotocols=[subprotocol], open_timeout=10, close_timeout=2), 10)
    station = cls(identity, ws, response_timeout=10)
    station.version, station.entries, station.sends, station.profiles = 0, {}, [], {}
    loop = asyncio.create_task(station.start())
    return ws, station, loop


async def until(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@pytest.fixture
def list_gateway(pilegate_bin, fresh_workdir):
    gw = start_gateway(pilegate_bin, fresh_workdir, config=CONFIG, extra_args=("--api-token", TOKEN))
    try:
        yield gw
    finally:
        gw.stop()


def test_16_station_gets_the_accounts_list_in_parts_then_the_operators_and_keeps_its_profiles(list_gateway):
    identity = f"PYLL16-{uuid.uuid4().hex[:6]}"

    async def scenario():
        ws, station, loop = await connected(list_gateway, Station16, identity, "ocpp1.6")
        try:
            await station.call(call16.BootNotification(charge_point_vendor="PyVendor", charge_point_model="PyModel"), suppress=False)
            # Pushed after the boot, one entry a message (the station's SendLocalListMaxLength).
            await until(lambda: station.entries == {"PY-ALICE": "Accepted", "PY-BOB": "Blocked"}, 15, "the accounts' list")
            assert [(kind, count) for kind, _, count in station.sends] == [("Full", 1), ("Differential", 1)]
            status, view = await call_api(list_gateway, "GET", f"/api/chargepoints/{identity}/local-list")
            assert status == 200, view
            await until(lambda: api(list_gateway, "GET", f"/api/chargepoints/{identity}/local-list")[1]["inSync"], 10, "inSync")
            status, view = await call_api(list_gateway, "GET", f"/api/chargepoints/{identity}/local-list")
            assert view["version"] == station.version and view["maxPerSend"] == 1 and view["maxLength"] == 10, view

            # The operator's own list: a Differential per change from what the station holds.
            status, body = await call_api(list_gateway, "PUT", f"/api/chargepoints/{identity}/local-list", {"entries": [
                {"idTag": "PY-ALICE", "idTagInfo": {"status": "Accepted"}}, {"idTag": "PY-GUEST", "idTagInfo": {"status": "Accepted"}}]})
            assert status == 200, body
            assert [s["updateType"] for s in body["sync"]["sent"]] == ["Differential", "Differential"], body
            assert station.entries == {"PY-ALICE": "Accepted", "PY-GUEST": "Accepted"}
            status, body = await call_api(list_gateway, "GET", f"/api/chargepoints/{identity}/local-list/version")
            assert (status, body["listVersion"]) == (200, station.version), body
            status, body = await call_api(list_gateway, "POST", f"/api/chargepoints/{identity}/local-list/sync", {"updateType": "Full"})
            assert status == 200 and body["sent"][0]["updateType"] == "Full", body
            assert station.entries == {"PY-ALICE": "Accepted", "PY-GUEST": "Accepted"}

            profile = {"chargingProfileId": 5, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Relative",
                       "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}]}}
            status, body = await call_api(list_gateway, "POST", f"/api/chargepoints/{identity}/charging-profiles",
                                          {"connectorId": 1, "csChargingProfiles": profile})
            assert status == 200 and body["response"] == {"status": "Accepted"}, body
            assert station.profiles == {5: 1}
            status, held = await call_api(list_gateway, "GET", f"/api/chargepoints/{identity}/charging-profiles")
            assert [(p["chargingProfileId"], p["connectorId"], p["purpose"]) for p in held] == [(5, 1, "TxDefaultProfile")], held
            status, body = await call_api(list_gateway, "POST", f"/api/chargepoints/{identity}/commands/ClearChargingProfile", {"id": 5})
            assert (status, body) == (200, {"status": "Accepted"}), body
            status, held = await call_api(list_gateway, "GET", f"/api/chargepoints/{identity}/charging-profiles")
            assert held == [], held
            status, history = await call_api(list_gateway, "GET", f"/api/chargepoints/{identity}/commands")
            assert {"SendLocalList", "GetLocalListVersion", "SetChargingProfile", "ClearChargingProfile"} <= {c["action"] for c in history}
        finally:
            loop.cancel()
            await ws.close()

    asyncio.run(asyncio.wait_for(scenario(), TEST_TIMEOUT))


def test_201_station_gets_the_list_with_id_tokens_and_its_profiles_are_stored_by_evse(list_gateway):
    identity = f"PYLL201-{uuid.uuid4().hex[:6]}"

    async def scenario():
        ws, station, loop = await connected(list_gateway, Station201, identity, "ocpp2.0.1")
        try:
            await station.call(call201.BootNotification(
                charging_station={"model": "PyModel", "vendor_name": "PyVendor"}, reason="PowerUp"), suppress=False)
            await until(lambda: station.entries == {"PY-ALICE": "Accepted", "PY-BOB": "Blocked"}, 15, "the accounts' list")
            assert [(kind, count) for kind, _, count in station.sends] == [("Full", 2)]
            status, body = await call_api(list_gateway, "PUT", f"/api/chargepoints/{identity}/local-list", {"entries": [
                {"idTag": "PY-BOB", "idTagInfo": {"status": "Accepted"}}]})
            assert status == 200 and body["sync"]["sent"][0]["updateType"] == "Differential", body
            assert station.entries == {"PY-BOB": "Accepted"}

            profile = {"id": 9, "stackLevel": 1, "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Relative",
                       "chargingSchedule": [{"id": 1, "chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7000.0}]}]}
            status, body = await call_api(list_gateway, "POST", f"/api/chargepoints/{identity}/charging-profiles",
                                          {"evseId": 2, "chargingProfile": profile})
            assert status == 200 and body["ocppVersion"] == "2.0.1", body
            assert station.profiles == {9: 2}
            assert [(p["chargingProfileId"], p["connectorId"], p["stackLevel"]) for p in body["profiles"]] == [(9, 2, 1)]
            status, body = await call_api(list_gateway, "POST", f"/api/chargepoints/{identity}/commands/ClearChargingProfile",
                                          {"chargingProfileId": 9})
            assert (status, body) == (200, {"status": "Accepted"}), body
            status, held = await call_api(list_gateway, "GET", f"/api/chargepoints/{identity}/charging-profiles")
            assert held == [], held
        finally:
            loop.cancel()
            await ws.close()

    asyncio.run(asyncio.wait_for(scenario(), TEST_TIMEOUT))
