"""OCA OCPP 1.6 CSMS test cases, Core profile (our own implementation, in the spirit of
the OCTT's Central System cases): the PyPI `ocpp` package plays the charge point, the
CSMS is driven only through the gateway's HTTP API. Each test is named after its case id
and asserts the case's Central-System-side expectations: the right request reached the
charge point with the right fields, the gateway answered the charge point's messages
correctly, and the command history records what was sent.

The other profiles are in test_oca_csms_v16_profiles.py; OCA_CASES.md lists them all.
"""

from __future__ import annotations

from oca16_support import (  # noqa: F401  (oca is a fixture)
    BLOCKED_TAG,
    CONNECTOR,
    EXPIRED_TAG,
    HEARTBEAT_INTERVAL,
    INVALID_TAG,
    CallErrorReply,
    fresh_tag,
    now_iso,
    oca,
    parse_time,
    recorded,
    run,
    session_of,
    unique,
)


# ---------------------------------------------------------------------------------------
# 3.1 Cold boot, 3.2 regular charging sessions


def test_TC_001_CSMS_cold_boot_charge_point(oca):
    identity = unique("001")

    async def case():
        async with oca.cp(identity) as cp:
            boot = await cp.boot()
            assert boot.status == "Accepted"
            assert boot.interval == HEARTBEAT_INTERVAL
            assert abs((parse_time(boot.current_time) - parse_time(now_iso())).total_seconds()) < 60
            await cp.status("Available", 0)
            await cp.status("Available", CONNECTOR)
            beat = await cp.heartbeat()
            assert abs((parse_time(beat.current_time) - parse_time(now_iso())).total_seconds()) < 60
            await oca.api.until(lambda: oca.pile(identity), lambda p: p.get("connected") and p.get("registrationStatus") == "Accepted",
                                "the pile to show connected and accepted")
            await oca.api.until(lambda: oca.connector_status(identity), lambda s: s == "Available", "connector 1 Available")

    run(case())


def regular_session(identification_first: bool):
    async def case(ctx, identity):
        tag = fresh_tag()
        async with ctx.cp(identity) as cp:
            await cp.booted()
            if identification_first:
                assert (await cp.authorize(tag)).id_tag_info["status"] == "Accepted"
                await cp.status("Preparing")
            else:
                await cp.status("Preparing")
                assert (await cp.authorize(tag)).id_tag_info["status"] == "Accepted"
            started = await cp.start_tx(tag, meter=1000)
            assert started.id_tag_info["status"] == "Accepted" and started.transaction_id > 0
            await cp.status("Charging")
            await cp.meter(started.transaction_id, 2500)
            await cp.status("SuspendedEV")
            stopped = await cp.stop_tx(started.transaction_id, meter=4000, reason="Local", id_tag=tag)
            assert stopped.id_tag_info is None or stopped.id_tag_info["status"] == "Accepted"
            await cp.status("Finishing")
            await cp.status("Available")
            session = await session_of(ctx, identity, lambda s: s["id"] == started.transaction_id and s["status"] == "completed",
                                       "the session to complete")
            assert session["energyWh"] == 3000 and session["idTag"] == tag and session["stopReason"] == "Local"
    return case


def test_TC_003_CSMS_regular_charging_session_plugin_first(oca):
    run(regular_session(identification_first=False)(oca, unique("003")))


def test_TC_004_1_CSMS_regular_charging_session_identification_first(oca):
    run(regular_session(identification_first=True)(oca, unique("004-1")))


def test_TC_004_2_CSMS_regular_charging_session_identification_first_connection_timeout(oca):
    identity = unique("004-2")
    tag = fresh_tag()

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
            assert (await cp.authorize(tag)).id_tag_info["status"] == "Accepted"
            await cp.status("Preparing")
            await cp.status("Available")  # ConnectionTimeOut ran out: no transaction
            await oca.api.until(lambda: oca.connector_status(identity), lambda s: s == "Available", "connector Available")
            assert oca.sessions(identity) == []

    run(case())


