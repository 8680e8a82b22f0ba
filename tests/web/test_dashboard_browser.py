"""The dashboard in a real headless Chromium against the app served by uvicorn: what a user sees matches the API."""

from __future__ import annotations

import httpx
import pytest
from transit_helpers import arrival, declaration
from web_support import CALIBRATION_YEAR, DESKTOP, PHONE, VIEWS, LiveServer, watch

from corridor.transit.schemas import PartyIn

ROUTE_QUERY = "origin=Xi'an&destination=Duisburg&avoid=RU,BY&k=2&currency=EUR"


def test_page_loads_without_errors_or_requests_outside_localhost(desk, live):
    response = desk.page.goto(live.url + "/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'self'" in csp
    desk.ready("map")
    desk.page.wait_for_selector("#map-counts[data-links]", state="attached")
    desk.page.wait_for_selector("#map[data-ready] path.basemap", state="attached")
    assert desk.errors == []
    assert desk.outside == []
    assert any(u.endswith("/network?year=2025") for u in desk.requests), desk.requests


def test_inline_script_is_refused_by_the_policy(desk, live):
    desk.open("map")
    from playwright.sync_api import Error

    with pytest.raises(Error, match="Content Security Policy"):  # what an injected <script> would meet
        desk.page.add_script_tag(content="document.body.dataset.inline = 'ran'")
    assert desk.page.get_attribute("body", "data-inline") is None


def test_map_shows_every_operating_link_of_the_year(desk, live, network):
    desk.open("map")
    desk.page.uncheck("#map-planned")
    desk.page.fill("#map-year", "2030")
    desk.page.dispatch_event("#map-year", "change")
    desk.page.wait_for_selector("#map-counts[data-year='2030']", state="attached")
    api = live.get("/network", year=2030, status="operating")
    links = {f["properties"]["link_id"] for f in api["features"] if f["properties"]["feature"] == "link"}
    assert links == set(network.at_year(2030).links["base_id"])
    assert desk.page.locator("#map path.net-link").count() == len(links)
    assert desk.page.locator("#map path.net-link.status-operating").count() == len(links)
    # with planned projects: every link open by 2030 (projects applied), planned ones with their status
    desk.page.check("#map-planned")
    every = live.get("/network", year=2030)
    every_links = [f["properties"] for f in every["features"] if f["properties"]["feature"] == "link"]
    assert any(p["status"] != "operating" for p in every_links)
    desk.page.wait_for_selector(f"#map-counts[data-links='{len(every_links)}']", state="attached")
    for status in {p["status"] for p in every_links}:
        drawn = desk.page.locator(f"#map path.net-link.status-{status}").count()
        assert drawn == sum(1 for p in every_links if p["status"] == status), status
    # the projects open by then are listed
    desk.page.wait_for_selector("#map-projects[data-year='2030']", state="attached")
    projects = live.get("/projects", year=2030)
    assert desk.page.locator("#projects tbody tr").count() == len(projects) > 0


def test_clicking_a_link_shows_its_values_and_sources(desk, live):
    desk.open("map")
    desk.page.wait_for_selector("#map-counts[data-links]", state="attached")
    desk.page.select_option("#map-inspect", "links:cpc")
    desk.page.wait_for_selector("#detail[data-record='cpc']", state="attached")
    api = live.get("/network/links/cpc", year=2025)
    text = desk.page.inner_text("#detail")
    assert api["values"]["name"] in text
    assert len(api["sources"]) == desk.page.locator("#detail ul.sources > li").count() > 0
    desk.page.locator("#map path.net-link.mode-rail").first.dispatch_event("click")  # as a pointer click on the line
    desk.page.wait_for_selector("#detail[data-record]:not([data-record='cpc'])", state="attached")


def test_route_planner_draws_xian_duisburg_avoiding_russia_and_belarus(desk, live):
    desk.open("routes", ROUTE_QUERY)
    desk.page.wait_for_selector("#route-results[data-routes]", state="attached")
    api = live.get("/routes", origin="Xi'an", destination="Duisburg", avoid="RU,BY", k=2, currency="EUR")
    assert desk.page.get_attribute("#route-results", "data-routes") == str(len(api["routes"]))
    for rank, route in enumerate(api["routes"], 1):
        assert not {"RU", "BY"} & set(route["countries"])
        rows = desk.page.locator(f"#route-table-{rank} tbody tr")
        assert rows.count() == len(route["legs"])
        for i, leg in enumerate(route["legs"]):
            cells = rows.nth(i).locator("td").all_inner_texts()
            assert cells[1] == leg["mode"]
            assert leg["from"] in cells[2] and (leg["kind"] != "link" or leg["to"] in cells[2])
            assert cells[6] == f"{leg['cost_usd']:,.0f}"
        total = desk.page.locator(f"#route-table-{rank} tfoot td").all_inner_texts()
        assert total[6] == f"{route['cost_usd']:,.0f}"
        totals = desk.page.locator(f"section.route[data-rank='{rank}'] .totals").inner_text()
        assert f"EUR {route['cost_local']['cost_eur']:,.0f}" in totals
        drawn = desk.page.locator(f"#map path.route-leg.rank-{rank}").count()
        assert drawn == sum(1 for f in api["geojson"]["features"] if f["properties"]["rank"] == rank)
    assert desk.errors == [] and desk.outside == []


def test_route_form_shows_a_refusal_as_a_message(desk):
    desk.open("routes", "origin=Atlantis&destination=Duisburg")
    desk.page.wait_for_selector("#route-results[data-routes='0']", state="attached")
    assert "Atlantis" in desk.page.inner_text("#status")


def test_corridors_chart_and_table_match_the_comparison(desk, live):
    desk.open("corridors")
    desk.page.wait_for_selector("#cmp-rows", state="attached")
    api = live.get("/compare", origin="Xi'an", destination="Duisburg", year=2025, currency="KZT")
    rows = desk.page.locator("#cmp-rows tbody tr")
    assert rows.count() == len(api["corridors"])
    for i, c in enumerate(api["corridors"]):
        cells = rows.nth(i).locator("td").all_inner_texts()
        assert cells[0] == c["name"]
        assert cells[1] == (f"{c['days']:.1f}" if c["available"] else "–")
    available = sum(1 for c in api["corridors"] if c["available"])
    for chart in ("cmp-days", "cmp-cost", "cmp-co2"):
        assert desk.page.get_attribute(f"#{chart}", "data-points") == str(available)


def test_year_slider_changes_the_flows(desk, live):
    desk.open("flows")
    desk.page.wait_for_selector("#fl-summary[data-year='2024']", state="attached")
    before = desk.page.get_attribute("#fl-summary", "data-flow-total")
    table_before = desk.page.inner_text("#bottlenecks")
    desk.page.fill("#fl-year", "2030")
    desk.page.dispatch_event("#fl-year", "change")
    desk.page.wait_for_selector("#fl-summary[data-year='2030']", state="attached")
    assert desk.page.get_attribute("#fl-summary", "data-flow-total") != before
    assert desk.page.inner_text("#bottlenecks") != table_before
    api = live.get("/scenarios/base/years/2030")
    first = desk.page.locator("#bottlenecks tbody tr").first.locator("td").all_inner_texts()
    assert first[0] == api["bottlenecks"][0]["name"] and first[3] == f"{api['bottlenecks'][0]['vc_ratio']:.2f}"
    drawn = desk.page.locator("#map path.flow-link").count()
    assert drawn == sum(1 for link in api["links"] if link["flow_t_per_year"] > 0 and len(link["coordinates"]) >= 2)
    desk.page.wait_for_selector("#fl-shares[data-points]", state="attached")


def test_text_from_data_is_shown_as_text(browser, network, tmp_path):
    """A place name and an evidence quote holding markup are displayed literally and never run."""
    hostile = "<img src=x onerror=\"document.body.dataset.pwned='1'\"><script>document.body.dataset.pwned='1'</script>Duisburg"
    nodes = network.nodes.copy()
    nodes.loc["duisburg", "name"] = hostile
    with LiveServer(network.replace(nodes=nodes), f"sqlite:///{tmp_path / 't.db'}") as server:
        context = browser.new_context(viewport=DESKTOP)
        w = watch(context, server.url)
        claim = {"subject": "link:btc", "subject_id": "link:btc", "property": "capacity", "value": 1.2, "unit": "Mb/d",
                 "verdict": "agrees", "sentence": "<script>document.body.dataset.pwned='1'</script> BTC carries 1.2 mb/d",
                 "source": "<b>bold</b> source"}  # fmt: skip
        w.page.route("**/dashboard/endpoints", lambda r: r.fulfill(json={"paths": ["/evidence/claims", "/evidence/conflicts"]}))
        w.page.route("**/evidence/claims?*", lambda r: r.fulfill(json={"items": [claim], "next_cursor": None}))
        w.page.route("**/evidence/conflicts?*", lambda r: r.fulfill(json={"items": [], "next_cursor": None}))
        w.open("routes", "origin=Xi'an&destination=duisburg&k=1")
        w.page.wait_for_selector("#route-results[data-routes='1']", state="attached")
        assert "<script>" in w.page.inner_text("#route-table-1") and hostile in w.page.inner_text("#route-results")
        w.open("map")
        w.page.select_option("#map-inspect", "nodes:duisburg")
        w.page.wait_for_selector("#detail[data-record='duisburg']", state="attached")
        assert hostile in w.page.inner_text("#detail")
        w.open("evidence")
        w.page.wait_for_selector("#ev-claims", state="attached")
        assert "<script>document.body.dataset.pwned='1'</script> BTC" in w.page.inner_text("#ev-claims")
        assert "<b>bold</b> source" in w.page.inner_text("#ev-claims")
        assert w.page.locator("#panel img, #panel script, #panel b").count() == 0
        assert w.page.get_attribute("body", "data-pwned") is None
        context.close()


KEY = "(t) => t.id || t.getAttribute('href') || t.value || ''"
RECORD_FOCUS = f"""() => {{
  window.focused = [];
  document.addEventListener("focusin", (e) => window.focused.push(({KEY})(e.target)));
}}"""
VISIBLE_CONTROLS = f"els => els.filter((e) => e.getClientRects().length > 0).map({KEY})"


def _tab_through(page, presses: int) -> set[str]:
    """Press Tab *presses* times from the skip link at the top; the ids (or link targets) that received focus."""
    page.evaluate(RECORD_FOCUS)
    page.locator("a.skip").focus()
    for _ in range(presses):
        page.keyboard.press("Tab")
    return set(page.evaluate("() => window.focused"))


def test_keyboard_alone_reaches_every_control(desk):
    for view in VIEWS:
        desk.open(view)
        controls = desk.page.locator(f"#view-{view}").locator("input, select, button, a[href]")
        wanted = set(controls.evaluate_all(VISIBLE_CONTROLS))
        seen = _tab_through(desk.page, presses=len(wanted) + len(VIEWS) + 4)  # + the tabs, the map and its zoom
        assert wanted, view
        missing = wanted - seen
        assert not missing, f"{view}: not reachable with Tab: {sorted(missing)}; reached {sorted(seen)}"
        assert {f"#{v}" for v in VIEWS} <= seen, f"{view}: tabs not reachable"
    # the tabs work from the keyboard: focus one and press Enter
    desk.page.locator("a[data-view='corridors']").focus()
    desk.page.keyboard.press("Enter")
    desk.ready("corridors")
    # a form submits with Enter from one of its fields
    desk.open("routes")
    desk.page.locator("#rt-origin").focus()
    desk.page.keyboard.press("Enter")
    desk.page.wait_for_selector("#route-results[data-routes]", state="attached")


@pytest.fixture
def transit_token(live):
    """An operator (who sees every declaration and event) and a holder's declaration with an arrival event."""
    service = live.app.state.service
    _, operator = service.create_party(PartyIn(name="Operator <i>web</i>", role="operator"), by=None)
    op = {"Authorization": f"Bearer {operator}"}
    holder = httpx.post(live.url + "/parties", json={"name": "Forwarder A", "role": "holder"}, headers=op).json()
    h = {"Authorization": f"Bearer {holder['token']}"}
    r = httpx.post(live.url + "/declarations", json=declaration("WEB-LRN-1"), headers=h)
    assert r.status_code == 201, r.text
    r = httpx.post(live.url + "/events", json=arrival("web-evt-1", container="CSQU3054383"), headers=op)
    assert r.status_code in (200, 201), r.text
    return operator


def test_transit_view_shows_a_partys_declarations_timeline_events_and_eta(desk, live, transit_token):
    auth = {"Authorization": f"Bearer {transit_token}"}
    desk.open("transit")
    desk.page.fill("#tr-token", transit_token)
    desk.page.keyboard.press("Enter")
    desk.page.wait_for_selector("#tr-declarations", state="attached")
    assert "Operator <i>web</i>" in desk.page.inner_text("#tr-party")
    rows = desk.page.locator("#tr-declarations tbody tr")
    api = httpx.get(live.url + "/declarations", headers=auth).json()
    assert rows.count() == len(api) >= 1
    rows.first.locator("button").click()
    desk.page.wait_for_selector("#tr-timeline li", state="attached")
    audit = httpx.get(f"{live.url}/declarations/{api[0]['id']}/audit", headers=auth).json()
    assert desk.page.locator("#tr-timeline li").count() == len(audit)
    events = httpx.get(f"{live.url}/events", params={"equipmentReference": "CSQU3054383"}, headers=auth).json()["events"]
    assert desk.page.locator("#tr-events tbody tr").count() == len(events) >= 1
    assert api[0]["lrn"] in desk.page.inner_text("#tr-detail")
    assert desk.errors == []


def test_screenshots_of_every_view_on_a_desktop_and_a_phone(browser, live):
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport)
        w = watch(context, live.url)
        for view in VIEWS:
            query = {"routes": ROUTE_QUERY, "flows": "scenario=base&year=2030"}.get(view, "")
            w.open(view, query)
            if view == "routes":
                w.page.wait_for_selector("#route-results[data-routes]", state="attached")
            if view == "flows":
                w.page.wait_for_selector("#fl-summary[data-year='2030']", state="attached")
                w.page.wait_for_selector("#fl-shares[data-points]", state="attached")
            w.page.wait_for_timeout(200)
            path = w.shot(f"{view}-{label}")
            assert path.stat().st_size > 10_000
            width = w.page.locator("html").evaluate("e => e.scrollWidth")
            assert width <= viewport["width"], f"{view} on {label}: page is {width}px wide"
        assert w.errors == [] and w.outside == [], (w.errors, w.outside)
        context.close()


