"""Smart charging against the PyPI `ocpp` package's charge points, 1.6 and 2.0.1.

The OCA 1.6 cases (test_oca_csms_v16_profiles.py) drive SetChargingProfile,
GetCompositeSchedule and ClearChargingProfile with a hand-written 1.6 charge point; here
the independent library receives them and checks every CALL against its own copy of the
official schemas (a recurring ChargePointMaxProfile in W, a relative TxDefaultProfile, the
2.0.1 shapes), and the 2.0.1 station sends what only 2.0.1 has: ReportChargingProfiles
answering the gateway's GetChargingProfiles (over two messages, `tbc`), NotifyChargingLimit,
ClearedChargingLimit, NotifyEVChargingNeeds and NotifyEVChargingSchedule. The last case puts
a 1.6 and a 2.0.1 charge point on one site with a grid limit (docs/load-management.md) and
checks the TxProfiles the gateway pushes keep the site under it. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import websockets
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201

from conftest import start_gateway

TOKEN = "interop-smart-charging-token"
TEST_TIMEOUT = 60.0
WAIT = 10.0


def now_iso(offset_seconds: float = 0) -> str:
    moment = datetime.now(timezone.utc) + timedelta(seconds=offset_seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


class Station16(ChargePoint16):
    """Accepts every profile, answers composite schedules, keeps what it was sent."""

    received: list[tuple[str, dict]]

    @on(Action16.set_charging_profile)
    def set_charging_profile(self, connector_id, cs_charging_profiles, **_):
        self.received.append(("SetChargingProfile", {"connectorId": connector_id, "profile": cs_charging_profiles}))
        return result16.SetChargingProfile(status="Accepted")

    @on(Action16.get_composite_schedule)
    def get_composite_schedule(self, connector_id, duration, charging_rate_unit=None, **_):
        self.received.append(("GetCompositeSchedule", {"connectorId": connector_id, "duration": duration}))
        return result16.GetCompositeSchedule(
            status="Accepted", connector_id=connector_id, schedule_start=now_iso(),
            charging_schedule={"duration": duration, "chargingRateUnit": charging_rate_unit or "W",
                               "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7400.0}]})

    @on(Action16.clear_charging_profile)
    def clear_charging_profile(self, **criteria):
        self.received.append(("ClearChargingProfile", criteria))
        return result16.ClearChargingProfile(status="Accepted")

    @on(Action16.remote_start_transaction)
    def remote_start(self, id_tag, **_):
        return result16.RemoteStartTransaction(status="Rejected")


def profile201(profile_id: int, purpose: str = "TxDefaultProfile", stack: int = 0, limit: float = 16.0, unit: str = "A"):
    return {"id": profile_id, "stackLevel": stack, "chargingProfilePurpose": purpose, "chargingProfileKind": "Absolute",
            "chargingSchedule": [{"id": 1, "startSchedule": now_iso(), "duration": 3600, "chargingRateUnit": unit,
                                  "chargingSchedulePeriod": [{"startPeriod": 0, "limit": limit}]}]}


class Station201(ChargePoint201):
    """Accepts profiles; answers GetChargingProfiles with two reports: what it was set on
    EVSE 1 (CSO) and an EMS limit on the grid connection it holds besides."""

    received: list[tuple[str, dict]]
    held: dict[int, dict]

    @on(Action201.set_charging_profile)
    def set_charging_profile(self, evse_id, charging_profile, **_):
        self.received.append(("SetChargingProfile", {"evseId": evse_id, "profile": charging_profile}))
        self.held[charging_profile["id"]] = charging_profile
        return result201.SetChargingProfile(status="Accepted")

    @on(Action201.get_composite_schedule)
    def get_composite_schedule(self, duration, evse_id, charging_rate_unit=None, **_):
        self.received.append(("GetCompositeSchedule", {"evseId": evse_id, "duration": duration}))
        return result201.GetCompositeSchedule(status="Accepted", schedule={
            "evseId": evse_id, "duration": duration, "scheduleStart": now_iso(), "chargingRateUnit": charging_rate_unit or "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}]})

    @on(Action201.clear_charging_profile)
    def clear_charging_profile(self, charging_profile_id=None, **_):
        self.received.append(("ClearChargingProfile", {"chargingProfileId": charging_profile_id}))
        return result201.ClearChargingProfile(status="Accepted" if self.held.pop(charging_profile_id, None) else "Unknown")

    @on(Action201.get_charging_profiles)
    def get_charging_profiles(self, request_id, charging_profile, evse_id=None, **_):
        self.received.append(("GetChargingProfiles", {"requestId": request_id}))
        return result201.GetChargingProfiles(status="Accepted")

    @after(Action201.get_charging_profiles)
    async def report(self, request_id, charging_profile, evse_id=None, **_):
        ours = [camel(p) for p in self.held.values()]
        await self.call(call201.ReportChargingProfiles(
            request_id=request_id, charging_limit_source="CSO", evse_id=1, charging_profile=ours, tbc=True), suppress=False)
        external = profile201(900, purpose="ChargingStationExternalConstraints", limit=22000.0, unit="W")
        await self.call(call201.ReportChargingProfiles(
            request_id=request_id, charging_limit_source="EMS", evse_id=0, charging_profile=[external], tbc=False), suppress=False)


def camel(value):
    """The library hands handlers snake_case keys; a report sends the profile as the wire has it."""
    if isinstance(value, dict):
        return {"".join([k.split("_")[0]] + [w.capitalize() for w in k.split("_")[1:]]): camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


def request(gateway, method: str, path: str, body=None) -> tuple[int, object]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(gateway.http_base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    try:
        with urllib.request.urlopen(req, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


async def api(gateway, method: str, path: str, body=None) -> tuple[int, object]:
    return await asyncio.to_thread(request, gateway, method, path, body)


async def until(fetch, predicate, what: str, timeout: float = WAIT):
    """Polls the async `fetch` until `predicate(value)` holds; fails after `timeout` s."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = await fetch()
        if predicate(value):
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; last {value!r}")