def test_TC_005_1_CSMS_ev_side_disconnected(oca):
    identity = unique("005-1")
    tag = fresh_tag()

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
            tx = await cp.charging(tag)
            await cp.status("SuspendedEV")
            stopped = await cp.stop_tx(tx, reason="EVDisconnected")
            assert stopped.id_tag_info is None or stopped.id_tag_info["status"] == "Accepted"
            await cp.status("Finishing")
            await cp.status("Available")
            session = await session_of(oca, identity, lambda s: s["id"] == tx and s["status"] == "completed", "session completed")
            assert session["stopReason"] == "EVDisconnected"

    run(case())


def test_TC_007_CSMS_regular_start_charging_session_cached_id(oca):
    identity = unique("007")
    tag = fresh_tag()

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
            await cp.status("Preparing")
            started = await cp.start_tx(tag)  # authorized from the cache: no Authorize.req
            assert started.id_tag_info["status"] == "Accepted" and started.transaction_id > 0
            await cp.status("Charging")
            await session_of(oca, identity, lambda s: s["id"] == started.transaction_id and s["status"] == "active", "active session")

    run(case())


def test_TC_061_CSMS_clear_authorization_data_in_authorization_cache(oca):
    identity = unique("061")

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
            status, body = await oca.drive.command(identity, "ClearCache", {})
            assert (status, body) == (200, {"status": "Accepted"})
            assert await cp.expect("ClearCache") == {}
            recorded(oca, identity, "ClearCache", {}, {"status": "Accepted"})

    run(case())


# ---------------------------------------------------------------------------------------
# 3.4 Remote actions


def test_TC_010_CSMS_remote_start_charging_session_cable_plugged_in_first(oca):
    identity = unique("010")
    tag = fresh_tag()

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
            await cp.status("Preparing")
            status, body = await oca.drive.remote_start(identity, tag, CONNECTOR)
            assert status == 200 and body == {"ocppVersion": "1.6", "response": {"status": "Accepted"}}, body
            request = await cp.expect("RemoteStartTransaction")
            assert request == {"idTag": tag, "connectorId": CONNECTOR}
            started = await cp.start_tx(tag)
            assert started.id_tag_info["status"] == "Accepted"
            await cp.status("Charging")
            recorded(oca, identity, "RemoteStartTransaction", request, {"status": "Accepted"})
            await session_of(oca, identity, lambda s: s["id"] == started.transaction_id and s["status"] == "active", "active session")

    run(case())


def test_TC_011_1_CSMS_remote_start_charging_session_remote_start_first(oca):
    identity = unique("011-1")
    tag = fresh_tag()

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
            status, body = await oca.drive.remote_start(identity, tag, CONNECTOR)
            assert status == 200 and body["response"] == {"status": "Accepted"}, body
            assert (await cp.expect("RemoteStartTransaction"))["idTag"] == tag
            await cp.status("Preparing")
            started = await cp.start_tx(tag)
            assert started.id_tag_info["status"] == "Accepted"
            await cp.status("Charging")

    run(case())


def test_TC_011_2_CSMS_remote_start_charging_session_time_out(oca):
    identity = unique("011-2")
    tag = fresh_tag()

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
            status, body = await oca.drive.remote_start(identity, tag, CONNECTOR)
            assert status == 200 and body["response"] == {"status": "Accepted"}, body
            await cp.expect("RemoteStartTransaction")
            await cp.status("Preparing")
            await cp.status("Available")  # the cable was never plugged in: ConnectionTimeOut
            await oca.api.until(lambda: oca.connector_status(identity), lambda s: s == "Available", "connector Available")
            assert [s for s in oca.sessions(identity) if s["status"] in ("active", "starting")] == []

    run(case())


