"""A corpus of deviant OCPP 1.6J piles, each driven at a real `pilegate serve` by raw frames
from this independent client: every deviation must surface under the one rule that names
it, with nothing else recorded, and the clean control pile must raise no finding at all.

Each pile replays one charging session the way field piles report it: the pile's own
timestamps (a session that ran over the last 25 minutes, its messages delivered now, as an
offline queue would), steady 50 kW, readings every 300 s. A deviant pile differs from the
control in one way only.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import pytest

from corpus_support import REPLY_TIMEOUT, Pile, close, connect, corpus_gateway, judge, post, stamp, value  # noqa: F401 (fixture)

CASE_TIMEOUT = 30.0
POWER_W = 50_000.0
START_WH = 1_200_000.0


@dataclass
class Deviation:
    """How one pile's session differs from the control (all off: the control)."""

    register_scale: float = 1.0  # 0.001: a kWh register labelled Wh
    power_scale: float = 1.0  # what the pile reports as power, against what it delivers
    jump_from_reading: int | None = None  # adds 2^32 Wh to this and every later register reading
    soc_override: str | None = None
    negative_power: bool = False
    zero_voltage: bool = False
    meter_start: float | None = None
    tag: str = "CORPUS-A"
    stop_tag: str | None = None
    fault_before_start: bool = False
    begin_twice: bool = False
    meter_values_after_stop: bool = False
    second_start: bool = False
    stop_below_start: bool = False
    register_back: bool = False


async def session(pile: Pile, d: Deviation, connector: int = 1) -> None:
    t0 = time.time() - 1500
    base = d.meter_start if d.meter_start is not None else START_WH
    start_register = max(base, 0.0)
    scale = d.register_scale

    def register_at(seconds: float, reading: int | None = None) -> float:
        wh = start_register + POWER_W * seconds / 3600
        if d.jump_from_reading is not None and reading is not None and reading >= d.jump_from_reading:
            wh += 2**32
        return wh * scale

    def readings(seconds: float, reading: int, context: str = "Sample.Periodic") -> list:
        power = -POWER_W if d.negative_power else POWER_W * d.power_scale
        register = register_at(seconds, reading)
        if d.register_back and reading == 2:
            register -= 5000 * scale
        values = [
            value(register, "Energy.Active.Import.Register", "Wh", context),
            value(power, "Power.Active.Import", "W", context),
            value(0.0 if d.zero_voltage else 400.0, "Voltage", "V", context),
            value(125.0, "Current.Import", "A", context),
            value(d.soc_override if (d.soc_override and reading == 2) else str(40 + 5 * reading), "SoC", "Percent", context, location="EV"),
        ]
        return [{"timestamp": stamp(t0 + seconds), "sampledValue": values}]

    if d.fault_before_start:
        await pile.status(connector, "Faulted", t0 - 20, error="GroundFailure")
    else:
        await pile.status(connector, "Preparing", t0 - 10)
    meter_start = int(round(base * scale)) if d.meter_start is None or d.meter_start >= 0 else int(d.meter_start)
    started = await pile.call(
        "StartTransaction", {"connectorId": connector, "idTag": d.tag, "meterStart": meter_start, "timestamp": stamp(t0)})
    tx = started["transactionId"]
    await pile.status(connector, "Charging", t0 + 5)
    if d.begin_twice:
        await pile.call("MeterValues", {"connectorId": connector, "transactionId": tx, "meterValue": readings(0, 0, "Transaction.Begin")})
    for reading in (1, 2, 3):
        meter_value = readings(300 * reading, reading)
        if d.begin_twice and reading == 1:
            meter_value = readings(300, 1, "Transaction.Begin")
        await pile.call("MeterValues", {"connectorId": connector, "transactionId": tx, "meterValue": meter_value})
        if d.second_start and reading == 1:
            restarted = await pile.call(
                "StartTransaction",
                {"connectorId": connector, "idTag": "CORPUS-B", "meterStart": int(register_at(400)), "timestamp": stamp(t0 + 400)})
            tx = restarted["transactionId"]
    end = 1000
    stop_register = register_at(end, 3)
    meter_stop = int(round(stop_register))
    if d.stop_below_start:
        meter_stop = int(round(start_register)) - 1000
    begin = [{"timestamp": stamp(t0), "sampledValue": [value(start_register * scale, "Energy.Active.Import.Register", "Wh", "Transaction.Begin")]}]
    finish = [{"timestamp": stamp(t0 + end), "sampledValue": [value(stop_register, "Energy.Active.Import.Register", "Wh", "Transaction.End")]}]
    if d.second_start:
        begin = [{"timestamp": stamp(t0 + 400), "sampledValue": [value(register_at(400), "Energy.Active.Import.Register", "Wh", "Transaction.Begin")]}]
    stop = {"transactionId": tx, "meterStop": meter_stop, "timestamp": stamp(t0 + end), "reason": "EVDisconnected",
            "idTag": d.stop_tag or ("CORPUS-B" if d.second_start else d.tag), "transactionData": begin + finish}
    if d.stop_below_start:
        stop["transactionData"] = begin
    await pile.call("StopTransaction", stop)
    await pile.status(connector, "Finishing", t0 + end + 1)
    await pile.status(connector, "Available", t0 + end + 60)
    if d.meter_values_after_stop:
        await pile.call("MeterValues", {"connectorId": connector, "transactionId": tx, "meterValue": readings(end + 100, 3)})