def test_dashboard_endpoints_lists_the_api(live):
    paths = live.get("/dashboard/endpoints")["paths"]
    assert {"/network", "/routes", "/scenarios/{name}/years/{year}", "/declarations", "/simulation/corridors"} <= set(paths)


def test_simulation_view_shows_the_api_percentiles_and_components(desk, live):
    """The Simulation view draws p10–p90 per corridor and its table matches /simulation/corridors."""
    api = live.get("/simulation/corridors")
    assert api["corridors"], "the base scenario simulates at least one corridor"
    desk.open("simulation")
    desk.page.wait_for_selector("#sim-table tbody tr", timeout=120_000)
    ids = desk.page.locator("#sim-table tbody tr td:first-child").all_inner_texts()
    assert sorted(ids) == sorted(c["corridor_id"] for c in api["corridors"])
    assert desk.page.locator("#sim-components tbody tr").count() == sum(len(c["components"]) for c in api["corridors"])
    components = {k for c in api["corridors"] for k in c["components"]}
    assert desk.page.get_attribute("#sim-breakdown", "data-points") == str(len(components) * len(api["corridors"]))
    assert desk.errors == [] and desk.outside == []


def test_calibration_view_shows_the_fit_per_count_site(desk, live):
    """The Calibration view charts observed vs modelled per site; its table rows are the API's sites, sources as text."""
    api = live.get(f"/calibration/{CALIBRATION_YEAR}")
    desk.open("calibration")
    desk.page.wait_for_selector("#cal-sites tbody tr", state="attached", timeout=300_000)
    rows = desk.page.locator("#cal-sites tbody tr")
    assert rows.count() == len(api["sites"]) > 0
    for i, site in enumerate(api["sites"]):
        cells = rows.nth(i).locator("td").all_inner_texts()
        assert cells[0] == site["site_id"] and cells[3] == site["unit"]
        assert cells[1] == f"{site['observed']:,.0f}" and cells[2] == f"{site['modelled']:,.0f}"
        assert " ".join(cells[-1].split()) == " ".join(site["source"].split())
    assert desk.page.locator("#cal-sites span.quote").count() == len(api["sites"])  # the sources, as text nodes
    assert desk.page.get_attribute("#cal-chart", "data-points") == str(3 * len(api["sites"]))
    summary = desk.page.inner_text("#cal-summary")
    assert f"{round(api['summary']['share_within_15pct'] * 100)}%" in summary and api["summary"]["geh_unit"] in summary
    assert desk.errors == [] and desk.outside == []
    # another year without counts is refused with a message naming the field, not an empty table
    desk.page.fill("#cal-year", "2031")
    desk.page.keyboard.press("Enter")
    desk.page.wait_for_selector("#status.error", state="attached", timeout=60_000)
    assert "year" in desk.page.inner_text("#status")
    assert all("422" in e for e in desk.errors), desk.errors  # only the browser's line about the refused request


def test_evidence_view_lists_the_claims_and_conflicts(desk, live):
    claims = live.get("/evidence/claims", limit=100)["items"]
    conflicts = live.get("/evidence/conflicts", limit=50)["items"]
    desk.open("evidence")
    rows = desk.page.locator("#ev-claims tbody tr")
    assert rows.count() == len(claims) > 0
    for i, claim in enumerate(claims):
        cells = rows.nth(i).locator("td").all_inner_texts()
        assert cells[4] == claim["verdict"] and " ".join(cells[5].split()) == " ".join(claim["sentence"].split())
    assert desk.page.locator("#ev-out h4").count() == len(conflicts)
    assert desk.errors == [] and desk.outside == []