def test_TC_012_CSMS_remote_stop_charging_session(oca):
    identity = unique("012")
    tag = fresh_tag()

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
            tx = await cp.charging(tag)
            await session_of(oca, identity, lambda s: s["id"] == tx and s["status"] == "active", "active session")
            status, body = await oca.drive.remote_stop(tx)
            assert status == 202, body
            assert await cp.expect("RemoteStopTransaction") == {"transactionId": tx}
            await cp.stop_tx(tx, reason="Remote")
            await cp.status("Finishing")
            await cp.status("Available")
            session = await session_of(oca, identity, lambda s: s["id"] == tx and s["status"] == "completed", "completed")
            assert session["stopReason"] == "Remote"
            recorded(oca, identity, "RemoteStopTransaction", {"transactionId": tx}, {"status": "Accepted"})

    run(case())


def test_TC_026_CSMS_remote_start_charging_session_rejected(oca):
    identity = unique("026")
    tag = fresh_tag()

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
            cp.replies["RemoteStartTransaction"] = {"status": "Rejected"}
            status, body = await oca.drive.remote_start(identity, tag, CONNECTOR)
            assert status == 200 and body["response"] == {"status": "Rejected"}, body
            assert (await cp.expect("RemoteStartTransaction"))["idTag"] == tag
            recorded(oca, identity, "RemoteStartTransaction", response={"status": "Rejected"})

    run(case())


def test_TC_028_CSMS_remote_stop_transaction_rejected(oca):
    identity = unique("028")
    tag = fresh_tag()

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
            tx = await cp.charging(tag)
            await session_of(oca, identity, lambda s: s["id"] == tx and s["status"] == "active", "active session")
            cp.replies["RemoteStopTransaction"] = {"status": "Rejected"}
            status, body = await oca.drive.remote_stop(tx)
            assert status == 409 and body["error"]["code"] == "pile_rejected", body
            assert await cp.expect("RemoteStopTransaction") == {"transactionId": tx}
            assert oca.session(tx)["status"] == "active"
            recorded(oca, identity, "RemoteStopTransaction", {"transactionId": tx}, {"status": "Rejected"})

    run(case())


# ---------------------------------------------------------------------------------------
# 3.5 Reset, 3.11 power failure


def reset_case(kind: str):
    async def case(ctx, identity):
        async with ctx.cp(identity) as cp:
            await cp.booted()
            status, body = await ctx.drive.command(identity, "Reset", {"type": kind})
            assert (status, body) == (200, {"status": "Accepted"}), body
            assert await cp.expect("Reset") == {"type": kind}
            recorded(ctx, identity, "Reset", {"type": kind}, {"status": "Accepted"})
        async with ctx.cp(identity) as cp:  # the reboot
            await cp.booted()
    return case


def test_TC_013_CSMS_hard_reset_without_transaction(oca):
    run(reset_case("Hard")(oca, unique("013")))


def test_TC_014_CSMS_soft_reset_without_transaction(oca):
    run(reset_case("Soft")(oca, unique("014")))


def test_TC_032_1_CSMS_power_failure_boot_charge_point_stop_transactions(oca):
    identity = unique("032-1")
    tag = fresh_tag()

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
            tx = await cp.charging(tag)
        async with oca.cp(identity) as cp:  # power back: boot, then the queued StopTransaction
            assert (await cp.boot()).status == "Accepted"
            stopped = await cp.stop_tx(tx, reason="PowerLoss")
            assert stopped.id_tag_info is None or stopped.id_tag_info["status"] == "Accepted"
            await cp.status("Available", 0)
            await cp.status("Available")
            session = await session_of(oca, identity, lambda s: s["id"] == tx and s["status"] == "completed", "completed")
            assert session["stopReason"] == "PowerLoss"

    run(case())


# ---------------------------------------------------------------------------------------
# 3.6 Unlock connector