async def booted(gateway, identity: str) -> Pile:
    pile = await connect(gateway, identity)
    await pile.boot()
    await pile.status(0, "Available", time.time() - 1600)
    await pile.status(1, "Available", time.time() - 1600)
    return pile


# ---------------------------------------------------------------------------------------
# The corpus: one pile per deviation. Each entry is (identity, rule, how the pile behaves).


def with_session(deviation: Deviation):
    async def behave(gateway, identity):
        pile = await booted(gateway, identity)
        try:
            await session(pile, deviation)
        finally:
            await close(pile)
    return behave


async def charging_without_transaction(gateway, identity):
    pile = await booted(gateway, identity)
    t0 = time.time() - 900
    await pile.status(1, "Preparing", t0 - 10)
    await pile.status(1, "Charging", t0)
    for reading in (1, 2):
        register = START_WH + 7000 * 300 * reading / 3600
        await pile.call("MeterValues", {"connectorId": 1, "meterValue": [{"timestamp": stamp(t0 + 300 * reading), "sampledValue": [
            value(register, "Energy.Active.Import.Register", "Wh"), value(7000.0, "Power.Active.Import", "W")]}]})
    await pile.status(1, "Finishing", t0 + 700)
    await pile.status(1, "Available", t0 + 760)
    await close(pile)


async def status_storm(gateway, identity):
    pile = await booted(gateway, identity)
    t = time.time()
    for _ in range(6):
        await pile.status(1, "Available", t)
    await close(pile)


async def faulted_without_error(gateway, identity):
    pile = await booted(gateway, identity)
    await pile.status(1, "Faulted", time.time())
    await close(pile)


async def boot_twice(gateway, identity):
    pile = await booted(gateway, identity)
    await pile.boot()
    await close(pile)


async def reconnect_loop(gateway, identity):
    for _ in range(4):
        pile = await connect(gateway, identity)
        await pile.boot()
        await close(pile)
        await asyncio.sleep(0.3)


async def overlapping_calls(gateway, identity):
    pile = await booted(gateway, identity)
    t0 = time.time()
    await pile.status(1, "Preparing", t0)
    # StartTransaction and, without waiting for its answer, the Charging status.
    start = pile.send("StartTransaction", {"connectorId": 1, "idTag": "CORPUS-A", "meterStart": 1000, "timestamp": stamp(t0 + 1)})
    charging = pile.send("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Charging", "timestamp": stamp(t0 + 1)})
    replies = await asyncio.wait_for(asyncio.gather(start, charging), REPLY_TIMEOUT)
    tx = replies[0][2]["transactionId"]
    await pile.call("StopTransaction", {"transactionId": tx, "meterStop": 1100, "timestamp": stamp(t0 + 2), "idTag": "CORPUS-A"})
    await pile.status(1, "Finishing", t0 + 3)
    await close(pile)


