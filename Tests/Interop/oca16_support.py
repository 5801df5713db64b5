"""Support for the OCA OCPP 1.6 CSMS acceptance cases (test_oca_csms_v16*.py).

The PyPI `ocpp` package's schemas check every CALL the gateway sends; the charge point
below records each one as it came off the wire (camelCase, exactly as sent) and answers
with what the case needs. The CSMS side is driven ONLY through the gateway's HTTP API:
`Drive` holds every endpoint these cases use, so the endpoints the other branches are
(firmware jobs, the gateway's local list, the charging-profile store) in one place. Every wait is bounded; only 127.0.0.1 is used.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import websockets
from ocpp.exceptions import OCPPError
from ocpp.messages import Call, CallResult, validate_payload
from ocpp.v16 import ChargePoint, call

from conftest import BLOCKED_TAG, EXPIRED_TAG, HEARTBEAT_INTERVAL, INVALID_TAG, running, start_gateway

TOKEN = "oca-csms-v16-token"
CASE_TIMEOUT = 45.0  # one case's whole scenario, seconds
WAIT = 10.0  # one expected frame / HTTP state
HTTP_TIMEOUT = 20.0

VALID_TAG = "OCA-VALID-1"
VALID_TAG_2 = "OCA-VALID-2"
PARENT_TAG = "OCA-GROUP-1"
CHILD_TAG_1 = "OCA-CHILD-1"  # parentIdTag OCA-GROUP-1
CHILD_TAG_2 = "OCA-CHILD-2"  # parentIdTag OCA-GROUP-1
CONNECTOR = 1

OCA_YAML = f"""\
# Written by Tests/Interop/oca16_support.py
heartbeatInterval: {HEARTBEAT_INTERVAL}
acceptUnknownIdTags: true
dataTransferVendors: ["com.pilegate.test"]
idTags:
  - idTag: {VALID_TAG}
  - idTag: {VALID_TAG_2}
  - idTag: {PARENT_TAG}
  - idTag: {CHILD_TAG_1}
    parentIdTag: {PARENT_TAG}
  - idTag: {CHILD_TAG_2}
    parentIdTag: {PARENT_TAG}
  - idTag: {BLOCKED_TAG}
    status: Blocked
  - idTag: {EXPIRED_TAG}
    status: Accepted
    expiryDate: "2020-01-01T00:00:00Z"
  - idTag: {INVALID_TAG}
    status: Invalid