def unlock_case(answer: str, connector: int = CONNECTOR, with_session: bool = False):
    async def case(ctx, identity):
        tag = fresh_tag()
        async with ctx.cp(identity) as cp:
            await cp.booted()
            tx = await cp.charging(tag) if with_session else None
            cp.replies["UnlockConnector"] = {"status": answer}
            status, body = await ctx.drive.command(identity, "UnlockConnector", {"connectorId": connector})
            assert (status, body) == (200, {"status": answer}), body
            assert await cp.expect("UnlockConnector") == {"connectorId": connector}
            recorded(ctx, identity, "UnlockConnector", {"connectorId": connector}, {"status": answer})
            if tx is not None:
                await cp.stop_tx(tx, reason="UnlockCommand")
                await cp.status("Finishing")
                session = await session_of(ctx, identity, lambda s: s["id"] == tx and s["status"] == "completed", "completed")
                assert session["stopReason"] == "UnlockCommand"
    return case


def test_TC_017_1_CSMS_unlock_connector_no_charging_session_not_fixed_cable(oca):
    run(unlock_case("Unlocked")(oca, unique("017-1")))


def test_TC_017_2_CSMS_unlock_connector_no_charging_session_fixed_cable(oca):
    run(unlock_case("NotSupported")(oca, unique("017-2")))


def test_TC_018_1_CSMS_unlock_connector_with_charging_session(oca):
    run(unlock_case("Unlocked", with_session=True)(oca, unique("018-1")))


def test_TC_030_CSMS_unlock_connector_unlock_failure(oca):
    run(unlock_case("UnlockFailed")(oca, unique("030")))


def test_TC_031_CSMS_unlock_connector_unknown_connector(oca):
    run(unlock_case("NotSupported", connector=7)(oca, unique("031")))


# ---------------------------------------------------------------------------------------
# 3.7 Configuration, 3.13 configuration keys non-happy


def test_TC_019_1_CSMS_retrieve_all_configuration_keys(oca):
    identity = unique("019-1")

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
            status, body = await oca.drive.read_configuration(identity)
            assert status == 200, body
            assert await cp.expect("GetConfiguration") in ({}, {"key": []})
            keys = {entry["key"]: entry for entry in body["keys"]}
            assert keys["HeartbeatInterval"]["value"] == "120" and keys["NumberOfConnectors"]["readonly"] is True
            assert len(keys) == 4
            recorded(oca, identity, "GetConfiguration")

    run(case())


def test_TC_019_2_CSMS_retrieve_specific_configuration_key(oca):
    identity = unique("019-2")

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
            cp.replies["GetConfiguration"] = lambda request: {
                "configurationKey": [{"key": "MeterValueSampleInterval", "readonly": False, "value": "60"}],
                "unknownKey": [k for k in request.get("key", []) if k != "MeterValueSampleInterval"]}
            status, body = await oca.drive.read_configuration(identity, ["MeterValueSampleInterval"])
            assert status == 200, body
            assert await cp.expect("GetConfiguration") == {"key": ["MeterValueSampleInterval"]}
            assert [(k["key"], k["value"], k["status"]) for k in body["keys"]] == [("MeterValueSampleInterval", "60", "Accepted")]
            recorded(oca, identity, "GetConfiguration", {"key": ["MeterValueSampleInterval"]})

    run(case())


def change_configuration_case(answer: str, key: str, value: str):
    async def case(ctx, identity):
        async with ctx.cp(identity) as cp:
            await cp.booted()
            cp.replies["ChangeConfiguration"] = {"status": answer}
            status, body = await ctx.drive.change_configuration(identity, key, value)
            assert (status, body) == (200, {"key": key, "status": answer}), body
            assert await cp.expect("ChangeConfiguration") == {"key": key, "value": value}
            recorded(ctx, identity, "ChangeConfiguration", {"key": key, "value": value}, {"status": answer})
    return case


