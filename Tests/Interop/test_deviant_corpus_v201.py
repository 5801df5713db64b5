"""The deviant-pile corpus for OCPP 2.0.1 stations (see test_deviant_corpus_v16.py): a
transaction told in TransactionEvents, each deviant station differing from the clean
control in one way, every deviation under the one rule that names it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import pytest

from corpus_support import Pile, close, connect, corpus_gateway, judge, stamp  # noqa: F401 (fixture)

CASE_TIMEOUT = 30.0
POWER_W = 50_000.0
START_WH = 800_000.0


@dataclass
class Deviation:
    """How one station's transaction differs from the control (all off: the control)."""

    register_scale: float = 1.0  # 0.001: a kWh register labelled Wh
    jump_from_update: int | None = None
    negative_power: bool = False
    unavailable_before: bool = False
    second_started: bool = False
    skip_seq_no: bool = False
    update_after_ended: bool = False
    no_evse: bool = False
    started_by_remote_stop: bool = False


def sampled(wh: float, power: float, context: str) -> list:
    return [
        {"value": wh, "context": context, "measurand": "Energy.Active.Import.Register", "unitOfMeasure": {"unit": "Wh"}},
        {"value": power, "context": context, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "W"}},
    ]


async def status(pile: Pile, state: str, t: float) -> None:
    await pile.call("StatusNotification", {"timestamp": stamp(t), "connectorStatus": state, "evseId": 1, "connectorId": 1})


async def booted(gateway, identity: str) -> Pile:
    pile = await connect(gateway, identity, "ocpp2.0.1")
    reply = await pile.call("BootNotification", {"chargingStation": {"model": "DC-50", "vendorName": "CorpusVendor"}, "reason": "PowerUp"})
    assert reply["status"] == "Accepted", reply
    await status(pile, "Available", time.time() - 1600)
    return pile


async def transaction(pile: Pile, d: Deviation, ref: str = "TX-1") -> None:
    t0 = time.time() - 1500
    seq = iter(range(100))

    def register(seconds: float, update: int) -> float:
        wh = START_WH + POWER_W * seconds / 3600
        if d.jump_from_update is not None and update >= d.jump_from_update:
            wh += 2**32
        return wh * d.register_scale

    def event(kind: str, seconds: float, trigger: str, update: int, context: str, seq_no: int | None = None, **info) -> dict:
        seq_no = next(seq) if seq_no is None else seq_no
        if d.skip_seq_no and kind == "Updated" and update == 2:
            seq_no = next(seq)
        body = {
            "eventType": kind, "timestamp": stamp(t0 + seconds), "triggerReason": trigger, "seqNo": seq_no,
            "transactionInfo": {"transactionId": ref, **info},
            "meterValue": [{"timestamp": stamp(t0 + seconds), "sampledValue": sampled(register(seconds, update), -POWER_W if d.negative_power else POWER_W, context)}],
        }
        return body

    if d.unavailable_before:
        await status(pile, "Unavailable", t0 - 20)
    else:
        await status(pile, "Occupied", t0 - 10)
    started = event("Started", 0, "RemoteStop" if d.started_by_remote_stop else "Authorized", 0, "Transaction.Begin", chargingState="Charging")
    started["idToken"] = {"idToken": "CORPUS-A", "type": "ISO14443"}
    if not d.no_evse:
        started["evse"] = {"id": 1, "connectorId": 1}
    await pile.call("TransactionEvent", started)
    for update in (1, 2, 3):
        await pile.call("TransactionEvent", event("Updated", 300 * update, "MeterValuePeriodic", update, "Sample.Periodic", chargingState="Charging"))
        if d.second_started and update == 1:
            other = event("Started", 400, "Authorized", 1, "Transaction.Begin", seq_no=0, chargingState="Charging")
            other["transactionInfo"]["transactionId"] = ref + "-B"
            other["evse"] = {"id": 1, "connectorId": 1}
            other["idToken"] = {"idToken": "CORPUS-B", "type": "ISO14443"}
            await pile.call("TransactionEvent", other)
    await pile.call("TransactionEvent", event("Ended", 1000, "EVCommunicationLost", 3, "Transaction.End", stoppedReason="EVDisconnected"))
    await status(pile, "Available", t0 + 1060)
    if d.update_after_ended:
        await pile.call("TransactionEvent", event("Updated", 1100, "MeterValuePeriodic", 3, "Sample.Periodic"))


