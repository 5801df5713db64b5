"""Interop tests of `pilegate relay`: the PyPI `ocpp` package plays both ends. The pile (an
`ocpp` charge point) connects to the relay; behind it an independent CSMS (`websockets.serve`
with `ocpp` ChargePoint subclasses in the central-system role) records every frame it gets,
so delivery (once, in order, with the pile's own message ids and bytes) is judged by a party
that shares no code with PileGate.

Each test starts its own relay (conftest.start_gateway with command="relay") and CSMS on
127.0.0.1; every wait is bounded and both are stopped afterwards. The relay's stderr is
printed at teardown, so pytest shows it when a test fails.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import ssl
import subprocess
import uuid
from collections import namedtuple
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest
import websockets
from ocpp.exceptions import OCPPError
from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16, call as call16, call_result as result16
from ocpp.v201 import ChargePoint as ChargePoint201, call as call201, call_result as result201

from conftest import HOST, free_port, running, start_gateway, wait_until

TIMEOUT = 90.0  # one test's whole async scenario
DELIVERY_TIMEOUT = 40.0  # queued messages reaching the restarted CSMS (the relay retries every <= 2 s here)
BOOT_INTERVAL = 123  # only the CSMS answers with it: a pile seeing it got the CSMS's answer
LOCAL_TX_FLOOR = 1_900_000_000  # relay-local 1.6 transaction ids start here
CONNECTED = "pilegate_relay_upstream_connected"
RELAY_METRICS = (CONNECTED, "pilegate_relay_queued_messages", "pilegate_relay_upstream_latency_seconds",
                 "pilegate_relay_upstream_errors_total")

Received = namedtuple("Received", "identity message_id action payload raw")  # one CALL at the CSMS
Handshake = namedtuple("Handshake", "path offered authorization chosen")  # one upgrade request at the CSMS


def run(scenario) -> None:
    asyncio.run(asyncio.wait_for(scenario, TIMEOUT))


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def until(predicate, timeout: float, what: str):
    """conftest.wait_until in a thread, so the piles' and the CSMS's receive loops keep running."""
    return await asyncio.to_thread(wait_until, predicate, timeout, 0.1, what)


class Recording:
    """Keeps every raw frame this end received and sent, to compare bytes and ids across the relay."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.received: list[str] = []
        self.sent: list[str] = []

    async def route_message(self, raw_msg):
        self.received.append(raw_msg)
        await super().route_message(raw_msg)

    async def _send(self, message):
        self.sent.append(message)
        await super()._send(message)


def frame(frames: list[str], kind: int, message_id: str) -> str | None:
    """The raw frame of type `kind` (2 CALL, 3 CALLRESULT) with `message_id`."""
    return next((raw for raw in frames if json.loads(raw)[:2] == [kind, message_id]), None)


@dataclass
class Backend:
    """The independent CSMS. It records every CALL and upgrade it receives (across restarts)
    and can be stopped (server and connections closed) and started again on the same port."""

    port: int
    versions: tuple[str, ...] = ("ocpp1.6", "ocpp2.0.1")
    ssl_context: ssl.SSLContext | None = None
    calls: list[Received] = field(default_factory=list)
    handshakes: list[Handshake] = field(default_factory=list)
    piles: dict = field(default_factory=dict)  # identity -> the CSMS's ChargePoint on its latest connection
    tx_for: dict = field(default_factory=dict)  # StartTransaction message id -> the transactionId given
    server: object = None

    async def start(self):
        self.server = await websockets.serve(self.serve_pile, HOST, self.port, subprotocols=list(self.versions),
                                             ssl=self.ssl_context, open_timeout=10, close_timeout=2)

    async def stop(self):
        if self.server is not None:
            self.server.close()
            await asyncio.wait_for(self.server.wait_closed(), 10)
            self.server = None

    async def serve_pile(self, ws):
        headers, identity = ws.request.headers, ws.request.path.rsplit("/", 1)[-1]
        offered = [p.strip() for value in headers.get_all("Sec-WebSocket-Protocol") for p in value.split(",")]
        self.handshakes.append(Handshake(ws.request.path, offered, headers.get("Authorization"), ws.subprotocol))
        cp = (Csms16 if ws.subprotocol == "ocpp1.6" else Csms201)(identity, ws, response_timeout=10)
        cp.backend, self.piles[identity] = self, cp
        try:
            await cp.start()
        except websockets.ConnectionClosed:
            pass

    def ids(self, identity: str) -> list[str]:
        return [c.message_id for c in self.calls if c.identity == identity]

    def allocate(self, message_id: str) -> int:
        self.tx_for[message_id] = 500 + len(self.tx_for)
        return self.tx_for[message_id]