"""


def now_iso(offset_seconds: float = 0) -> str:
    moment = datetime.now(timezone.utc) + timedelta(seconds=offset_seconds)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def unique(prefix: str) -> str:
    return f"OCA-{prefix}-{uuid.uuid4().hex[:6]}"


def fresh_tag() -> str:
    """An id tag of this case alone (the gateway accepts unknown tags), so a session another
    case left running is never ConcurrentTx here."""
    return f"T{uuid.uuid4().hex[:12].upper()}"


def run(scenario) -> None:
    asyncio.run(asyncio.wait_for(scenario, timeout=CASE_TIMEOUT))


# ---------------------------------------------------------------------------------------
# The HTTP API, in one place


class Api:
    """The gateway's HTTP API with the operator token; `a*` variants run in a thread so the
    charge point's loop answers the CALL the request makes the gateway send."""

    def __init__(self, gateway):
        self.gateway = gateway

    def request(self, method: str, path: str, body=None) -> tuple[int, object]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.gateway.http_base + path, data=data, method=method,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw)
            except ValueError:
                return error.code, raw.decode(errors="replace")

    def raw(self, method: str, path: str, data: bytes, token: bool = True) -> tuple[int, object]:
        """A request with a raw body (a file), answered as JSON when it is JSON."""
        headers = {"Content-Type": "application/octet-stream"}
        if token:
            headers["Authorization"] = f"Bearer {TOKEN}"
        request = urllib.request.Request(self.gateway.http_base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
                raw, status = response.read(), response.status
        except urllib.error.HTTPError as error:
            raw, status = error.read(), error.code
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw

    def get(self, path: str):
        status, body = self.request("GET", path)
        assert status == 200, f"GET {path}: {status} {body}"
        return body

    async def a(self, method: str, path: str, body=None) -> tuple[int, object]:
        return await asyncio.to_thread(self.request, method, path, body)

    def history(self, identity: str) -> list[dict]:
        """The pile's command history, oldest first."""
        return list(reversed(self.get(f"/api/chargepoints/{identity}/commands?limit=1000")))

    async def until(self, fetch, predicate, what: str, timeout: float = WAIT):
        """Polls fetch() (bounded) until predicate(value) holds; returns the value."""
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            value = await asyncio.to_thread(fetch)
            if predicate(value):
                return value
            await asyncio.sleep(0.1)
        raise AssertionError(f"timed out after {timeout} s waiting for {what}; last: {value!r}")


class Drive:
    """How each CSMS operation is triggered over HTTP: the operator's endpoints, and the
    generic command surface (`command`) where a case sends a raw message whose fields no
    operator endpoint expresses (OCA_CASES.md says which)."""

    def __init__(self, api: Api):
        self.api = api

    def cmd_path(self, cp: str, action: str) -> str:
        return f"/api/chargepoints/{cp}/commands/{action}"

    async def command(self, cp: str, action: str, payload: dict):
        return await self.api.a("POST", self.cmd_path(cp, action), payload)

    async def remote_start(self, cp: str, id_tag: str, connector: int | None = CONNECTOR, profile: dict | None = None):
        body = {"idTag": id_tag}
        if connector is not None:
            body["connectorId"] = connector
        if profile is not None:
            body["chargingProfile"] = profile
        return await self.api.a("POST", f"/api/chargepoints/{cp}/remote-start", body)

    async def remote_stop(self, session_id: int):
        return await self.api.a("POST", f"/api/sessions/{session_id}/stop", {})

    async def read_configuration(self, cp: str, keys: list[str] | None = None):
        query = f"?key={','.join(keys)}" if keys else ""
        return await self.api.a("GET", f"/api/chargepoints/{cp}/configuration{query}")

    async def change_configuration(self, cp: str, key: str, value: str):
        return await self.api.a("PUT", f"/api/chargepoints/{cp}/configuration/{key}", {"value": value})

    async def reserve(self, cp: str, id_tag: str, connector: int = CONNECTOR, seconds: float = 600):
        return await self.api.a("POST", "/api/reservations", {
            "chargePointId": cp, "connectorId": connector, "idTag": id_tag, "expiryDate": now_iso(seconds)})

    async def cancel_reservation(self, reservation_id: int):
        return await self.api.a("DELETE", f"/api/reservations/{reservation_id}")

    # Local Auth List: the gateway's own list for the pile, set then synced
    async def put_local_list(self, cp: str, entries: list[dict]):
        return await self.api.a("PUT", f"/api/chargepoints/{cp}/local-list", {"entries": entries})

    async def sync_local_list(self, cp: str, update_type: str | None = None):
        body = {} if update_type is None else {"updateType": update_type}
        return await self.api.a("POST", f"/api/chargepoints/{cp}/local-list/sync", body)

    async def get_local_list_version(self, cp: str):
        return await self.api.a("GET", f"/api/chargepoints/{cp}/local-list/version")

    def local_list(self, cp: str) -> dict:
        return self.api.get(f"/api/chargepoints/{cp}/local-list")

    # Firmware Management: firmware the gateway hosts (/files/firmware/…), jobs, uploads
    async def upload_firmware(self, name: str, data: bytes):
        return await asyncio.to_thread(self.api.raw, "POST", f"/api/firmware?name={name}", data)

    async def update_firmware(self, cp: str, file_name: str | None = None, location: str | None = None,
                              retries: int | None = None):
        body = {"fileName": file_name} if file_name is not None else {"location": location}
        body["retrieveDate"] = now_iso()
        if retries is not None:
            body["retries"] = retries
        return await self.api.a("POST", f"/api/chargepoints/{cp}/firmware-update", body)

    async def get_diagnostics(self, cp: str):
        return await self.api.a("POST", f"/api/chargepoints/{cp}/diagnostics", {})

    def job(self, job_id: int) -> dict:
        return self.api.get(f"/api/jobs/{job_id}")

    def jobs(self, cp: str) -> list[dict]:
        return self.api.get(f"/api/chargepoints/{cp}/jobs?limit=100")

    # Smart Charging: the gateway's store of the profiles piles accepted
    async def set_charging_profile(self, cp: str, connector: int, profile: dict):
        return await self.api.a("POST", f"/api/chargepoints/{cp}/charging-profiles",
                                {"connectorId": connector, "csChargingProfiles": profile})

    def charging_profiles(self, cp: str) -> list[dict]:
        return self.api.get(f"/api/chargepoints/{cp}/charging-profiles")

    def notices(self, cp: str, kind: str) -> list[dict]:
        return self.api.get(f"/api/chargepoints/{cp}/notices?kind={kind}&limit=100")


# ---------------------------------------------------------------------------------------
# A loopback file server: firmware to download, diagnostics to upload


class FileServer:
    """Serves GET /fw/NAME from `files` and takes PUT/POST uploads into `uploads`."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.uploads: dict[str, bytes] = {}
        self.downloads: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                name = self.path.rsplit("/", 1)[-1]
                outer.downloads.append(self.path)
                body = outer.files.get(name)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def do_PUT(self):
                length = int(self.headers.get("Content-Length") or 0)
                outer.uploads[self.path.rsplit("/", 1)[-1]] = self.rfile.read(length)
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_PUT

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def http_get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def http_put(url: str, data: bytes) -> int:
    request = urllib.request.Request(url, data=data, method="PUT")
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status


# ---------------------------------------------------------------------------------------
# The charge point


class CallErrorReply:
    def __init__(self, code: str, description: str = ""):
        self.code, self.description = code, description


DEFAULT_REPLIES = {
    "CancelReservation": {"status": "Accepted"},
    "ChangeAvailability": {"status": "Accepted"},
    "ChangeConfiguration": {"status": "Accepted"},
    "ClearCache": {"status": "Accepted"},
    "ClearChargingProfile": {"status": "Accepted"},
    "DataTransfer": {"status": "Accepted"},
    "GetCompositeSchedule": {"status": "Accepted"},
    "GetConfiguration": {"configurationKey": [
        {"key": "HeartbeatInterval", "readonly": False, "value": "120"},
        {"key": "MeterValueSampleInterval", "readonly": False, "value": "60"},
        {"key": "NumberOfConnectors", "readonly": True, "value": "1"},
        {"key": "SupportedFeatureProfiles", "readonly": True,
         "value": "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger"},
    ]},
    "GetDiagnostics": {"fileName": "diagnostics.log"},
    "GetLocalListVersion": {"listVersion": 0},
    "RemoteStartTransaction": {"status": "Accepted"},
    "RemoteStopTransaction": {"status": "Accepted"},
    "ReserveNow": {"status": "Accepted"},
    "Reset": {"status": "Accepted"},
    "SendLocalList": {"status": "Accepted"},
    "SetChargingProfile": {"status": "Accepted"},
    "TriggerMessage": {"status": "Accepted"},
    "UnlockConnector": {"status": "Unlocked"},
    "UpdateFirmware": {},
}


class OcaChargePoint(ChargePoint):
    """Records every CALL the gateway sends (as on the wire), checks it against the `ocpp`
    package's 1.6 schema, and answers from `replies` (a payload, a callable of the request,
    or a CallErrorReply). CALLRESULTs to our own calls go to the library as usual."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.received: list[tuple[str, dict]] = []
        self.schema_errors: list[str] = []
        self.replies: dict[str, object] = {}
        self._taken: dict[str, int] = {}

    async def route_message(self, raw_msg):
        try:
            frame = json.loads(raw_msg)
        except ValueError:
            frame = None
        if not (isinstance(frame, list) and len(frame) == 4 and frame[0] == 2):
            return await super().route_message(raw_msg)
        _, unique_id, action, payload = frame
        self.received.append((action, json.loads(json.dumps(payload))))
        try:
            await validate_payload(Call(unique_id, action, json.loads(json.dumps(payload))), "1.6")
        except (OCPPError, NotImplementedError) as error:
            self.schema_errors.append(f"{action}: {error!r}")
            await self._send(json.dumps([4, unique_id, "FormationViolation", str(error)[:200], {}]))
            return
        reply = self.replies.get(action, DEFAULT_REPLIES.get(action))
        if callable(reply):
            reply = reply(payload)
        if reply is None or isinstance(reply, CallErrorReply):
            error = reply or CallErrorReply("NotImplemented", f"no reply for {action}")
            await self._send(json.dumps([4, unique_id, error.code, error.description, {}]))
            return
        await validate_payload(CallResult(unique_id, json.loads(json.dumps(reply)), action), "1.6")
        await self._send(json.dumps([3, unique_id, reply]))

    async def expect(self, action: str, timeout: float = WAIT) -> dict:
        """The next CALL `action` the gateway sent (each one is handed out once)."""
        deadline = time.monotonic() + timeout
        while True:
            for index in range(self._taken.get(action, 0), len(self.received)):
                if self.received[index][0] == action:
                    self._taken[action] = index + 1
                    return self.received[index][1]
            if time.monotonic() >= deadline:
                raise AssertionError(f"no {action} reached the charge point within {timeout} s; got {self.actions()}")
            await asyncio.sleep(0.02)

    def actions(self) -> list[str]:
        return [name for name, _ in self.received]

    # --- the charge point's own messages (each answered by the gateway; suppress=False) ---

    async def boot(self, vendor: str = "OcaVendor", firmware: str = "1.0.0"):
        return await self.call(call.BootNotification(
            charge_point_vendor=vendor, charge_point_model="OCA-16", firmware_version=firmware), suppress=False)

    async def status(self, state: str, connector: int = CONNECTOR, error_code: str = "NoError"):
        return await self.call(call.StatusNotification(
            connector_id=connector, error_code=error_code, status=state, timestamp=now_iso()), suppress=False)

    async def authorize(self, id_tag: str):
        return await self.call(call.Authorize(id_tag=id_tag), suppress=False)

    async def start_tx(self, id_tag: str, connector: int = CONNECTOR, meter: int = 1000, reservation_id: int | None = None,
                    timestamp: str | None = None):
        return await self.call(call.StartTransaction(
            connector_id=connector, id_tag=id_tag, meter_start=meter, timestamp=timestamp or now_iso(),
            reservation_id=reservation_id), suppress=False)

    async def stop_tx(self, transaction_id: int, meter: int = 5000, reason: str | None = None, id_tag: str | None = None,
                   timestamp: str | None = None):
        return await self.call(call.StopTransaction(
            transaction_id=transaction_id, meter_stop=meter, timestamp=timestamp or now_iso(), reason=reason,
            id_tag=id_tag), suppress=False)

    async def meter(self, transaction_id: int | None, wh: int, connector: int = CONNECTOR):
        return await self.call(call.MeterValues(connector_id=connector, transaction_id=transaction_id, meter_value=[{
            "timestamp": now_iso(), "sampledValue": [
                {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh", "context": "Sample.Periodic"}]}]),
            suppress=False)

    async def heartbeat(self):
        return await self.call(call.Heartbeat(), suppress=False)

    # --- reusable states ---

    async def booted(self):
        """Reusable state Booted: BootNotification Accepted, connector 0 and 1 Available."""
        answer = await self.boot()
        assert answer.status == "Accepted", answer
        await self.status("Available", 0)
        await self.status("Available", CONNECTOR)
        return answer

    async def charging(self, id_tag: str | None = None, reservation_id: int | None = None, authorize: bool = True):
        """Reusable state Charging: (Authorize,) Preparing, StartTransaction, Charging."""
        id_tag = id_tag or fresh_tag()
        if authorize:
            assert (await self.authorize(id_tag)).id_tag_info["status"] == "Accepted"
        await self.status("Preparing")
        started = await self.start_tx(id_tag, reservation_id=reservation_id)
        assert started.id_tag_info["status"] == "Accepted", started
        await self.status("Charging")
        return started.transaction_id


@asynccontextmanager
async def charge_point(gateway, identity: str):
    ws = await asyncio.wait_for(
        websockets.connect(gateway.ws_url(identity), subprotocols=["ocpp1.6"], open_timeout=WAIT, close_timeout=2), WAIT)
    cp = OcaChargePoint(identity, ws, response_timeout=WAIT)
    async with running(cp, ws):
        yield cp
    assert not cp.schema_errors, f"the gateway sent CALLs the ocpp package's 1.6 schemas refuse: {cp.schema_errors}"


# ---------------------------------------------------------------------------------------
# What the cases assert on the CSMS's records


def recorded(ctx, identity, action, payload=None, response=None, outcome="answered"):
    """The command history has `action` with this payload, the pile's response and outcome."""
    entry = ctx.last_command(identity, action)
    assert entry["outcome"] == outcome, entry
    assert entry["issuedBy"].startswith("token:") and "oca-csms" not in entry["issuedBy"], entry
    if payload is not None:
        assert entry["payload"] == payload, entry
    if response is not None:
        assert entry["response"] == response, entry
    return entry


async def session_of(ctx, identity, predicate, what):
    sessions = await ctx.api.until(lambda: ctx.sessions(identity), lambda s: any(predicate(x) for x in s), what)
    return next(x for x in sessions if predicate(x))


# ---------------------------------------------------------------------------------------
# Fixtures, imported by the case modules


@pytest.fixture(scope="module")
def oca(pilegate_bin, tmp_path_factory):
    """One gateway per module, with the operator token, the cases' id tags and a file server."""
    workdir = Path(tmp_path_factory.mktemp("oca16"))
    gw = start_gateway(pilegate_bin, workdir, config=OCA_YAML, extra_args=("--api-token", TOKEN))
    files = FileServer()
    try:
        api = Api(gw)
        yield Context(gw, api, Drive(api), files)
    finally:
        files.close()
        gw.stop()


class Context:
    def __init__(self, gateway, api: Api, drive: Drive, files: FileServer):
        self.gateway, self.api, self.drive, self.files = gateway, api, drive, files

    def cp(self, identity: str):
        return charge_point(self.gateway, identity)

    def last_command(self, identity: str, action: str) -> dict:
        """The newest history entry for `action`, its payload and response read as JSON."""
        found = [dict(entry) for entry in self.api.history(identity) if entry["action"] == action]
        assert found, f"no {action} in {identity}'s command history: {[e['action'] for e in self.api.history(identity)]}"
        entry = found[-1]
        for field in ("payload", "response"):
            if isinstance(entry.get(field), str):
                entry[field] = json.loads(entry[field])
        return entry

    def sessions(self, identity: str) -> list[dict]:
        return self.api.get(f"/api/sessions?chargePoint={identity}&limit=100")

    def session(self, session_id: int) -> dict:
        return self.api.get(f"/api/sessions/{session_id}")

    def pile(self, identity: str) -> dict:
        return self.api.get(f"/api/chargepoints/{identity}")

    def connector_status(self, identity: str, connector: int = CONNECTOR) -> str | None:
        status, pile = self.api.request("GET", f"/api/chargepoints/{identity}")
        if status != 200:
            return None
        for entry in pile.get("connectors", []):
            if entry.get("connectorId") == connector:
                return entry.get("status")
        return None
