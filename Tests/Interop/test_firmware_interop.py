"""Firmware updates and diagnostics/log uploads through the gateway's job endpoints,
played by the PyPI `ocpp` package's charge points (1.6 and 2.0.1): the charge point is
sent UpdateFirmware / GetDiagnostics / GetLog with the gateway's own URLs, downloads the
firmware with urllib, uploads its file with urllib (multipart and raw PUT), reports its
statuses, and the job's history, uploads and files end as the charge point left them.
Every wait is bounded; the gateway is a real `pilegate serve` process on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import hashlib
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

TOKEN = "interop-firmware-token"
TEST_TIMEOUT = 60.0
FIRMWARE = b"version: 4.2.0\n" + bytes(range(256)) * 40


def api(gateway, method: str, path: str, body: bytes | None = None, content_type: str = "application/json",
        token: str | None = TOKEN) -> tuple[int, bytes]:
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(gateway.http_base + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def post_json(gateway, path: str, body: dict) -> tuple[int, dict]:
    status, raw = api(gateway, "POST", path, json.dumps(body).encode())
    return status, json.loads(raw)


def download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.read()


def upload_multipart(url: str, name: str, content: bytes) -> int:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return response.status


def upload_raw(url: str, content: bytes) -> int:
    request = urllib.request.Request(url, data=content, method="PUT", headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return response.status


async def wait_for_job(gateway, job_id: int, done) -> dict:
    deadline = time.monotonic() + 20
    job: dict = {}
    while time.monotonic() < deadline:
        status, raw = await asyncio.to_thread(api, gateway, "GET", f"/api/jobs/{job_id}")
        assert status == 200, raw
        job = json.loads(raw)
        if done(job):
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {job_id} did not end: {job}")


def pile_words(job: dict) -> list[str]:
    return [event["status"] for event in job["history"] if event["source"] == "pile"]


class Station16(ChargePoint16):
    """Downloads what UpdateFirmware names and uploads diagnostics where GetDiagnostics says."""

    downloaded: bytes = b""
    diagnostics: bytes = b"diagnostics of a python charge point\nline 2\n"

    @on(Action16.update_firmware)
    def update_firmware(self, location, retrieve_date, **_):
        asyncio.get_running_loop().create_task(self.install(location))
        return result16.UpdateFirmware()

    async def install(self, location: str):
        await self.call(call16.FirmwareStatusNotification(status="Downloading"))
        self.downloaded = await asyncio.to_thread(download, location)
        for status in ("Downloaded", "Installing", "Installed"):
            await self.call(call16.FirmwareStatusNotification(status=status))

    @on(Action16.get_diagnostics)
    def get_diagnostics(self, location, **_):
        asyncio.get_running_loop().create_task(self.upload(location))
        return result16.GetDiagnostics(file_name="py-diag.txt")

    async def upload(self, location: str):
        await self.call(call16.DiagnosticsStatusNotification(status="Uploading"))
        status = await asyncio.to_thread(upload_multipart, location, "py-diag.txt", self.diagnostics)
        assert status == 201
        await self.call(call16.DiagnosticsStatusNotification(status="Uploaded"))


class Station201(ChargePoint201):
    """The 2.0.1 side: UpdateFirmware and GetLog tied to their job by requestId."""

    downloaded: bytes = b""
    log: bytes = b"security log of a python station\n"

    @on(Action201.update_firmware)
    def update_firmware(self, request_id, firmware, **_):
        asyncio.get_running_loop().create_task(self.install(firmware["location"], request_id))
        return result201.UpdateFirmware(status="Accepted")

    async def install(self, location: str, request_id: int):
        await self.call(call201.FirmwareStatusNotification(status="Downloading", request_id=request_id))
        self.downloaded = await asyncio.to_thread(download, location)
        for status in ("Downloaded", "Installing", "Installed"):
            await self.call(call201.FirmwareStatusNotification(status=status, request_id=request_id))

    @on(Action201.get_log)
    def get_log(self, log, log_type, request_id, **_):
        asyncio.get_running_loop().create_task(self.upload(log["remote_location"], request_id))
        return result201.GetLog(status="Accepted", filename="py-security.log")

    async def upload(self, location: str, request_id: int):
        await self.call(call201.LogStatusNotification(status="Uploading", request_id=request_id))
        # The file name appended to the location, raw body: as some stations do.
        status = await asyncio.to_thread(upload_raw, location + "py-security.log", self.log)
        assert status == 201
        await self.call(call201.LogStatusNotification(status="Uploaded", request_id=request_id))


@pytest.fixture
def firmware_gateway(pilegate_bin, fresh_workdir):
    gw = start_gateway(pilegate_bin, fresh_workdir, extra_args=("--api-token", TOKEN))
    try:
        yield gw
    finally:
        gw.stop()


async def connected(gateway, cls, identity: str, subprotocol: str):
    ws = await asyncio.wait_for(
        websockets.connect(gateway.ws_url(identity), subprotocols=[subprotocol], open_timeout=10, close_timeout=2), 10)
    station = cls(identity, ws, response_timeout=10)
    loop = asyncio.create_task(station.start())
    return ws, station, loop


def test_16_charge_point_downloads_firmware_and_uploads_diagnostics(firmware_gateway):
    identity = f"PYFW16-{uuid.uuid4().hex[:6]}"
    status, raw = api(firmware_gateway, "POST", "/api/firmware?name=py-pile-4.2.0.bin", FIRMWARE, "application/octet-stream")
    assert status == 201, raw
    firmware = json.loads(raw)
    assert firmware["size"] == len(FIRMWARE)
    assert firmware["sha256"] == hashlib.sha256(FIRMWARE).hexdigest()
    assert firmware["url"].startswith(firmware_gateway.http_base + "/files/firmware/")

    async def scenario():
        ws, station, loop = await connected(firmware_gateway, Station16, identity, "ocpp1.6")
        try:
            await station.call(call16.BootNotification(charge_point_vendor="PyVendor", charge_point_model="PyModel"), suppress=False)
            status, job = await asyncio.to_thread(post_json, firmware_gateway, f"/api/chargepoints/{identity}/firmware-update",
                                                  {"fileName": "py-pile-4.2.0.bin", "retries": 3, "retryInterval": 5})
            assert status == 201, job
            assert job["request"]["location"] == firmware["url"]
            assert job["request"]["retries"] == 3
            job = await wait_for_job(firmware_gateway, job["id"], lambda j: j["status"] == "succeeded")
            assert pile_words(job) == ["Downloading", "Downloaded", "Installing", "Installed"]
            assert station.downloaded == FIRMWARE

            status, job = await asyncio.to_thread(post_json, firmware_gateway, f"/api/chargepoints/{identity}/diagnostics",
                                                  {"startTime": "2026-01-01T00:00:00Z"})
            assert status == 201, job
            assert job["fileName"] == "py-diag.txt"
            assert job["request"]["location"] == f"{firmware_gateway.http_base}/files/uploads/{job['id']}/"
            job = await wait_for_job(firmware_gateway, job["id"], lambda j: j["status"] == "succeeded" and j["uploads"])
            assert pile_words(job) == ["Uploading", "Uploaded"]
            assert job["uploads"][0]["name"] == "py-diag.txt"
            status, content = await asyncio.to_thread(api, firmware_gateway, "GET", job["uploads"][0]["download"])
            assert status == 200
            assert content == station.diagnostics
            assert job["uploads"][0]["sha256"] == hashlib.sha256(station.diagnostics).hexdigest()
            commands = json.loads(firmware_gateway.http_get(f"/api/chargepoints/{identity}/commands")[1])
            assert [entry["action"] for entry in commands] == ["GetDiagnostics", "UpdateFirmware"]
        finally:
            loop.cancel()
            await ws.close()

    asyncio.run(asyncio.wait_for(scenario(), TEST_TIMEOUT))


def test_201_station_updates_firmware_and_uploads_its_log_by_request_id(firmware_gateway):
    identity = f"PYFW201-{uuid.uuid4().hex[:6]}"
    status, raw = api(firmware_gateway, "POST", "/api/firmware?name=py-station-4.2.0.bin", FIRMWARE, "application/octet-stream")
    assert status == 201, raw

    async def scenario():
        ws, station, loop = await connected(firmware_gateway, Station201, identity, "ocpp2.0.1")
        try:
            await station.call(call201.BootNotification(
                charging_station={"model": "PyModel", "vendor_name": "PyVendor"}, reason="PowerUp"), suppress=False)
            status, job = await asyncio.to_thread(post_json, firmware_gateway, f"/api/chargepoints/{identity}/firmware-update",
                                                  {"fileName": "py-station-4.2.0.bin"})
            assert status == 201, job
            assert job["request"]["requestId"] == job["id"]
            assert job["request"]["firmware"]["location"].endswith("/files/firmware/py-station-4.2.0.bin")
            job = await wait_for_job(firmware_gateway, job["id"], lambda j: j["status"] == "succeeded")
            assert pile_words(job) == ["Downloading", "Downloaded", "Installing", "Installed"]
            assert station.downloaded == FIRMWARE

            status, job = await asyncio.to_thread(post_json, firmware_gateway, f"/api/chargepoints/{identity}/logs", {"logType": "SecurityLog"})
            assert status == 201, job
            assert job["request"]["requestId"] == job["id"] and job["request"]["logType"] == "SecurityLog"
            job = await wait_for_job(firmware_gateway, job["id"], lambda j: j["status"] == "succeeded" and j["uploads"])
            assert pile_words(job) == ["Uploading", "Uploaded"]
            status, content = await asyncio.to_thread(api, firmware_gateway, "GET", job["uploads"][0]["download"])
            assert (status, content) == (200, station.log)
            assert job["uploads"][0]["name"] == "py-security.log"
        finally:
            loop.cancel()
            await ws.close()

    asyncio.run(asyncio.wait_for(scenario(), TEST_TIMEOUT))


def test_uploads_to_unknown_jobs_and_traversing_names_are_refused(firmware_gateway):
    status, raw = api(firmware_gateway, "PUT", "/files/uploads/4242/x.txt", b"x", "text/plain", token=None)
    assert status == 404 and json.loads(raw)["error"]["code"] == "job_not_found"
    status, raw = api(firmware_gateway, "POST", "/api/firmware?name=..%2Fescape.bin", b"x", "application/octet-stream")
    assert status == 400 and json.loads(raw)["error"]["code"] == "invalid_file_name"
    status, raw = api(firmware_gateway, "GET", "/files/firmware/..%2F..%2Fpilegate.sqlite", token=None)
    assert status == 400