def answering_change_configuration(reply):
    async def behave(gateway, identity):
        pile = await booted(gateway, identity)
        pile.responder = lambda frame: reply(frame[1]) if frame[2] == "ChangeConfiguration" else [4, frame[1], "NotImplemented", "", {}]
        # The HTTP status reports what the pile answered; the finding is what this case checks.
        await asyncio.to_thread(
            post, gateway, f"/api/chargepoints/{identity}/commands/ChangeConfiguration", {"key": "MeterValueSampleInterval", "value": "60"})
        await close(pile)
    return behave


CORPUS = [
    ("CORPUS-CLEAN", None, with_session(Deviation())),
    ("CORPUS-KWH-AS-WH", "meter.energy-below-power", with_session(Deviation(register_scale=0.001))),
    ("CORPUS-ENERGY-FAST", "meter.energy-above-power", with_session(Deviation(power_scale=0.1))),
    ("CORPUS-JUMP", "meter.register-jump", with_session(Deviation(jump_from_reading=2))),
    ("CORPUS-SOC", "meter.soc-out-of-range", with_session(Deviation(soc_override="104"))),
    ("CORPUS-NEG-POWER", "meter.negative-import-power", with_session(Deviation(negative_power=True))),
    ("CORPUS-ZERO-VOLT", "meter.current-without-voltage", with_session(Deviation(zero_voltage=True))),
    ("CORPUS-NEG-START", "meter.negative-register", with_session(Deviation(meter_start=-5))),
    ("CORPUS-REG-BACK", "session.energy-register-decreased", with_session(Deviation(register_back=True))),
    ("CORPUS-STOP-BELOW", "session.meter-stop-below-start", with_session(Deviation(stop_below_start=True))),
    ("CORPUS-ON-FAULT", "session.start-on-inoperative-connector", with_session(Deviation(fault_before_start=True))),
    ("CORPUS-SECOND-TX", "session.concurrent-transaction", with_session(Deviation(second_start=True))),
    ("CORPUS-NO-TX", "session.charging-without-transaction", charging_without_transaction),
    ("CORPUS-AFTER-STOP", "session.meter-values-after-stop", with_session(Deviation(meter_values_after_stop=True))),
    ("CORPUS-REFUSED", "session.charging-after-refusal", with_session(Deviation(tag="CORPUS-BLOCKED"))),
    ("CORPUS-STOP-TAG", "session.stop-tag-mismatch", with_session(Deviation(stop_tag="STRANGER-9"))),
    ("CORPUS-BEGIN-TWICE", "session.transaction-begin-repeated", with_session(Deviation(begin_twice=True))),
    ("CORPUS-STORM", "status.storm", status_storm),
    ("CORPUS-FAULT-NOERR", "status.faulted-without-error", faulted_without_error),
    ("CORPUS-BOOT-TWICE", "boot.repeated-on-connection", boot_twice),
    ("CORPUS-BOOT-LOOP", "boot.reconnect-loop", reconnect_loop),
    ("CORPUS-OVERLAP", "rpc.overlapping-call", overlapping_calls),
    ("CORPUS-ERROR-CODE", "rpc.unknown-error-code", answering_change_configuration(lambda i: [4, i, "Rejected", "no", {}])),
    ("CORPUS-BAD-REPLY", "rpc.reply-schema-violation", answering_change_configuration(lambda i: [3, i, {}])),
]

# A group tag stopping a session started by another tag of the group is no deviation.
GROUP_STOP = ("CORPUS-GROUP-STOP", None, with_session(Deviation(stop_tag="CORPUS-B")))


@pytest.mark.parametrize("identity,rule,behave", CORPUS + [GROUP_STOP], ids=[c[0] for c in CORPUS + [GROUP_STOP]])
def test_each_deviation_surfaces_under_its_rule_and_nothing_else(corpus_gateway, identity, rule, behave):
    asyncio.run(asyncio.wait_for(behave(corpus_gateway, identity), CASE_TIMEOUT))
    judge(corpus_gateway, identity, rule)
