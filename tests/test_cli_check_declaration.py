"""``corridor check --declaration ID``: the trade rules on a stored declaration, as the transit service applies them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from cli_helpers import _shipped, invoke, ok, ok_json, refused

from corridor.transit import TransitService
from corridor.transit.db import make_engine, migrate
from corridor.transit.schemas import DeclarationIn, PartyIn

sys.path.insert(0, str(Path(__file__).parent / "transit"))
from transit_payloads import declaration

ITINERARY = ["ekibastuz", "astana", "petropavl", "yekaterinburg", "moscow", "ust_luga", "rotterdam"]


def _coal(lrn: str, owner: str) -> DeclarationIn:
    body = declaration(lrn, hs="270112", submit=False)
    body.update(office_departure="ekibastuz", office_destination="rotterdam", offices_transit=[], itinerary=ITINERARY)
    body.update(owner_country=owner)
    body["goods"][0].update(description="Steam coal", origin_country="KZ")
    return DeclarationIn.model_validate(body)


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> tuple[str, int, int]:
    """(database URL, id of a draft owned in Kazakhstan, id of a draft owned in Russia)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('check') / 'transit.sqlite'}"
    engine = make_engine(url)
    migrate(engine)
    svc = TransitService(_shipped(), engine)
    svc.start()
    holder = svc.create_party(PartyIn(name="Forwarder", role="holder"), by=None)[0]
    kz = svc.create_declaration(holder, _coal("CHK-KZ", "KZ"))["id"]
    ru = svc.create_declaration(holder, _coal("CHK-RU", "RU"))["id"]
    svc.close()
    engine.dispose()
    return url, kz, ru


def test_allowed_declaration_lists_every_rule_with_citation(stored):
    url, kz, _ = stored
    text = ok("check", "--declaration", str(kz), "--database-url", url).stdout
    assert "CHK-KZ" in text and "eu18_kz_coal_ports" in text and "permits" in text and "us_kz_tariff_2025" in text
    assert "18th" in text and "Fergana" in text and "allowed by the trade rules" in text
    doc = ok_json("check", "--declaration", str(kz), "--database-url", url, "--date", "2025-09-01")
    [goods] = doc["goods"]
    assert doc["allowed"] and goods["cargo"] == "coal" and goods["countries"] == ["KZ", "RU", "NL"]
    assert {v["rule_id"] for v in goods["verdicts"]} >= {"eu16_ru_port_ban", "eu18_kz_coal_ports", "avoid_ru"}


def test_refused_declaration_names_rule_path_and_citation_and_exits_1(stored):
    url, _, ru = stored
    result = invoke("check", "--declaration", str(ru), "--database-url", url, "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    [f] = doc["failures"]
    assert not doc["allowed"] and f["rule"] == "eu16_ru_port_ban" and f["path"] == "itinerary"
    assert "16th sanctions package" in f["citation"]
    text = invoke("check", "--declaration", str(ru), "--database-url", url)
    assert text.exit_code == 1 and "REFUSED by rule eu16_ru_port_ban at itinerary" in text.stderr


def test_before_the_ban_the_same_declaration_passes(stored):
    url, _, ru = stored
    assert ok_json("check", "--declaration", str(ru), "--database-url", url, "--date", "2025-02-23")["allowed"]


def test_unknown_declaration_and_missing_cargo_are_one_line_errors(stored):
    url, _, _ = stored
    assert "no declaration 999" in refused("check", "--declaration", "999", "--database-url", url).stderr
    assert "--cargo" in refused("check", "--route", "Aktau,Baku").stderr
    assert "not used with --declaration" in refused("check", "--declaration", "1", "--owner", "KZ", "--database-url", url).stderr
