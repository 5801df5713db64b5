"""The pile page at /piles/{id} in headless Chromium, against `pilegate serve` and one
simulated pile: the operator types the API token, reads the pile's configuration, changes
a key, sends a command from the operations panel, and sees the answer and the command
history on the page, with no JavaScript errors. Chromium and the gateway are started as in
test_dashboard.py (same fixtures); every wait is bounded.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from test_dashboard import PAGE_LOAD_TIMEOUT, REPO, interop, page, chromium_bin, pilegate_bin, stop_process, wait_until, workdir  # noqa: F401

TOKEN = "pile-page-token"
PILE = "NIO-000001"


@pytest.fixture
def one_pile(pilegate_bin, workdir):
    gateway = interop.start_gateway(pilegate_bin, workdir, extra_args=("--api-token", TOKEN))
    sim = None
    try:
        with open(workdir / "sim.log", "wb") as log:
            sim = subprocess.Popen(
                [pilegate_bin, "sim", "--gateway", f"ws://{interop.HOST}:{gateway.port}/ocpp", "--profile", "nio-640", "--count", "1",
                 "--duration", "5m", "--simulators", str(REPO / "Simulators")],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
        wait_until(lambda: gateway.get_json(f"/api/chargepoints/{PILE}", expect_status=200).get("connected") if gateway.http_get(f"/api/chargepoints/{PILE}")[0] == 200 else False,
                   30, 0.2, "the simulated pile to connect")
        yield gateway
    finally:
        if sim is not None:
            stop_process(sim)
        gateway.stop()


def js(text: str) -> str:
    return json.dumps(text)


def test_the_pile_page_reads_changes_and_commands_a_pile(page, one_pile):
    navigation = page.call("Page.navigate", {"url": f"{one_pile.http_base}/piles/{PILE}"})
    assert "errorText" not in navigation, navigation
    wait_until(lambda: page.evaluate("document.readyState") == "complete", PAGE_LOAD_TIMEOUT, 0.1, "the page to load")
    wait_until(lambda: page.evaluate("document.querySelectorAll('#connectors tbody tr[data-connector-id]').length") >= 1,
               15, 0.2, "the connectors")
    assert page.evaluate("document.body.dataset.version") == "1.6"
    assert page.evaluate("[...document.querySelectorAll('#command-action option')].map(o => o.value).includes('Reset')")
    page.evaluate(f"(() => {{ const t = document.querySelector('#token'); t.value = {js(TOKEN)}; t.dispatchEvent(new Event('change')); }})()")

    # Configuration: read from the pile, change a key, see the change read back.
    page.evaluate("document.querySelector('#configuration-read').click()")
    key_row = "#configuration tbody tr[data-key=\"MeterValueSampleInterval\"]"
    wait_until(lambda: page.evaluate(f"Boolean(document.querySelector({js(key_row)}))"), 15, 0.2, "the configuration table")
    page.evaluate(f"(() => {{ const row = document.querySelector({js(key_row)}); row.querySelector('input').value = '45'; row.querySelector('button').click(); }})()")
    wait_until(lambda: page.evaluate(f"document.querySelector({js(key_row)}).dataset.result") == "Accepted", 15, 0.2, "ChangeConfiguration Accepted")
    page.evaluate("document.querySelector('#configuration-read').click()")
    wait_until(lambda: page.evaluate(f"(document.querySelector({js(key_row)}) || {{}}).querySelector && document.querySelector({js(key_row)}).querySelector('input').value") == "45",
               15, 0.2, "the changed value read back from the pile")

    # The operations panel: a command with its template payload, and a refused one.
    page.evaluate("(() => { const s = document.querySelector('#command-action'); s.value = 'TriggerMessage'; s.dispatchEvent(new Event('change')); })()")
    assert json.loads(page.evaluate("document.querySelector('#command-payload').value")) == {"requestedMessage": "StatusNotification"}
    page.evaluate("document.querySelector('#command-send').click()")
    wait_until(lambda: page.evaluate("document.querySelector('#command-result').dataset.outcome") == "answered", 15, 0.2, "the pile's answer")
    assert json.loads(page.evaluate("document.querySelector('#command-result').textContent")) == {"status": "Accepted"}
    page.evaluate("(() => { const s = document.querySelector('#command-action'); s.value = 'Reset'; s.dispatchEvent(new Event('change'));"
                  " document.querySelector('#command-payload').value = '{\"type\":\"Sideways\"}'; document.querySelector('#command-send').click(); })()")
    wait_until(lambda: page.evaluate("document.querySelector('#command-result').dataset.status") == "400", 15, 0.2, "the refusal")
    assert "invalid_payload" in page.evaluate("document.querySelector('#command-result').textContent")

    # The history shows what was sent, newest first.
    wait_until(lambda: page.evaluate("[...document.querySelectorAll('#history tbody tr')].map(r => r.dataset.action)")[:1] == ["TriggerMessage"],
               15, 0.2, "the command history")
    history = page.evaluate("[...document.querySelectorAll('#history tbody tr')].map(r => [r.dataset.action, r.dataset.outcome])")
    assert ["ChangeConfiguration", "answered"] in history and ["GetConfiguration", "answered"] in history, history
    assert page.evaluate("document.querySelectorAll('#frames tbody tr').length") > 0
    page.drain(0.5)
    errors = [e for e in page.page_errors() if "status of 400" not in e]  # the refused command's 400 is logged by the browser
    assert not errors, "JavaScript errors on the pile page:\n" + "\n".join(errors)


def api(gateway, method: str, path: str, body: bytes | None = None, content_type: str = "application/json"):
    """One call to the gateway's API with the token; (status, parsed JSON)."""
    import urllib.error
    import urllib.request
    request = urllib.request.Request(f"{gateway.http_base}{path}", data=body, method=method,
                                     headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def click(page, selector: str) -> None:
    page.evaluate(f"document.querySelector({js(selector)}).click()")


def test_the_pile_page_runs_jobs_lists_reservations_and_shows_profiles(page, one_pile):
    # Firmware the operator uploaded earlier: the page offers it.
    status, stored = api(one_pile, "POST", "/api/firmware?name=nio-640-9.9.1.bin", b"firmware 9.9.1\n", "application/octet-stream")
    assert status == 201, stored
    navigation = page.call("Page.navigate", {"url": f"{one_pile.http_base}/piles/{PILE}"})
    assert "errorText" not in navigation, navigation
    wait_until(lambda: page.evaluate("document.readyState") == "complete", PAGE_LOAD_TIMEOUT, 0.1, "the page to load")
    page.evaluate(f"(() => {{ const t = document.querySelector('#token'); t.value = {js(TOKEN)}; t.dispatchEvent(new Event('change')); }})()")
    wait_until(lambda: page.evaluate("[...document.querySelectorAll('#firmware-file option')].map(o => o.value)") == ["nio-640-9.9.1.bin"],
               15, 0.2, "the firmware in the list")

    # A firmware update: the job walks to succeeded and the pile reboots into 9.9.1.
    click(page, "#firmware-update")
    wait_until(lambda: page.evaluate("document.querySelector('#job-result').dataset.outcome") == "answered", 15, 0.2, "the job created")
    wait_until(lambda: page.evaluate("(document.querySelector('#jobs tbody tr[data-kind=\"firmware\"]') || {dataset: {}}).dataset.status") == "succeeded",
               60, 0.5, "the firmware job to succeed")
    wait_until(lambda: "firmware 9.9.1" in page.evaluate("document.querySelector('#pile-facts').textContent"), 30, 0.5, "the new firmware shown")

    # Diagnostics: the pile uploads a file, which the job lists.
    wait_until(lambda: page.evaluate("document.body.dataset.connected") == "true", 30, 0.2, "the pile back after its reboot")
    click(page, "#diagnostics-get")
    wait_until(lambda: page.evaluate("(document.querySelector('#jobs tbody tr[data-kind=\"diagnostics\"]') || {dataset: {}}).dataset.status") == "succeeded",
               60, 0.5, "the diagnostics job to succeed")
    assert " B)" in page.evaluate("document.querySelector('#jobs tbody tr[data-kind=\"diagnostics\"]').textContent")

    # The local list: a sync leaves the pile holding the gateway's version.
    click(page, "#local-list-full")
    wait_until(lambda: page.evaluate("document.querySelector('#local-list-result').dataset.outcome") in ("answered", "error"), 15, 0.2, "the sync")
    assert page.evaluate("document.querySelector('#local-list-result').dataset.outcome") == "answered", page.evaluate("document.querySelector('#local-list-result').textContent")
    wait_until(lambda: page.evaluate("document.querySelector('#local-list-facts').dataset.inSync") == "true", 15, 0.2, "the list held by the pile")

    # A reservation, then its cancellation from its row.
    click(page, "#reserve")
    wait_until(lambda: page.evaluate("document.querySelector('#reserve-result').dataset.outcome") in ("answered", "error"), 15, 0.2, "the reservation's answer")
    assert page.evaluate("document.querySelector('#reserve-result').textContent").endswith(": accepted"), page.evaluate("document.querySelector('#reserve-result').textContent")
    row = "#reservations tbody tr[data-reservation-id]"
    wait_until(lambda: page.evaluate(f"(document.querySelector({js(row)}) || {{dataset: {{}}}}).dataset.status") == "accepted", 15, 0.2, "the reservation")
    page.evaluate(f"document.querySelector({js(row)}).querySelector('button').click()")
    wait_until(lambda: page.evaluate(f"document.querySelector({js(row)}).dataset.status") == "cancelled", 15, 0.2, "the cancellation")

    # A charging profile sent from the operations panel shows among those kept.
    profile = {"connectorId": 0, "csChargingProfiles": {"chargingProfileId": 41, "stackLevel": 1, "chargingProfilePurpose": "TxDefaultProfile",
               "chargingProfileKind": "Relative", "chargingSchedule": {"chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 30000}]}}}
    page.evaluate("(() => { const s = document.querySelector('#command-action'); s.value = 'SetChargingProfile'; s.dispatchEvent(new Event('change')); })()")
    page.evaluate(f"document.querySelector('#command-payload').value = {js(json.dumps(profile))}")
    click(page, "#command-send")
    wait_until(lambda: page.evaluate("document.querySelector('#command-result').dataset.outcome") == "answered", 15, 0.2, "SetChargingProfile answered")
    wait_until(lambda: "TxDefaultProfile" in page.evaluate("document.querySelector('#profiles tbody').textContent"), 15, 0.5, "the profile kept")
