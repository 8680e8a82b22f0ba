"""Trade rules on declarations: the dataset's sanctions rules refuse a declaration (422) with rule id, path and
citation; allowed ones pass; the rules' dates in force are honoured at their boundaries."""

from __future__ import annotations

import datetime as dt

import pytest
from transit_payloads import decl_in, declaration

from corridor.transit.errors import TransitError
from corridor.transit.schemas import DeclarationIn
from corridor.transit.trade_rules import cargo_of, itinerary_countries

#: Kazakh coal by rail to the Russian Baltic port of Ust-Luga, then by sea to Rotterdam (a route of the dataset)
COAL_ITINERARY = ["ekibastuz", "astana", "petropavl", "yekaterinburg", "moscow", "ust_luga", "rotterdam"]


def coal(lrn: str, *, owner: str | None = "KZ", origin: str = "KZ", hs: str = "270112", submit: bool = True) -> DeclarationIn:
    body = declaration(lrn, hs=hs, submit=submit, container="CSQU3054383")
    body.update(
        office_departure="ekibastuz", office_destination="rotterdam", offices_transit=[], itinerary=list(COAL_ITINERARY),
        owner_country=owner,
    )  # fmt: skip
    body["goods"][0].update(description="Steam coal", origin_country=origin)
    return DeclarationIn.model_validate(body)


def _refusal(svc, party, data: DeclarationIn) -> TransitError:
    with pytest.raises(TransitError) as e:
        svc.create_declaration(party, data)
    assert e.value.status == 422 and e.value.title == "refused by trade rules"
    return e.value


def test_owner_from_sanctioned_country_is_refused_with_rule_path_and_citation(svc, cast):
    err = _refusal(svc, cast.holder, coal("TR-RU", owner="RU"))
    [f] = err.failures
    assert f["rule"] == "eu16_ru_port_ban" and f["path"] == "itinerary" and f["value"] == ["ust_luga"]
    assert "eu18_kz_coal_ports does not apply" in f["message"] and "owner RU" in f["message"]
    assert "16th sanctions package" in f["citation"]
    assert "ban on transactions involving several Russian ports" in f["citation"]
    assert "eu16_ru_port_ban" in err.detail
    assert svc.list(cast.holder) == []  # nothing stored


def test_kazakh_coal_owned_in_kazakhstan_passes_and_the_permit_is_audited(svc, cast):
    d = svc.create_declaration(cast.holder, coal("TR-KZ"))
    assert d["status"] == "submitted" and d["errors"] == []
    submit = next(a for a in svc.audit(cast.holder, d["id"]) if a["action"] == "submit")
    outcomes = {(r["rule"], r["outcome"]) for r in submit["detail"]["trade_rules"]}
    assert outcomes == {("eu16_ru_port_ban", "lifted"), ("eu18_kz_coal_ports", "permits")}


def test_unstated_owner_and_other_goods_through_the_port_are_refused(sqlite_svc):
    from transit_payloads import Cast

    cast = Cast(sqlite_svc)
    err = _refusal(sqlite_svc, cast.holder, coal("TR-NONE", owner=None))
    assert err.failures[0]["rule"] == "eu16_ru_port_ban" and "owner's country is not stated" in err.failures[0]["message"]
    err = _refusal(sqlite_svc, cast.holder, coal("TR-LAPTOP", hs="847130", origin="CN"))  # the permit covers coal only
    assert err.failures[0]["path"] == "itinerary" and "cargo container is not among coal" in err.failures[0]["message"]


def test_russian_coal_is_refused_on_its_origin(sqlite_svc):
    from transit_payloads import Cast

    cast = Cast(sqlite_svc)
    err = _refusal(sqlite_svc, cast.holder, coal("TR-RUCOAL", origin="RU"))
    paths = {f["rule"]: (f["path"], f["value"]) for f in err.failures}
    assert paths["eu_ru_coal_import_ban"] == ("goods[0].origin_country", "RU")
    assert "assumption" in next(f["citation"] for f in err.failures if f["rule"] == "eu_ru_coal_import_ban")


def test_a_draft_is_refused_on_submit_and_stays_a_draft(sqlite_svc):
    from transit_payloads import Cast

    cast = Cast(sqlite_svc)
    d = sqlite_svc.create_declaration(cast.holder, coal("TR-DRAFT", owner="BY", submit=False))
    assert d["status"] == "draft"
    with pytest.raises(TransitError) as e:
        sqlite_svc.submit(cast.holder, d["id"])
    assert e.value.status == 422 and e.value.failures[0]["rule"] == "eu16_ru_port_ban"
    assert sqlite_svc.get(cast.holder, d["id"])["status"] == "draft"


def test_the_usual_middle_corridor_declaration_meets_no_trade_rule(sqlite_svc):
    from transit_payloads import Cast

    cast = Cast(sqlite_svc)
    d = sqlite_svc.create_declaration(cast.holder, decl_in("TR-MC"))
    assert d["status"] == "submitted"
    assert all(not i.assessment.applying for i in sqlite_svc.declarations.assess(decl_in("TR-MC")))


def test_bad_owner_country_is_a_business_rule_failure(sqlite_svc):
    from transit_payloads import Cast

    cast = Cast(sqlite_svc)
    d = sqlite_svc.create_declaration(cast.holder, coal("TR-XX", owner="XX"))
    assert d["status"] == "rejected"
    assert [(f["rule"], f["path"], f["value"]) for f in d["errors"]] == [("R016", "owner_country", "XX")]


@pytest.mark.parametrize(
    ("owner", "date", "refused"),
    [
        ("RU", dt.date(2025, 2, 23), []),  # the port ban is not yet in force
        ("RU", dt.date(2025, 2, 24), ["eu16_ru_port_ban"]),  # its first day
        ("KZ", dt.date(2025, 7, 17), ["eu16_ru_port_ban"]),  # the Kazakh exemption starts the next day
        ("KZ", dt.date(2025, 7, 18), []),
    ],
)
def test_rules_apply_from_their_first_day_in_force(sqlite_svc, owner, date, refused):
    items = sqlite_svc.declarations.assess(coal("TR-DATE", owner=owner), date)
    assert [v.rule_id for i in items for v in i.assessment.refusals] == refused


def test_mapping_of_goods_and_itinerary(sqlite_svc):
    assert cargo_of("270112", True) == ("coal", "dry_bulk")
    assert cargo_of("100199", False) == ("grain", "dry_bulk")
    assert cargo_of("847130", True) == ("container", "container")
    assert cargo_of("847130", False) == ("dry_bulk", "dry_bulk")
    assert itinerary_countries(sqlite_svc.store.node_country, COAL_ITINERARY) == ["KZ", "RU", "NL"]
    assert itinerary_countries({"a": "KZ", "b": "KZ"}, ["a", "b", "unknown"]) == ["KZ"]