def test_TC_021_CSMS_change_set_configuration(oca):
    run(change_configuration_case("Accepted", "MeterValueSampleInterval", "30")(oca, unique("021")))


def test_TC_040_1_CSMS_configuration_keys_not_supported(oca):
    run(change_configuration_case("NotSupported", "OcaUnknownKey", "1")(oca, unique("040-1")))


def test_TC_040_2_CSMS_configuration_keys_invalid_value(oca):
    run(change_configuration_case("Rejected", "MeterValueSampleInterval", "-1")(oca, unique("040-2")))


# ---------------------------------------------------------------------------------------
# 3.8 Authorization non-happy


def authorize_case(tag: str, verdict: str):
    async def case(ctx, identity):
        async with ctx.cp(identity) as cp:
            await cp.booted()
            answer = await cp.authorize(tag)
            assert answer.id_tag_info["status"] == verdict, answer
            await cp.status("Preparing")
            await cp.status("Available")
            assert ctx.sessions(identity) == []
    return case


def test_TC_023_1_CSMS_start_charging_session_authorize_invalid(oca):
    run(authorize_case(INVALID_TAG, "Invalid")(oca, unique("023-1")))


def test_TC_023_2_CSMS_start_charging_session_authorize_expired(oca):
    run(authorize_case(EXPIRED_TAG, "Expired")(oca, unique("023-2")))


def test_TC_023_3_CSMS_start_charging_session_authorize_blocked(oca):
    run(authorize_case(BLOCKED_TAG, "Blocked")(oca, unique("023-3")))


def test_TC_024_CSMS_start_charging_session_lock_failure(oca):
    identity = unique("024")
    tag = fresh_tag()

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
            assert (await cp.authorize(tag)).id_tag_info["status"] == "Accepted"
            await cp.status("Preparing")
            await cp.status("Faulted", error_code="ConnectorLockFailure")
            await oca.api.until(lambda: oca.connector_status(identity), lambda s: s == "Faulted", "connector Faulted")
            connector = next(c for c in oca.pile(identity)["connectors"] if c["connectorId"] == CONNECTOR)
            assert connector["errorCode"] == "ConnectorLockFailure", connector
            assert oca.sessions(identity) == []

    run(case())


# ---------------------------------------------------------------------------------------
# 3.12 Offline behaviour


def test_TC_037_1_CSMS_offline_start_transaction(oca):
    identity = unique("037-1")
    tag = fresh_tag()

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
        started_at = now_iso(-30)  # started while the connection was down
        async with oca.cp(identity) as cp:
            await cp.status("Charging")
            started = await cp.start_tx(tag, timestamp=started_at)
            assert started.id_tag_info["status"] == "Accepted" and started.transaction_id > 0
            session = await session_of(oca, identity, lambda s: s["id"] == started.transaction_id, "the offline session")
            assert parse_time(session["startTime"]) == parse_time(started_at)

    run(case())


def test_TC_037_3_CSMS_offline_start_transaction_invalid(oca):
    identity = unique("037-3")

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
        async with oca.cp(identity) as cp:
            await cp.status("Charging")
            started = await cp.start_tx(INVALID_TAG, timestamp=now_iso(-30))
            assert started.id_tag_info["status"] == "Invalid", started
            stopped = await cp.stop_tx(started.transaction_id, reason="DeAuthorized")  # StopTransactionOnInvalidId
            assert stopped is not None
            await cp.status("Finishing")
            session = await session_of(oca, identity, lambda s: s["id"] == started.transaction_id and s["status"] == "completed",
                                       "the deauthorized session to end")
            assert session["stopReason"] == "DeAuthorized"

    run(case())


