"""Rules as data: each shipped rule applies and does not apply at its boundaries; routing honours them; bad rule
files are refused with file, line and field; the CLI explains refusals."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from cli_helpers import invoke, ok_json, refused

from corridor.data import DATASET_DIR, read_dataset
from corridor.data.rules_file import read_rules
from corridor.errors import DataError, NoRouteError
from corridor.routing.ruled import find_routes_under_rules, shipment_for
from corridor.rules import RulePath, Shipment, evaluate, evaluate_declaration

USTLUGA = RulePath(("ekibastuz", "moscow", "ust_luga", "rotterdam"), ("KZ", "RU", "NL"))
MIDDLE = RulePath(("ekibastuz", "aktau", "baku", "poti", "constanta", "rotterdam"), ("KZ", "AZ", "GE", "RO", "NL"))


@pytest.fixture(scope="module")
def shipped():
    return read_dataset()


@pytest.fixture(scope="module")
def rules(shipped):
    return read_rules(net=shipped)


def coal(day: str, owner: str | None = "KZ", **kw) -> Shipment:
    base = {"cargo": "coal", "cargo_class": "dry_bulk", "origin_country": "KZ", "destination_country": "NL", "hs_code": "2701"}
    return Shipment(date=dt.date.fromisoformat(day), owner_country=owner, **{**base, **kw})


def outcome(rules, shipment, path, rule_id):
    return next(v for v in evaluate(rules, shipment, path).verdicts if v.rule_id == rule_id)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2025-02-23", "not_applicable"),  # the day before the 16th package's port ban
        ("2025-02-24", "refused"),  # ban in force, no exemption yet
        ("2025-07-17", "refused"),  # the day before the 18th package
        ("2025-07-18", "lifted"),  # exemption for Kazakh coal in force
    ],
)
def test_port_ban_and_coal_exemption_by_date(rules, day, expected):
    assert outcome(rules, coal(day), USTLUGA, "eu16_ru_port_ban").outcome == expected


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"owner": "RU"}, "owner RU is from EU_SANCTIONED"),
        ({"owner": "BY"}, "owner BY is from EU_SANCTIONED"),
        ({"owner": None}, "owner's country is not stated"),
        ({"origin_country": "RU"}, "origin RU is not among KZ"),
        ({"cargo": "grain", "hs_code": "1001"}, "cargo grain is not among coal"),
        ({"purpose": "storage"}, "purpose storage is not among"),
        ({"purpose": "sale"}, "purpose sale is not among"),
    ],
)
def test_exemption_does_not_apply_beyond_its_conditions(rules, change, why):
    owner = change.pop("owner", "KZ")
    verdict = outcome(rules, coal("2025-09-01", owner, **change), USTLUGA, "eu16_ru_port_ban")
    assert verdict.outcome == "refused"
    assert why in verdict.reason and "eu18_kz_coal_ports" in verdict.reason


def test_exemption_applies_to_kazakh_owned_coal_loaded_at_ust_luga(rules):
    for purpose in ("transit", "loading_dispatch"):
        assessment = evaluate(rules, coal("2025-09-01", "KZ", purpose=purpose), USTLUGA)
        assert assessment.allowed
        assert {v.rule_id: v.outcome for v in assessment.applying} == {
            "eu16_ru_port_ban": "lifted",
            "eu18_kz_coal_ports": "permits",
        }


def test_port_ban_needs_the_port_and_an_eu_destination(rules):
    assert evaluate(rules, coal("2025-03-01", "RU"), MIDDLE).allowed  # no listed port on the route
    to_turkey = coal("2025-03-01", "RU", destination_country="TR")
    assert outcome(rules, to_turkey, USTLUGA, "eu16_ru_port_ban").reason == "destination TR is not among EU"


def test_russian_coal_import_ban(rules):
    russian = coal("2022-08-10", "RU", origin_country="RU")
    assert outcome(rules, russian, MIDDLE, "eu_ru_coal_import_ban").outcome == "refused"
    assert (
        outcome(rules, coal("2022-08-09", "RU", origin_country="RU"), MIDDLE, "eu_ru_coal_import_ban").outcome == "not_applicable"
    )


def _us(day: str, hs: str, origin: str = "KZ") -> Shipment:
    return Shipment("ores_minerals", "dry_bulk", origin, "US", dt.date.fromisoformat(day), "KZ", hs, 1000.0)


def test_us_tariff_boundaries(rules):
    path = RulePath(("aktau", "baku"), ("KZ", "AZ", "US"))
    duty = outcome(rules, _us("2025-08-01", "8112"), path, "us_kz_tariff_2025")
    assert duty.outcome == "duty" and duty.duty_usd == pytest.approx(250.0)
    assert evaluate(rules, _us("2025-08-01", "8112"), path).duty_usd == pytest.approx(250.0)
    assert outcome(rules, _us("2025-07-31", "8112"), path, "us_kz_tariff_2025").outcome == "not_applicable"
    exempt = outcome(rules, _us("2025-08-01", "261210"), path, "us_kz_tariff_2025")
    assert exempt.outcome == "not_applicable" and "exempt (heading 2612)" in exempt.reason
    assert outcome(rules, _us("2025-08-01", "8112", origin="UZ"), path, "us_kz_tariff_2025").outcome == "not_applicable"


def test_policies_apply_only_when_chosen(rules):
    plain = coal("2025-09-01")
    assert outcome(rules, plain, USTLUGA, "avoid_ru").outcome == "not_applicable"
    chosen = coal("2025-09-01", policies=frozenset({"avoid_ru"}))
    assert outcome(rules, chosen, USTLUGA, "avoid_ru").outcome == "refused"
    assert outcome(rules, chosen, MIDDLE, "avoid_ru").outcome == "not_applicable"


def test_declaration_refusal_names_rule_path_and_citation(rules):
    result = evaluate_declaration(
        rules, cargo="coal", cargo_class="dry_bulk", origin_country="kz", destination_country="NL", owner_country="RU",
        route_nodes=USTLUGA.nodes, route_countries=USTLUGA.countries, date=dt.date(2025, 9, 1),
    )  # fmt: skip
    assert not result.allowed
    message = result.refusal_message()
    assert "eu16_ru_port_ban" in message and "ekibastuz → moscow → ust_luga → rotterdam" in message
    assert "16th sanctions package" in message


def test_routing_uses_ust_luga_only_when_the_exemption_holds(shipped, rules):
    def run(owner: str):
        s = shipment_for(
            shipped, "Ekibastuz", "Rotterdam", cargo="coal", date=dt.date(2025, 9, 1), origin_country="KZ", owner_country=owner
        )
        return find_routes_under_rules(shipped, "Ekibastuz", "Rotterdam", rules=rules, shipment=s, objective="cost")

    kazakh = run("KZ")
    assert "ust_luga" in kazakh.routes[0].nodes and not kazakh.refused
    russian = run("RU")
    assert all("ust_luga" not in r.nodes for r in russian.routes)
    assert [v.rule_id for _, a in russian.refused for v in a.refusals] == ["eu16_ru_port_ban"]
    assert "ust_luga" in russian.refused[0][0].nodes
    # coal travels by rail and water only
    assert {leg.mode for r in [*kazakh.routes, *russian.routes] for leg in r.legs} <= {
        "rail",
        "sea",
        "river",
        "ferry",
        "transfer",
    }


def test_no_allowed_route_names_the_rule(shipped, rules):
    s = shipment_for(shipped, "Moscow", "Rotterdam", cargo="coal", date=dt.date(2025, 9, 1), policies=["avoid_ru"])
    with pytest.raises(NoRouteError, match="avoid_ru"):
        find_routes_under_rules(shipped, "Moscow", "Rotterdam", rules=rules, shipment=s)
    with pytest.raises(DataError, match="policy"):
        bad = shipment_for(shipped, "Moscow", "Rotterdam", cargo="coal", date=dt.date(2025, 9, 1), policies=["avoid_mars"])
        find_routes_under_rules(shipped, "Moscow", "Rotterdam", rules=rules, shipment=bad)


REQUIRE_ROW = {
    "rule_id": "tr_owner_rule", "title": "Test requirement", "kind": "law", "effect": "require", "legal_source": "test",
    "assumption": "test rule", "route_countries": "TR", "owner_countries": "TR;AZ",
}  # fmt: skip


def _write_rules(folder: Path, rows: list[dict]) -> Path:
    with (DATASET_DIR / "rules.csv").open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    path = folder / "rules.csv"
    shutil.copy(DATASET_DIR / "rules.csv", path)
    with path.open("a", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        for r in rows:
            w.writerow({k: r.get(k, "") for k in header})
    return path


def test_require_rule_refuses_when_its_conditions_fail(tmp_path, shipped):
    path = _write_rules(tmp_path, [REQUIRE_ROW])
    rules = read_rules(net=shipped, file=path)
    route = RulePath(("baku", "kars"), ("AZ", "GE", "TR"))
    s = coal("2025-09-01", "KZ", destination_country="TR")
    assert outcome(rules, s, route, "tr_owner_rule").outcome == "refused"
    assert outcome(rules, coal("2025-09-01", "AZ", destination_country="TR"), route, "tr_owner_rule").outcome == "satisfied"
    assert outcome(rules, s, MIDDLE, "tr_owner_rule").outcome == "not_applicable"


def test_bad_rule_file_names_file_line_and_field(tmp_path, shipped):
    bad = [
        {**REQUIRE_ROW, "rule_id": "bad_effect", "effect": "maybe"},
        {**REQUIRE_ROW, "rule_id": "bad_country", "route_countries": "XX"},
        {**REQUIRE_ROW, "rule_id": "bad_node", "route_nodes": "atlantis"},
        {**REQUIRE_ROW, "rule_id": "no_duty", "effect": "duty"},
        {**REQUIRE_ROW, "rule_id": "no_target", "effect": "permit"},
        {**REQUIRE_ROW, "rule_id": "bad_target", "effect": "permit", "overrides": "no_such_rule"},
        {**REQUIRE_ROW, "rule_id": "reversed", "in_force_from": "2025-02-01", "in_force_to": "2025-01-01"},
        {**REQUIRE_ROW, "rule_id": "uncited", "assumption": ""},
        {**REQUIRE_ROW, "rule_id": "bad_date", "in_force_from": "2025-13-01"},
        {**REQUIRE_ROW, "rule_id": "bad_kind", "kind": "custom"},
    ]
    path = _write_rules(tmp_path, bad)
    first = sum(1 for _ in (DATASET_DIR / "rules.csv").open(encoding="utf-8")) + 1
    with pytest.raises(DataError) as info:
        read_rules(net=shipped, file=path)
    text = str(info.value)
    for offset, field, value in [
        (0, "effect", "'maybe'"), (1, "route_countries", "'XX'"), (2, "route_nodes", "'atlantis'"), (3, "duty_pct", "''"),
        (4, "overrides", "''"), (5, "overrides", "'no_such_rule'"), (6, "in_force_to", "'2025-01-01'"),
        (7, "assumption", "''"), (8, "in_force_from", "'2025-13-01'"), (9, "kind", "'custom'"),
    ]:  # fmt: skip
        assert f"rules.csv:{first + offset}: field '{field}' = {value}" in text, (field, text)


def test_cli_route_coal_both_ways():
    args = ("route", "Ekibastuz", "Rotterdam", "--cargo", "coal", "--origin", "KZ", "--date", "2025-09-01", "-o", "cost")
    kazakh = ok_json(*args, "--owner", "KZ")
    assert "ust_luga" in [leg["to_node"] for leg in kazakh["routes"][0]["legs"]]
    russian = ok_json(*args, "--owner", "RU")
    assert "ust_luga" not in [leg["to_node"] for r in russian["routes"] for leg in r["legs"]]
    assert russian["refused"][0]["rules"]["verdicts"][0]["rule_id"] == "eu16_ru_port_ban"


def test_cli_check_explains_refusal():
    args = ("check", "--route", "Ekibastuz,Ust-Luga,Rotterdam", "--cargo", "coal", "--origin", "KZ", "--date", "2025-09-01")
    result = invoke(*args, "--owner", "RU", "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    refusal = next(v for v in doc["verdicts"] if v["outcome"] == "refused")
    assert refusal["rule_id"] == "eu16_ru_port_ban" and "Fergana" in refusal["citation"]
    assert ok_json(*args, "--owner", "KZ")["allowed"] is True
    refused(*args, "--policy", "avoid_mars")
    refused(*args, "--date", "1 Sept")
    refused("check", "--route", "Ekibastuz", "--cargo", "coal")
    refused(*args, "--owner", "ZZ")


def test_cli_check_us_tariff_duty():
    args = ("check", "--route", "Aktau,Baku,Poti", "--cargo", "ores_minerals", "--origin", "KZ", "--value", "100000")
    args += ("--destination-country", "US", "--date", "2025-09-01")
    assert ok_json(*args, "--hs", "8112")["duty_usd"] == pytest.approx(25000.0)
    assert ok_json(*args, "--hs", "261210")["duty_usd"] == 0.0  # uranium ores are exempt
    refused(*args, "--hs", "uranium")


def test_network_validate_checks_the_side_tables(tmp_path):
    folder = tmp_path / "dataset"
    shutil.copytree(DATASET_DIR, folder)
    _write_rules(folder, [{**REQUIRE_ROW, "rule_id": "bad_effect", "effect": "maybe"}])
    lines = sum(1 for _ in (folder / "rules.csv").open(encoding="utf-8"))
    result = refused("network", "validate", str(folder))
    assert f"rules.csv:{lines}: field 'effect' = 'maybe'" in result.stderr
    ok_json("network", "validate", str(DATASET_DIR))


def test_a_folder_without_side_tables_still_routes(tmp_path):
    folder = tmp_path / "dataset"
    shutil.copytree(DATASET_DIR, folder)
    for name in ("rules", "link_seasons", "digital_procedures", "data_links", "fx_history", "project_register", "project_stages"):
        (folder / f"{name}.csv").unlink()
    args = ("route", "Ekibastuz", "Rotterdam", "--cargo", "coal", "--owner", "RU", "--date", "2025-09-01")
    doc = ok_json(*args, "--data", str(folder))
    assert "ust_luga" in doc["routes"][0]["rules"]["path"]  # no rules in this folder: nothing refuses Ust-Luga
    assert ok_json("projects", "--data", str(folder))["projects"] == []
    ok_json("network", "validate", str(folder))
