"""The sites page at /sites in headless Chromium, against `pilegate serve` with one managed
site (three 60 kW piles behind a 100 kW grid connection) and three simulated 1.6 piles
whose cars arrive at once: the chart shows the site's measured power settling under the
limit line, a row per charging pile, and no JavaScript errors. Chromium and the gateway are
started as in test_dashboard.py (same fixtures); every wait is bounded.
"""

from __future__ import annotations

import subprocess

import pytest

from test_dashboard import PAGE_LOAD_TIMEOUT, REPO, interop, page, chromium_bin, pilegate_bin, stop_process, wait_until, workdir  # noqa: F401

PILES = ["NIO-000001", "NIO-000002", "NIO-000003"]
SITE_YAML = "acceptUnknownIdTags: true\nchargePoints:\n" + "".join(
    f"  - {{ id: {pile}, station: hub, maxPowerKW: 60 }}\n" for pile in PILES
) + "sites:\n  - { id: hub, name: Test hub, gridLimitKW: 100, rebalanceSeconds: 1 }\n"
# Cars arrive about once a simulated minute per connector: within a wall second at speed 60.
FLEET_YAML = """\
name: hub
description: "three 60 kW piles at one site, cars arriving at once"
seed: 3
groups:
  - { pile: nio-640, count: 3, stations: 1, city: "Shanghai", latitude: 31.23, longitude: 121.47, radiusKm: 1 }
arrivals:
  perConnectorPerHour: 60
  vehicles:
    - { vehicle: su7-max, share: 1 }
  arrivalSoC: [10, 15]
  targetSoC: [95, 100]
  dwellMinutes: 3
  idTagPattern: "HUB-{n}"
"""


@pytest.fixture
def site(pilegate_bin, workdir):
    gateway = interop.start_gateway(pilegate_bin, workdir, config=SITE_YAML)
    sim = None
    try:
        fleet = workdir / "hub-fleet.yaml"
        fleet.write_text(FLEET_YAML)
        with open(workdir / "sim.log", "wb") as log:
            sim = subprocess.Popen(
                [pilegate_bin, "sim", "--gateway", f"ws://{interop.HOST}:{gateway.port}/ocpp", "--fleet", str(fleet),
                 "--speed", "60", "--duration", "5m", "--simulators", str(REPO / "Simulators")],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
        yield gateway
    finally:
        if sim is not None:
            stop_process(sim)
        gateway.stop()


def chart_points(page, cls: str) -> list[tuple[float, float]]:
    text = page.evaluate(f"(document.querySelector('section.site[data-site-id=\"hub\"] svg.site-chart polyline.{cls}') || {{}}).getAttribute"
                         f" ? document.querySelector('section.site[data-site-id=\"hub\"] svg.site-chart polyline.{cls}').getAttribute('points') : ''")
    return [tuple(float(v) for v in pair.split(",")) for pair in (text or "").split()]


def test_the_sites_page_charts_the_site_power_under_its_limit(page, site):
    # The gateway shares the limit: every pile holds its third of 95 kW.
    def settled():
        status, body = site.http_get("/api/sites/hub")
        if status != 200:
            return False
        view = site.get_json("/api/sites/hub", expect_status=200)
        piles = view.get("piles", [])
        return len(piles) == 3 and all(p.get("limitKW") and abs(p["limitKW"] - 95 / 3) < 0.05 and p.get("measuredKW") is not None
                                       and p["measuredKW"] <= p["limitKW"] + 0.1 for p in piles)
    wait_until(settled, 60, 0.5, "three charging piles holding their shares")

    navigation = page.call("Page.navigate", {"url": f"{site.http_base}/sites"})
    assert "errorText" not in navigation, navigation
    wait_until(lambda: page.evaluate("document.readyState") == "complete", PAGE_LOAD_TIMEOUT, 0.1, "the page to load")
    wait_until(lambda: page.evaluate("document.querySelectorAll('section.site[data-site-id=\"hub\"] tr[data-pile]').length") == 3,
               15, 0.2, "a row per charging pile")
    wait_until(lambda: len(chart_points(page, "power")) >= 3, 15, 0.2, "the power line")

    power, limit = chart_points(page, "power"), chart_points(page, "limit")
    assert len(power) == len(limit), (power, limit)
    # SVG y grows downwards: under the limit line means a larger y at the same x. The last
    # points are after settling (the first ones may show the cars starting at full power).
    for (px, py), (lx, ly) in list(zip(power, limit))[-3:]:
        assert px == lx
        assert py > ly, f"power {py} is not under the limit line {ly}"
    assert page.evaluate("document.querySelector('section.site[data-site-id=\"hub\"]').dataset.over") == "false"
    states = page.evaluate("[...document.querySelectorAll('section.site[data-site-id=\"hub\"] tr[data-pile]')].map(r => r.dataset.state)")
    assert states == ["following"] * 3, states
    assert "Test hub" in page.evaluate("document.querySelector('section.site[data-site-id=\"hub\"] h2').textContent")
    page.drain(0.5)
    errors = page.page_errors()
    assert not errors, "JavaScript errors on the sites page:\n" + "\n".join(errors)