def test_TC_039_CSMS_offline_transaction(oca):
    identity = unique("039")
    tag = fresh_tag()

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
        async with oca.cp(identity) as cp:  # both ends of the transaction happened offline
            started = await cp.start_tx(tag, meter=100, timestamp=now_iso(-120))
            assert started.id_tag_info["status"] == "Accepted"
            stopped = await cp.stop_tx(started.transaction_id, meter=2100, reason="Local", timestamp=now_iso(-60))
            assert stopped.id_tag_info is None or stopped.id_tag_info["status"] == "Accepted"
            await cp.status("Available")
            session = await session_of(oca, identity, lambda s: s["id"] == started.transaction_id and s["status"] == "completed",
                                       "the offline transaction")
            assert session["energyWh"] == 2000

    run(case())


# ---------------------------------------------------------------------------------------
# Availability (no 1.6 CSMS case of its own: TC_048_3 uses it; the 2.0.1 suite has TC_G_05/07_CSMS), data transfer


def availability_case(connector: int, kind: str, answer: str):
    async def case(ctx, identity):
        async with ctx.cp(identity) as cp:
            await cp.booted()
            cp.replies["ChangeAvailability"] = {"status": answer}
            payload = {"connectorId": connector, "type": kind}
            status, body = await ctx.drive.command(identity, "ChangeAvailability", payload)
            assert (status, body) == (200, {"status": answer}), body
            assert await cp.expect("ChangeAvailability") == payload
            recorded(ctx, identity, "ChangeAvailability", payload, {"status": answer})
            if answer == "Accepted":
                state = "Unavailable" if kind == "Inoperative" else "Available"
                await cp.status(state, connector)
                await ctx.api.until(lambda: ctx.connector_status(identity, connector), lambda s: s == state, f"connector {state}")
    return case


def test_X_01_change_availability_connector_inoperative(oca):
    run(availability_case(CONNECTOR, "Inoperative", "Accepted")(oca, unique("X01")))


def test_X_02_change_availability_charge_point_inoperative(oca):
    run(availability_case(0, "Inoperative", "Accepted")(oca, unique("X02")))


def test_X_03_change_availability_connector_operative_scheduled(oca):
    run(availability_case(CONNECTOR, "Operative", "Scheduled")(oca, unique("X03")))


def test_TC_062_CSMS_data_transfer_to_a_charge_point(oca):
    identity = unique("062")

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
            cp.replies["DataTransfer"] = {"status": "Accepted", "data": "pong"}
            payload = {"vendorId": "com.example.oca", "messageId": "ping", "data": "hello"}
            status, body = await oca.drive.command(identity, "DataTransfer", payload)
            assert (status, body) == (200, {"status": "Accepted", "data": "pong"}), body
            assert await cp.expect("DataTransfer") == payload
            recorded(oca, identity, "DataTransfer", payload)

    run(case())


def test_TC_064_CSMS_data_transfer_to_a_central_system(oca):
    identity = unique("064")

    async def case():
        from ocpp.v16 import call
        async with oca.cp(identity) as cp:
            await cp.booted()
            unknown = await cp.call(call.DataTransfer(vendor_id="com.example.unknown", message_id="x", data="y"), suppress=False)
            assert unknown.status in ("UnknownVendorId", "Rejected"), unknown
            known = await cp.call(call.DataTransfer(vendor_id="com.pilegate.test", message_id="ping"), suppress=False)
            assert known.status == "Accepted", known

    run(case())


def test_X_04_callerror_from_the_charge_point_is_reported(oca):
    """Not an OCA case: a pile's CALLERROR (e.g. NotSupported for an unsupported profile) is
    502 pile_error with the OCPP code, and recorded."""
    identity = unique("ERR")

    async def case():
        async with oca.cp(identity) as cp:
            await cp.booted()
            cp.replies["ClearCache"] = CallErrorReply("NotSupported", "no cache")
            status, body = await oca.drive.command(identity, "ClearCache", {})
            assert status == 502 and body["error"]["details"]["ocppErrorCode"] == "NotSupported", body
            recorded(oca, identity, "ClearCache", outcome="pile_error")

    run(case())