@asynccontextmanager
async def csms(port: int, started: bool = True, **options):
    """A Backend for the block (started at once unless `started` is False), always stopped afterwards."""
    backend = Backend(port, **options)
    if started:
        await backend.start()
    try:
        yield backend
    finally:
        await backend.stop()


class Csms(Recording):
    """A central system that accepts everything and files each CALL with its Backend;
    `results` is the version's call_result module."""
    async def route_message(self, raw_msg):
        message = json.loads(raw_msg)
        if message[0] == 2:
            self.backend.calls.append(Received(self.id, *message[1:4], raw_msg))
        await super().route_message(raw_msg)
    @on("BootNotification")
    async def on_boot(self, **_): return self.results.BootNotification(current_time=now_iso(), interval=BOOT_INTERVAL, status="Accepted")
    @on("Heartbeat")
    async def on_heartbeat(self, **_): return self.results.Heartbeat(current_time=now_iso())
    @on("StatusNotification")
    async def on_status(self, **_): return self.results.StatusNotification()
    @on("MeterValues")
    async def on_meter_values(self, **_): return self.results.MeterValues()


class Csms16(Csms, ChargePoint16):
    """1.6: numbers transactions from 500."""
    results = result16
    @on("Authorize")
    async def on_authorize(self, **_): return result16.Authorize(id_tag_info={"status": "Accepted"})
    @on("StartTransaction")
    async def on_start(self, call_unique_id, **_):
        return result16.StartTransaction(transaction_id=self.backend.allocate(call_unique_id), id_tag_info={"status": "Accepted"})
    @on("StopTransaction")
    async def on_stop(self, **_): return result16.StopTransaction()


class Csms201(Csms, ChargePoint201):
    results = result201
    @on("Authorize")
    async def on_authorize(self, **_): return result201.Authorize(id_token_info={"status": "Accepted"})
    @on("TransactionEvent")
    async def on_transaction_event(self, **_): return result201.TransactionEvent()


class Pile16(Recording, ChargePoint16):
    @on("GetConfiguration")
    async def on_get_configuration(self, **_):
        return result16.GetConfiguration(configuration_key=[{"key": "HeartbeatInterval", "readonly": False, "value": "123"}])
    @on("RemoteStartTransaction")
    async def on_remote_start(self, **_): return result16.RemoteStartTransaction(status="Accepted")


class Pile201(Recording, ChargePoint201):
    @on("RequestStartTransaction")
    async def on_request_start(self, **_): return result201.RequestStartTransaction(status="Accepted")


@asynccontextmanager
async def pile(url: str, identity: str, kind=Pile16, subprotocols=("ocpp1.6",), headers=None, ssl_context=None):
    ws = await asyncio.wait_for(websockets.connect(url, subprotocols=list(subprotocols), additional_headers=headers or {},
                                                   ssl=ssl_context, open_timeout=10, close_timeout=2), 15)
    cp = kind(identity, ws, response_timeout=10)
    async with running(cp, ws):
        yield cp, ws


async def boot(cp) -> None:
    payload = (call16.BootNotification(charge_point_vendor="PyOCPP", charge_point_model="Relay") if isinstance(cp, ChargePoint16)
               else call201.BootNotification(charging_station={"model": "Relay", "vendor_name": "PyOCPP"}, reason="PowerUp"))
    answer = await cp.call(payload, suppress=False)
    assert (answer.status, answer.interval) == ("Accepted", BOOT_INTERVAL), "the CSMS's own answer reaches the pile"