async def connected(gateway, cls, identity: str, subprotocol: str):
    ws = await asyncio.wait_for(
        websockets.connect(gateway.ws_url(identity), subprotocols=[subprotocol], open_timeout=10, close_timeout=2), 10)
    station = cls(identity, ws, response_timeout=10)
    station.received = []
    station.held = {}
    loop = asyncio.create_task(station.start())
    return ws, station, loop


async def closed(ws, loop):
    loop.cancel()
    try:
        await asyncio.wait_for(ws.close(), 5)
    except Exception:
        pass


async def boot(station, version: str):
    if version == "1.6":
        answer = await station.call(call16.BootNotification(charge_point_vendor="PyVendor", charge_point_model="PyModel"), suppress=False)
    else:
        answer = await station.call(call201.BootNotification(
            charging_station={"model": "PyModel", "vendor_name": "PyVendor"}, reason="PowerUp"), suppress=False)
    assert answer.status == "Accepted"


@pytest.fixture
def smart_gateway(pilegate_bin, fresh_workdir):
    gw = start_gateway(pilegate_bin, fresh_workdir, extra_args=("--api-token", TOKEN))
    try:
        yield gw
    finally:
        gw.stop()


def test_16_profiles_reach_the_library_and_the_record_follows(smart_gateway):
    identity = unique("PY16-SC")

    async def scenario():
        ws, station, loop = await connected(smart_gateway, Station16, identity, "ocpp1.6")
        try:
            await boot(station, "1.6")
            recurring = {"chargingProfileId": 31, "stackLevel": 1, "chargingProfilePurpose": "ChargePointMaxProfile",
                         "chargingProfileKind": "Recurring", "recurrencyKind": "Daily",
                         "chargingSchedule": {"startSchedule": now_iso(-3600), "duration": 86400, "chargingRateUnit": "W",
                                              "minChargingRate": 1400.0,
                                              "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000.0, "numberPhases": 3},
                                                                         {"startPeriod": 28800, "limit": 7400.0, "numberPhases": 1}]}}
            relative = {"chargingProfileId": 32, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
                        "chargingProfileKind": "Relative",
                        "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}]}}
            for connector, body in ((0, recurring), (1, relative)):
                status, answer = await api(smart_gateway, "POST", f"/api/chargepoints/{identity}/charging-profiles",
                                           {"connectorId": connector, "csChargingProfiles": body})
                assert status == 200 and answer["response"] == {"status": "Accepted"}, answer
            assert [(name, args["connectorId"]) for name, args in station.received] == [("SetChargingProfile", 0), ("SetChargingProfile", 1)]
            assert station.received[0][1]["profile"]["recurrency_kind"] == "Daily"
            _, held = await api(smart_gateway, "GET", f"/api/chargepoints/{identity}/charging-profiles")
            assert {p["chargingProfileId"]: p["purpose"] for p in held} == {31: "ChargePointMaxProfile", 32: "TxDefaultProfile"}, held
            assert all(p["source"] is None and p["reportedAt"] is None for p in held), "set here, never reported by a 1.6 pile"

            status, composite = await api(smart_gateway, "POST", f"/api/chargepoints/{identity}/commands/GetCompositeSchedule",
                                          {"connectorId": 1, "duration": 3600, "chargingRateUnit": "W"})
            assert status == 200 and composite["status"] == "Accepted", composite
            assert composite["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"] == 7400.0

            status, cleared = await api(smart_gateway, "POST", f"/api/chargepoints/{identity}/commands/ClearChargingProfile",
                                        {"chargingProfilePurpose": "ChargePointMaxProfile"})
            assert (status, cleared) == (200, {"status": "Accepted"}), cleared
            assert station.received[-1] == ("ClearChargingProfile", {"charging_profile_purpose": "ChargePointMaxProfile"})
            _, held = await api(smart_gateway, "GET", f"/api/chargepoints/{identity}/charging-profiles")
            assert [p["chargingProfileId"] for p in held] == [32], held
        finally:
            await closed(ws, loop)

    asyncio.run(asyncio.wait_for(scenario(), TEST_TIMEOUT))


def test_201_profiles_reports_limits_and_ev_needs(smart_gateway):
    identity = unique("PY201-SC")

    async def scenario():
        ws, station, loop = await connected(smart_gateway, Station201, identity, "ocpp2.0.1")
        try:
            await boot(station, "2.0.1")
            for profile_id in (41, 42):
                status, answer = await api(smart_gateway, "POST", f"/api/chargepoints/{identity}/charging-profiles",
                                           {"evseId": 1, "chargingProfile": profile201(profile_id, stack=profile_id)})
                assert status == 200 and answer["response"] == {"status": "Accepted"}, answer
            assert [name for name, _ in station.received] == ["SetChargingProfile"] * 2

            status, composite = await api(smart_gateway, "POST", f"/api/chargepoints/{identity}/commands/GetCompositeSchedule",
                                          {"duration": 600, "evseId": 1, "chargingRateUnit": "A"})
            assert status == 200 and composite["schedule"]["evseId"] == 1, composite

            # The station forgets 42 on its own: a clear through the gateway keeps both in step.
            status, cleared = await api(smart_gateway, "POST", f"/api/chargepoints/{identity}/commands/ClearChargingProfile",
                                        {"chargingProfileId": 42})
            assert (status, cleared) == (200, {"status": "Accepted"}), cleared
            _, held = await api(smart_gateway, "GET", f"/api/chargepoints/{identity}/charging-profiles")
            assert [p["chargingProfileId"] for p in held] == [41], held
            # …and one the gateway never heard of goes: set here but not on the station.
            station.held.pop(41)
            station.held[43] = camel(profile201(43, stack=3, limit=10.0))

            status, answer = await api(smart_gateway, "POST", f"/api/chargepoints/{identity}/commands/GetChargingProfiles",
                                       {"requestId": 2024, "chargingProfile": {}})
            assert (status, answer) == (200, {"status": "Accepted"}), answer

            async def profiles():
                return (await api(smart_gateway, "GET", f"/api/chargepoints/{identity}/charging-profiles"))[1]
            held = await until(profiles, lambda rows: {p["chargingProfileId"] for p in rows} == {43, 900}, "the reports in the record")
            by_id = {p["chargingProfileId"]: p for p in held}
            assert by_id[900]["source"] == "EMS" and by_id[900]["connectorId"] == 0, by_id[900]
            assert by_id[900]["purpose"] == "ChargingStationExternalConstraints"
            assert by_id[43]["source"] == "CSO" and by_id[43]["reportedAt"], by_id[43]
            assert by_id[43]["profile"]["chargingSchedule"][0]["chargingSchedulePeriod"][0]["limit"] == 10.0

            await station.call(call201.NotifyChargingLimit(
                charging_limit={"chargingLimitSource": "EMS", "isGridCritical": True}, evse_id=1,
                charging_schedule=[{"id": 5, "chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7000.0}]}]),
                suppress=False)
            needs = await station.call(call201.NotifyEVChargingNeeds(evse_id=1, charging_needs={
                "requestedEnergyTransfer": "AC_three_phase", "departureTime": now_iso(5400),
                "acChargingParameters": {"energyAmount": 30000, "evMinCurrent": 6, "evMaxCurrent": 32, "evMaxVoltage": 400}}),
                suppress=False)
            assert needs.status == "Accepted"
            schedule = await station.call(call201.NotifyEVChargingSchedule(time_base=now_iso(), evse_id=1, charging_schedule={
                "id": 9, "chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6500.0}]}), suppress=False)
            assert schedule.status == "Accepted"

            _, view = await api(smart_gateway, "GET", f"/api/chargepoints/{identity}")
            assert [(l["evseId"], l["source"], l["isGridCritical"]) for l in view["chargingLimits"]] == [(1, "EMS", True)], view
            assert view["chargingLimits"][0]["chargingSchedule"][0]["chargingSchedulePeriod"][0]["limit"] == 7000.0
            ev = view["evChargingNeeds"][0]
            assert (ev["evseId"], ev["energyAmountWh"], ev["evMaxCurrentA"], ev["evMaxVoltageV"]) == (1, 30000, 32, 400), ev
            _, notices = await api(smart_gateway, "GET", f"/api/chargepoints/{identity}/notices")
            assert [n["kind"] for n in notices][:3] == ["evChargingSchedule", "evChargingNeeds", "chargingLimit"], notices

            await station.call(call201.ClearedChargingLimit(charging_limit_source="EMS", evse_id=1), suppress=False)
            _, view = await api(smart_gateway, "GET", f"/api/chargepoints/{identity}")
            assert view["chargingLimits"] == [], view
            findings = [f["rule"] for f in smart_gateway.findings_in_store(identity)]
            assert findings == [], findings
        finally:
            await closed(ws, loop)

    asyncio.run(asyncio.wait_for(scenario(), TEST_TIMEOUT))


# Site load management: a 1.6 and a 2.0.1 charge point of one site start charging; the
# gateway's TxProfiles keep the site under its grid limit (docs/load-management.md).

SITE_LIMIT_KW = 22.0
SITE_MARGIN_PERCENT = 5.0


def site_config(ids: tuple[str, str]) -> str:
    piles = "\n".join(f"  - id: {i}\n    station: SITE-PY\n    maxPowerKW: 22\n    current: ac" for i in ids)
    return f"""\
# Written by test_smart_charging_interop.py
acceptUnknownIdTags: true
chargePoints:
{piles}
sites:
  - id: SITE-PY
    gridLimitKW: {SITE_LIMIT_KW}
    marginPercent: {SITE_MARGIN_PERCENT}
    thresholdKW: 0.5
"""


def limit_kw(profile: dict) -> float:
    """The first period's limit of a TxProfile the library handed over (snake_case keys), in kW."""
    schedule = profile["charging_schedule"]
    schedule = schedule[0] if isinstance(schedule, list) else schedule
    period = schedule["charging_schedule_period"][0]
    limit = float(period["limit"])  # the library hands some versions' decimals over as Decimal
    if schedule["charging_rate_unit"] == "W":
        return limit / 1000
    return limit * 230 * int(period.get("number_phases", 3)) / 1000


def test_a_site_shares_its_grid_limit_between_a_16_and_a_201_charge_point(pilegate_bin, fresh_workdir):
    ids = (unique("PY16-SITE"), unique("PY201-SITE"))
    try:
        gw = start_gateway(pilegate_bin, fresh_workdir, config=site_config(ids), extra_args=("--api-token", TOKEN))
    except RuntimeError as error:
        pytest.skip(f"site load management is not in this gateway (the `sites:` configuration was refused): {error}")

    async def scenario():
        ws16, cp16, loop16 = await connected(gw, Station16, ids[0], "ocpp1.6")
        ws201, cp201, loop201 = await connected(gw, Station201, ids[1], "ocpp2.0.1")
        try:
            await boot(cp16, "1.6")
            await boot(cp201, "2.0.1")
            await cp16.call(call16.StatusNotification(connector_id=1, error_code="NoError", status="Preparing"), suppress=False)
            started = await cp16.call(call16.StartTransaction(connector_id=1, id_tag="PY-SITE-16", meter_start=0, timestamp=now_iso()), suppress=False)
            assert started.id_tag_info["status"] == "Accepted"
            await cp201.call(call201.TransactionEvent(
                event_type="Started", timestamp=now_iso(), trigger_reason="Authorized", seq_no=0,
                transaction_info={"transactionId": "PY-SITE-TX", "chargingState": "Charging"},
                id_token={"idToken": "PY-SITE-201", "type": "ISO14443"}, evse={"id": 1, "connectorId": 1}), suppress=False)

            def tx_profiles(station):
                return [args["profile"] for name, args in station.received
                        if name == "SetChargingProfile" and args["profile"]["charging_profile_purpose"] == "TxProfile"]

            async def both():
                return tx_profiles(cp16), tx_profiles(cp201)
            p16, p201 = await until(both, lambda got: got[0] and got[1], "a TxProfile on each charge point", timeout=20)
            assert p16[-1].get("transaction_id") == started.transaction_id, p16[-1]
            assert p201[-1].get("transaction_id") == "PY-SITE-TX", p201[-1]
            total = limit_kw(p16[-1]) + limit_kw(p201[-1])
            assert total <= SITE_LIMIT_KW * (1 - SITE_MARGIN_PERCENT / 100) + 0.01, (total, p16[-1], p201[-1])
            # The gateway stores the profile once the pile's answer is in: wait for it (bounded).
            async def held_profiles():
                return await api(gw, "GET", f"/api/chargepoints/{ids[0]}/charging-profiles")
            await until(held_profiles, lambda got: got[0] == 200 and any(p["purpose"] == "TxProfile" for p in got[1]),
                        "the accepted TxProfile among the pile's stored profiles", timeout=10)
        finally:
            await closed(ws16, loop16)
            await closed(ws201, loop201)

    try:
        asyncio.run(asyncio.wait_for(scenario(), TEST_TIMEOUT))
    finally:
        gw.stop()
