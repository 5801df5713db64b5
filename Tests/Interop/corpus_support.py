"""What the deviant-pile corpora (test_deviant_corpus_v16.py, _v201.py) share: a raw
OCPP-J client, the gateway they run against, and how a case is judged."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest
import websockets

from conftest import start_gateway, wait_until

TOKEN = "corpus-token"
GROUP = "CORPUS-GROUP"
CORPUS_YAML = f"""\
# Written by Tests/Interop/test_deviant_corpus_v16.py
heartbeatInterval: 300
acceptUnknownIdTags: false
idTags:
  - {{idTag: CORPUS-A, parentIdTag: {GROUP}}}
  - {{idTag: CORPUS-B, parentIdTag: {GROUP}}}
  - {{idTag: CORPUS-C}}
  - {{idTag: CORPUS-BLOCKED, status: Blocked}}
"""

REPLY_TIMEOUT = 10.0


def stamp(t: float) -> str:
    return datetime.fromtimestamp(t, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Pile:
    """A raw OCPP-J client: CALLs with futures for their answers, and a responder for the
    gateway's CALLs (by default a well-formed NotImplemented)."""

    ws: object
    pending: dict = field(default_factory=dict)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    responder: object = None
    reader: asyncio.Task | None = None

    async def read(self):
        async for text in self.ws:
            frame = json.loads(text)
            if frame[0] in (3, 4) and frame[1] in self.pending:
                self.pending.pop(frame[1]).set_result(frame)
            elif frame[0] == 2:
                reply = self.responder(frame) if self.responder else [4, frame[1], "NotImplemented", "", {}]
                await self.ws.send(json.dumps(reply))

    def send(self, action: str, payload: dict) -> asyncio.Future:
        message_id = f"c{next(self.ids)}"
        future = asyncio.get_running_loop().create_future()
        self.pending[message_id] = future
        asyncio.ensure_future(self.ws.send(json.dumps([2, message_id, action, payload])))
        return future

    async def call(self, action: str, payload: dict):
        frame = await asyncio.wait_for(self.send(action, payload), REPLY_TIMEOUT)
        assert frame[0] == 3, f"{action} answered {frame}"
        return frame[2]

    async def boot(self):
        reply = await self.call("BootNotification", {"chargePointVendor": "CorpusVendor", "chargePointModel": "DC-50"})
        assert reply["status"] == "Accepted", reply

    async def status(self, connector: int, state: str, t: float, error: str = "NoError"):
        await self.call("StatusNotification", {"connectorId": connector, "errorCode": error, "status": state, "timestamp": stamp(t)})


async def connect(gateway, identity: str, version: str = "ocpp1.6") -> Pile:
    ws = await asyncio.wait_for(websockets.connect(gateway.ws_url(identity), subprotocols=[version], close_timeout=2), REPLY_TIMEOUT)
    pile = Pile(ws)
    pile.reader = asyncio.create_task(pile.read())
    return pile


async def close(pile: Pile):
    try:
        await asyncio.wait_for(pile.ws.close(), 5)
    except Exception:
        pass
    if pile.reader:
        pile.reader.cancel()


def value(v: float, measurand: str, unit: str, context: str = "Sample.Periodic", **extra) -> dict:
    return {"value": f"{v:.3f}" if isinstance(v, float) else str(v), "measurand": measurand, "unit": unit, "context": context, **extra}


def post(gateway, path: str, body: dict) -> int:
    request = urllib.request.Request(
        gateway.http_base + path, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def corpus_gateway(pilegate_bin, tmp_path_factory):
    gw = start_gateway(pilegate_bin, tmp_path_factory.mktemp("corpus"), config=CORPUS_YAML, extra_args=("--api-token", TOKEN))
    try:
        yield gw
    finally:
        gw.stop()


def judge(gateway, identity: str, rule: str | None) -> None:
    """The case's rule was recorded (unless it is a control) and nothing else was."""
    if rule is not None:
        wait_until(lambda: rule in {f["rule"] for f in gateway.findings_in_store(identity)}, 10.0, 0.1, f"{rule} on {identity}")
    # Findings are stored in batches: give the last ones a moment before judging "nothing else".
    time.sleep(0.5)
    found = gateway.findings_in_store(identity)
    assert sorted({f["rule"] for f in found}) == ([rule] if rule else []), json.dumps(found, indent=1)