@pytest.fixture
def relay(pilegate_bin, fresh_workdir):
    """Starts `pilegate relay --upstream URL` (the same URL in its YAML, retrying every 1–2 s so outages end quickly)."""
    started = []

    def start(upstream: str, config: str = "", extra: tuple[str, ...] = ()):
        yaml = f"upstream: {{url: '{upstream}', reconnectMinSeconds: 1, reconnectMaxSeconds: 2}}\n{config}"
        started.append(start_gateway(pilegate_bin, fresh_workdir, yaml, ("--upstream", upstream, *extra), command="relay",
                                     ready_path="/metrics"))
        return started[-1]

    yield start
    for gw in started:
        gw.stop()
        print(f"--- relay stderr (tail) ---\n{gw.stderr_tail(12000)}")


def metric(gw, name: str) -> float | None:
    """The sum of a metric's samples over all label sets; None when /metrics has no such sample."""
    samples = re.findall(rf"^{name}(?:{{[^}}]*}})? (\S+)", gw.http_get("/metrics")[1].decode(), re.M)
    return sum(map(float, samples)) if samples else None


async def outage(backend: Backend, gw) -> None:
    """Stops the CSMS and waits until the relay reports its upstream down, so the next frames
    meet the outage instead of racing it (the metric's presence is checked in the first test)."""
    await backend.stop()
    await until(lambda: metric(gw, CONNECTED) in (0.0, None), 10, f"{CONNECTED} = 0")


async def refused_locally(cp, payload) -> None:
    with pytest.raises(OCPPError) as refused:
        await cp.call(payload, suppress=False)
    assert refused.value.code == "InternalError", refused.value
    assert "reach" in str(refused.value.description).lower(), f"the description should say the backend is unreachable: {refused.value}"


async def delivered(backend: Backend, identity: str, expected: list[str]) -> None:
    """Waits for every id in `expected` at the CSMS, gives a duplicate time to show up, then
    checks each arrived exactly once and in the order the pile sent them."""
    await until(lambda: set(expected) <= set(backend.ids(identity)), DELIVERY_TIMEOUT, "every queued message at the CSMS")
    await asyncio.sleep(1.5)
    arrived = [i for i in backend.ids(identity) if i in set(expected)]
    assert arrived == expected, f"each answered message exactly once, in order:\n got {arrived}\nwant {expected}"


def test_v16_frames_pass_both_ways_and_both_legs_are_logged(relay):
    port, identity = free_port(), unique("R16")
    gw = relay(f"ws://{HOST}:{port}/ocpp")
    authorization = "Basic " + base64.b64encode(f"{identity}:relay-password-0123456789".encode()).decode()

    async def scenario():
        async with csms(port) as backend, pile(gw.ws_url(identity), identity, headers={"Authorization": authorization}) as (cp, ws):
            assert ws.subprotocol == "ocpp1.6"
            await boot(cp)
            assert backend.handshakes[-1][:3] == (f"/ocpp/{identity}", ["ocpp1.6"], authorization), "path, offer and login pass unchanged"
            central, boot_id = backend.piles[identity], json.loads(cp.sent[0])[1]
            assert central.received[0] == cp.sent[0], "the pile's CALL arrives byte for byte, same id"
            assert frame(cp.received, 3, boot_id) == frame(central.sent, 3, boot_id), "the CSMS's CALLRESULT too"
            answer = await central.call(call16.GetConfiguration(key=["HeartbeatInterval"]), suppress=False, unique_id="get-config-1")
            assert answer.configuration_key[0]["value"] == "123", "a backend CALL reaches the pile and its answer comes back"
            assert frame(cp.received, 2, "get-config-1") == frame(central.sent, 2, "get-config-1")
            assert frame(central.received, 3, "get-config-1") == frame(cp.sent, 3, "get-config-1")
            assert (await central.call(call16.RemoteStartTransaction(id_tag="REMOTE-1", connector_id=1), suppress=False)).status == "Accepted"
            text = gw.http_get("/metrics")[1].decode()
            assert all(name in text for name in RELAY_METRICS), [n for n in RELAY_METRICS if n not in text]
            assert (metric(gw, CONNECTED) or 0) >= 1, f"{CONNECTED} while the pile's upstream leg is up"
            legs = {(leg, message_id) for leg in ("in", "upstream-out", "upstream-in", "out") for message_id in (boot_id, "get-config-1")}
            log = f"/api/chargepoints/{identity}/messages?limit=100"
            await until(lambda: legs <= {(f["direction"], f.get("messageId")) for f in gw.get_json(log)}, 10, f"{sorted(legs)} in the message log")

    run(scenario())


