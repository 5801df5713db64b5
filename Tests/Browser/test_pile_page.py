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