def with_transaction(deviation: Deviation):
    async def behave(gateway, identity):
        pile = await booted(gateway, identity)
        try:
            await transaction(pile, deviation)
        finally:
            await close(pile)
    return behave


async def status_storm(gateway, identity):
    pile = await booted(gateway, identity)
    t = time.time()
    for _ in range(6):
        await status(pile, "Available", t)
    await close(pile)


async def boot_twice(gateway, identity):
    pile = await booted(gateway, identity)
    await pile.call("BootNotification", {"chargingStation": {"model": "DC-50", "vendorName": "CorpusVendor"}, "reason": "PowerUp"})
    await close(pile)


async def seq_no_restart(gateway, identity):
    t0 = time.time() - 900
    pile = await booted(gateway, identity)
    ref = "TX-RESTART"

    def event(kind, seq_no, seconds, trigger="MeterValuePeriodic", **extra):
        return {"eventType": kind, "timestamp": stamp(t0 + seconds), "triggerReason": trigger, "seqNo": seq_no,
                "transactionInfo": {"transactionId": ref, "chargingState": "Charging"},
                "meterValue": [{"timestamp": stamp(t0 + seconds), "sampledValue": sampled(START_WH + POWER_W * seconds / 3600, POWER_W, "Sample.Periodic")}],
                **extra}

    await status(pile, "Occupied", t0 - 10)
    await pile.call("TransactionEvent", event("Started", 0, 0, "Authorized", evse={"id": 1, "connectorId": 1}, idToken={"idToken": "CORPUS-A", "type": "ISO14443"}))
    await pile.call("TransactionEvent", event("Updated", 1, 300))
    await close(pile)
    # Back after a network blip: the transaction goes on, numbered from 0 again.
    pile = await connect(gateway, identity, "ocpp2.0.1")
    await pile.call("TransactionEvent", event("Updated", 0, 600))
    await pile.call("TransactionEvent", event("Ended", 1, 700, "EVCommunicationLost"))
    await status(pile, "Available", t0 + 760)
    await close(pile)


CORPUS = [
    ("CORPUS201-CLEAN", None, with_transaction(Deviation())),
    ("CORPUS201-KWH-AS-WH", "meter.energy-below-power", with_transaction(Deviation(register_scale=0.001))),
    ("CORPUS201-JUMP", "meter.register-jump", with_transaction(Deviation(jump_from_update=2))),
    ("CORPUS201-NEG-POWER", "meter.negative-import-power", with_transaction(Deviation(negative_power=True))),
    ("CORPUS201-ON-UNAVAILABLE", "session.start-on-inoperative-connector", with_transaction(Deviation(unavailable_before=True))),
    ("CORPUS201-SECOND-TX", "session.concurrent-transaction", with_transaction(Deviation(second_started=True))),
    ("CORPUS201-SEQ-RESTART", "txevent.seqno-repeated", seq_no_restart),
    ("CORPUS201-SEQ-GAP", "txevent.seqno-gap", with_transaction(Deviation(skip_seq_no=True))),
    ("CORPUS201-AFTER-ENDED", "txevent.event-after-ended", with_transaction(Deviation(update_after_ended=True))),
    ("CORPUS201-NO-EVSE", "txevent.evse-missing", with_transaction(Deviation(no_evse=True))),
    ("CORPUS201-TRIGGER", "txevent.trigger-inconsistent", with_transaction(Deviation(started_by_remote_stop=True))),
    ("CORPUS201-STORM", "status.storm", status_storm),
    ("CORPUS201-BOOT-TWICE", "boot.repeated-on-connection", boot_twice),
]


@pytest.mark.parametrize("identity,rule,behave", CORPUS, ids=[c[0] for c in CORPUS])
def test_each_201_deviation_surfaces_under_its_rule_and_nothing_else(corpus_gateway, identity, rule, behave):
    asyncio.run(asyncio.wait_for(behave(corpus_gateway, identity), CASE_TIMEOUT))
    judge(corpus_gateway, identity, rule)