def meter16(transaction_id: int, wh: int):
    sample = {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
    return call16.MeterValues(connector_id=1, transaction_id=transaction_id, meter_value=[{"timestamp": now_iso(), "sampled_value": [sample]}])


def test_v16_outage_queues_transactions_and_delivers_each_once_in_order(relay):
    port, identity = free_port(), unique("R16-OUT")
    gw = relay(f"ws://{HOST}:{port}/ocpp")
    expected: list[str] = []  # transactional CALLs the pile got a CALLRESULT for, in sending order

    async def scenario():
        async with csms(port) as backend, pile(gw.ws_url(identity), identity) as (cp, _):
            async def send(payload):
                message_id = unique("m")
                answer = await cp.call(payload, suppress=False, unique_id=message_id)
                expected.append(message_id)
                return answer

            await boot(cp)
            online = await send(call16.StartTransaction(connector_id=1, id_tag="TAG-ON", meter_start=1000, timestamp=now_iso()))
            assert online.transaction_id == backend.tx_for[expected[0]], "online, the CSMS answers StartTransaction"
            await outage(backend, gw)
            for wh in (1100, 1200, 1300):
                await send(meter16(online.transaction_id, wh))
            await send(call16.StopTransaction(meter_stop=1400, timestamp=now_iso(), transaction_id=online.transaction_id))
            beat = await cp.call(call16.Heartbeat(), suppress=False)
            assert datetime.fromisoformat(beat.current_time.replace("Z", "+00:00")).tzinfo is not None
            await cp.call(call16.StatusNotification(connector_id=1, error_code="NoError", status="Available"), suppress=False)
            await refused_locally(cp, call16.Authorize(id_tag="TAG-OFF"))
            offline = await send(call16.StartTransaction(connector_id=1, id_tag="TAG-OFF", meter_start=2000, timestamp=now_iso()))
            assert offline.transaction_id >= LOCAL_TX_FLOOR and offline.id_tag_info["status"] == "Accepted"
            await send(meter16(offline.transaction_id, 2100))
            await backend.start()
            # The pile keeps using the relay-local id after the backend is back.
            await send(call16.StopTransaction(meter_stop=2200, timestamp=now_iso(), transaction_id=offline.transaction_id))
            await delivered(backend, identity, expected)
        assert "Authorize" not in [c.action for c in backend.calls], "a CALL the pile got a CALLERROR for is not delivered later"
        sent_tx = {c.message_id: c.payload["transactionId"] for c in backend.calls if "transactionId" in c.payload}
        assert [sent_tx[i] for i in expected[1:5]] == [online.transaction_id] * 4
        assert [sent_tx[i] for i in expected[6:]] == [backend.tx_for[expected[5]]] * 2, "the relay-local id is rewritten"

    run(scenario())


def event201(kind: str, seq: int, ref: str, trigger: str, info: dict | None = None, **extra):
    return call201.TransactionEvent(event_type=kind, timestamp=now_iso(), trigger_reason=trigger, seq_no=seq,
                                    transaction_info={"transaction_id": ref, **(info or {})}, **extra)


def test_v201_through_the_relay_and_transaction_events_survive_an_outage(relay):
    port, identity, ref = free_port(), unique("R201"), unique("tx")
    gw = relay(f"ws://{HOST}:{port}/ocpp")
    energy = [{"timestamp": now_iso(), "sampled_value": [{"value": 2500.0, "measurand": "Energy.Active.Import.Register"}]}]
    queued = (
        event201("Started", 0, ref, "Authorized", {"charging_state": "Charging"}, evse={"id": 1, "connector_id": 1},
                 id_token={"id_token": "TAG-201", "type": "ISO14443"}),
        event201("Updated", 1, ref, "MeterValuePeriodic", meter_value=energy),
        call201.MeterValues(evse_id=1, meter_value=energy),
        event201("Ended", 2, ref, "EVDeparted", {"stopped_reason": "EVDisconnected"}),
    )
    expected = [unique("m") for _ in queued]

    async def scenario():
        async with csms(port) as backend, pile(gw.ws_url(identity), identity, Pile201, ("ocpp2.0.1",)) as (cp, ws):
            assert ws.subprotocol == "ocpp2.0.1"
            await boot(cp)
            remote = await backend.piles[identity].call(
                call201.RequestStartTransaction(id_token={"id_token": "REMOTE-201", "type": "Central"}, remote_start_id=7), suppress=False)
            assert remote.status == "Accepted", "a backend CALL reaches the station and its answer comes back"
            await outage(backend, gw)
            for payload, message_id in zip(queued, expected):
                await cp.call(payload, suppress=False, unique_id=message_id)
            await cp.call(call201.Heartbeat(), suppress=False)
            await refused_locally(cp, call201.Authorize(id_token={"id_token": "TAG-201", "type": "ISO14443"}))
            await backend.start()
            await delivered(backend, identity, expected)
            for message_id in expected:
                assert frame([c.raw for c in backend.calls], 2, message_id) == frame(cp.sent, 2, message_id), "byte for byte"
        events = [c.payload["eventType"] for c in backend.calls if c.action == "TransactionEvent"]
        assert events == ["Started", "Updated", "Ended"]

    run(scenario())


def test_both_legs_over_tls(relay, pilegate_bin, fresh_workdir):
    """The pile reaches the relay over wss:// (its TLS listener, `pilegate certs` PKI) and the relay
    reaches a Python TLS CSMS over wss://, verifying it against --upstream-ca."""
    made = subprocess.run([pilegate_bin, "certs", "--out", "pki"], cwd=fresh_workdir, capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    pki = fresh_workdir / "pki"
    port, tls_port, identity = free_port(), free_port(), unique("R16-TLS")
    listener = f"security:\n  tls: {{port: {tls_port}, certificate: pki/server.pem, key: pki/server-key.pem}}\n"
    relay(f"wss://{HOST}:{port}/ocpp", listener, ("--upstream-ca", str(pki / "ca.pem")))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(str(pki / "server.pem"), str(pki / "server-key.pem"))
    client = ssl.create_default_context(cafile=str(pki / "ca.pem"))

    async def scenario():
        async with csms(port, ssl_context=server) as backend:
            async with pile(f"wss://localhost:{tls_port}/ocpp/{identity}", identity, ssl_context=client) as (cp, _):
                await boot(cp)
            assert [c.action for c in backend.calls] == ["BootNotification"]

    run(scenario())


def test_subprotocol_is_negotiated_end_to_end(relay):
    """The CSMS speaks only 2.0.1: the relay offers it the pile's list in order and answers the
    pile with the CSMS's choice."""
    port, identity = free_port(), unique("R-NEG")
    gw = relay(f"ws://{HOST}:{port}/ocpp")

    async def scenario():
        async with csms(port, versions=("ocpp2.0.1",)) as backend:
            async with pile(gw.ws_url(identity), identity, Pile201, ("ocpp1.6", "ocpp2.0.1")) as (cp, ws):
                assert ws.subprotocol == "ocpp2.0.1"
                assert backend.handshakes[-1].offered == ["ocpp1.6", "ocpp2.0.1"]
                await boot(cp)

    run(scenario())


def test_a_pile_is_accepted_while_the_backend_is_down_and_reaches_it_later(relay):
    """Backend unreachable at connect: the relay negotiates itself (first offered supported
    version), refuses Boot locally, and keeps reconnecting until the CSMS is there."""
    port, identity = free_port(), unique("R-LATE")
    gw = relay(f"ws://{HOST}:{port}/ocpp")

    async def scenario():
        async with csms(port, started=False) as backend:
            async with pile(gw.ws_url(identity), identity, Pile16, ("ocpp1.6", "ocpp2.0.1")) as (cp, ws):
                assert ws.subprotocol == "ocpp1.6"
                await refused_locally(cp, call16.BootNotification(charge_point_vendor="PyOCPP", charge_point_model="Relay"))
                await backend.start()
                await until(lambda: identity in backend.piles, DELIVERY_TIMEOUT, "the relay's upstream connection for the pile")
                await boot(cp)

    run(scenario())
