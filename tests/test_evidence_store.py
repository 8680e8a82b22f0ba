"""The evidence workflow on real parts: ingest into SQLite and PostgreSQL, idempotency, bad input, linking to the
model, conflicts, review decisions that survive re-ingesting, and promotion into a dataset copy."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from transit_helpers import pg_bin, postgres_server

from corridor.data import DATASET_DIR, read_dataset
from corridor.errors import DataError
from corridor.evidence.claims import Claim
from corridor.evidence.conflicts import find_groups
from corridor.evidence.ingest import page_from_bytes, read_page
from corridor.evidence.link import Verdict, link_claim, model_values
from corridor.evidence.pipeline import Evidence
from corridor.evidence.store import Base, Document, decode_cursor, encode_cursor

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed pages not found at {SEEDS}")

BTC_PAGE = (
    "  • KZT/USD = 0.00191 0%\n  • KZT/USD = 0.00191 0%\n13 November 2025\n\nViewing results 1 - 6 of 5\n\n"
    "Kazakhstan to Boost Oil Exports\n\n“Currently, 1.4 million tons of Kazakh oil are transported annually to Turkey "
    "through the BTC pipeline.” Expansion has been limited by the pipeline’s capacity, 50 million tons annually, with "
    "Kazakhstan allocated a quota of 1.5 million tons. The government now aims to reach 1.5 million tons in 2025.\n"
)
OTHER_PAGE = (
    "21 December 2024\n\nThe Baku-Tbilisi-Ceyhan (BTC) pipeline is projected to carry 1.7 million tons of Kazakh oil in 2025.\n"
)

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(pg_bin() is None, reason="no PostgreSQL"))]


@pytest.fixture(scope="module")
def net():
    return read_dataset()


@pytest.fixture(scope="module")
def pg_url():
    with postgres_server() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def ev(request, tmp_path, net):
    if request.param == "sqlite":
        return Evidence(net, f"sqlite:///{tmp_path / 'evidence.sqlite'}")
    url = request.getfixturevalue("pg_url")
    Base.metadata.drop_all(create_engine(url.replace("postgresql://", "postgresql+psycopg://")))
    return Evidence(net, url)


@pytest.fixture
def pages(tmp_path):
    a, b = tmp_path / "btc.txt", tmp_path / "other.txt"
    a.write_text(BTC_PAGE, encoding="utf-8")
    b.write_text(OTHER_PAGE, encoding="utf-8")
    return a, b


def test_ticker_and_pagination_noise_is_handled(pages):
    page = read_page(pages[0])
    assert page.text.count("KZT/USD") == 1
    assert "Viewing results" not in page.text
    assert page.published == date(2025, 11, 13)


def test_ingest_is_idempotent_and_filters_work(ev, pages):
    first = ev.ingest(list(pages))
    assert [o.result.created for o in first] == [True, True]
    again = ev.ingest(list(pages))
    assert [o.result.created for o in again] == [False, False]
    assert [o.result.document_id for o in again] == [o.result.document_id for o in first]
    assert len(ev.store.documents()) == 2
    btc = ev.claims(subject="btc")
    assert {c.surface for c in btc} >= {"1.4 million tons", "1.5 million tons", "50 million tons annually", "1.7 million tons"}
    assert all(c.subject_id == "link:btc" for c in btc)
    assert {c.property for c in ev.claims(property="exchange_rate")} == {"exchange_rate"}
    page1 = ev.store.claims(limit=2)
    page2 = ev.store.claims(after_id=decode_cursor(encode_cursor(page1[-1][0].id)), limit=2)
    assert page1[-1][0].id < page2[0][0].id


def test_verdicts_against_the_model(ev, pages):
    ev.ingest(list(pages))
    by = {(c.surface, c.modality): c.link for c in ev.claims(subject="btc")}
    quota = by[("1.5 million tons", "quota")]
    assert quota["verdict"] == "supports" and quota["model_ref"] == "parameters/kz_btc_quota_t_per_year/value"
    actual = by[("1.4 million tons", "actual")]
    assert actual["verdict"] == "utilisation" and actual["ratio"] == pytest.approx(1.4 / 1.5, rel=1e-3)
    assert by[("50 million tons annually", "capacity")]["model_ref"] == "links/btc/capacity_t_per_year"
    fx = ev.claims(property="exchange_rate")[0].link
    assert fx["verdict"] == "supports" and fx["tolerance"] == 0.05


def test_link_contradiction_and_not_comparable(net):
    values = model_values(net)
    base = dict(start=0, end=1, surface="x", sentence="x", value_low=None, value_high=None, bound="exact", currency=None,
                rate="year", period_start=None, period_end=None, subject="BTC", subject_id="link:btc")  # fmt: skip
    too_big = Claim(value=70, unit="Mt", modality="capacity", property="capacity", **base)
    assert link_claim(too_big, values).verdict == Verdict.CONTRADICTS
    over_quota = Claim(value=3, unit="Mt", modality="actual", property="flow", **base)
    assert link_claim(over_quota, values).verdict == Verdict.CONTRADICTS
    unknown = Claim(value=3, unit="Mt", modality="actual", property="flow", **{**base, "subject_id": "node:warsaw"})
    assert link_claim(unknown, values).verdict == Verdict.NOT_COMPARABLE


def test_conflicts_group_the_btc_figures_with_every_source(ev, pages):
    ev.ingest(list(pages))
    groups = [g for g in ev.conflicts() if g.subject_id == "link:btc" and g.period == "2025"]
    assert len(groups) == 1
    g = groups[0]
    assert g.conflict  # 1.7 Mt projected against a 1.5 Mt target, beyond 5 %
    sources = {m.source for m in g.members}
    assert sources == {"btc.txt", "other.txt"}
    assert {(m.value, m.modality) for m in g.members} >= {(1.4, "actual"), (1.5, "quota"), (1.5, "target"), (1.7, "projected")}


def test_overlapping_ranges_do_not_conflict():
    common = dict(start=0, end=1, surface="x", sentence="x", bound="exact", unit="Mt", currency=None, rate=None,
                  period_start="2024-01-01", period_end="2024-12-31", modality="actual", subject="TITR",
                  subject_id="corridor:middle", property="flow")  # fmt: skip
    a = Claim(value=None, value_low=4.2, value_high=4.6, **common)
    b = Claim(value=4.5, value_low=None, value_high=None, **common)
    c = Claim(value=6.0, value_low=None, value_high=None, **common)
    assert not find_groups([a, b])[0].conflict
    assert find_groups([a, b, c])[0].conflict


def test_review_decision_survives_reingest_and_reextraction(ev, pages):
    ev.ingest(list(pages))
    target = next(c for c in ev.claims(subject="btc") if c.surface == "1.7 million tons")
    ev.decide(target.id, "edit", "the article means Kazakh oil only", {"modality": "target"})
    ev.ingest(list(pages), replace=True)  # claims rewritten with new ids
    again = next(c for c in ev.claims(subject="btc") if c.surface == "1.7 million tons")
    assert again.id != target.id
    assert (again.decision, again.modality, again.reason) == ("edit", "target", "the article means Kazakh oil only")
    assert all(v.id != again.id for _, v in ev.queue())


def test_review_rejects_bad_decisions(ev, pages):
    ev.ingest(list(pages))
    cid = ev.claims()[0].id
    with pytest.raises(DataError, match="action"):
        ev.decide(cid, "maybe", "because")
    with pytest.raises(DataError, match="reason"):
        ev.decide(cid, "accept", " ")
    with pytest.raises(DataError, match="claim_id"):
        ev.decide(10**6, "accept", "ok")


def test_promote_writes_provenance_into_a_dataset_copy(ev, pages, dataset_copy):
    ev.ingest(list(pages))
    quota = next(c for c in ev.claims(subject="btc") if c.modality == "quota")
    with pytest.raises(DataError, match="accepted"):
        ev.promote(quota.id, dataset_copy)
    ev.decide(quota.id, "accept", "matches the pipeline operator's statement")
    with pytest.raises(DataError, match="installed package"):
        ev.promote(quota.id, DATASET_DIR)
    result = ev.promote(quota.id, dataset_copy)
    assert (result.table, result.record_id, result.field) == ("parameters", "kz_btc_quota_t_per_year", "value")
    prov = read_dataset(dataset_copy).provenance_of("parameters", "kz_btc_quota_t_per_year", "value")
    assert prov["source_id"] == result.source_id and "quota of 1.5 million tons" in prov["quote"]
    with (dataset_copy / "sources.csv").open(encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["source_id"] == result.source_id)
    assert row["seed_file"] == "btc.txt" and row["published"] == "2025"
    actual = next(c for c in ev.claims(subject="btc") if c.modality == "actual")
    ev.decide(actual.id, "accept", "stated by the president")
    with pytest.raises(DataError, match="supports"):  # utilisation of the quota is not the quota's source
        ev.promote(actual.id, dataset_copy)


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
        (b"", "empty"),
        (b"   \n\t  ", "empty"),
        (b"<html><body><script>var x = 1;</script></body></html>", "empty"),
    ],
)
def test_bad_pages_get_a_clear_error(raw, match):
    with pytest.raises(DataError, match=match):
        page_from_bytes(raw, source="bad.bin")


def test_non_utf8_text_is_decoded():
    raw = "Die Bahn beförderte 1.392 million tons über Aktau für 5 Mio. € — straße".encode("cp1252")
    page = page_from_bytes(raw, source="latin.txt")
    assert "beförderte" in page.text and any("not UTF-8" in n for n in page.notes)


def test_html_main_text_without_scripts(net):
    html = (
        b"<html><head><title>BTC</title><meta property='article:published_time' content='2025-07-30'>"
        b"<script>var tons = 999999;</script></head><body><article><h1>Oil via BTC</h1>"
        b"<p>Currently, 1.4 million tons of Kazakh oil are transported annually through the BTC pipeline, "
        b"the president said at a press conference in Ankara on Wednesday.</p>"
        b"<p>The government now aims to reach 1.5 million tons in 2025, officials added in a statement.</p>"
        b"</article><script>document.write('50000 tons')</script></body></html>"
    )
    page = page_from_bytes(html, source="page.html")
    assert page.kind == "html" and "999999" not in page.text and "document.write" not in page.text
    claims = Evidence(net).extract_page(page)
    assert [c.surface for c in claims] == ["1.4 million tons", "1.5 million tons"]


def test_a_50_mb_page_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(DataError, match="MB"):
        read_page(big)


def test_nothing_is_half_stored(ev, pages, monkeypatch):
    bad = [Claim(0, 1, "1", "1", 1.0, None, None, "exact", "t")]
    monkeypatch.setattr("corridor.evidence.store._row", lambda document_id, c: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError, match="disk full"):
        ev.store.add_page(read_page(pages[0]), bad)
    with ev.store.sessions() as s:
        assert s.query(Document).count() == 0
    outcomes = ev.ingest([pages[0].parent / "missing.txt"])
    assert outcomes[0].error and "existing file" in outcomes[0].error


def test_corridor_transit_time_is_compared_with_the_routing_result(net):
    from corridor.evidence.link import route_values

    values = route_values(net)
    middle = next(v for v in values if v.subject_id == "corridor:middle")
    assert middle.unit == "h" and middle.table == "routes" and 5 * 24 < middle.value < 60 * 24
    ev = Evidence(net)
    days = middle.value / 24
    _, claims = ev.extract_text(f"Transit via the Middle Corridor now takes about {days:.1f} days from China to Europe.")
    assert link_claim(claims[0], values).verdict == Verdict.SUPPORTS
    _, claims = ev.extract_text(f"Transit via the Middle Corridor now takes {2 * days:.0f} days from China to Europe.")
    assert link_claim(claims[0], values).verdict == Verdict.CONTRADICTS


def test_review_queue_puts_values_the_model_relies_on_first(ev, pages):
    from dataclasses import replace

    from corridor.evidence.review import dependency, review_queue

    ev.ingest(list(pages))
    base = next(c for c in ev.claims(subject="btc") if c.modality == "capacity")  # links/btc/capacity_t_per_year
    unused = replace(base, id=1, confidence=0.7)
    used = replace(base, id=2, confidence=0.7)
    used.link = {**base.link, "model_ref": "links/kz_dostyk_moyinty/length_km"}
    usage = {"links/kz_dostyk_moyinty": 3}
    assert dependency(used, usage) == 4.0 and dependency(unused, usage) == 1.0
    nothing = replace(base, id=3, confidence=0.1, subject_id=None)
    nothing.link = {}
    assert [v.id for _, v in review_queue([unused, used, nothing], usage)] == [2, 1, 3]
    decided = replace(base, id=4, confidence=0.1, decision="accept")
    assert all(v.id != 4 for _, v in review_queue([decided, used], usage))
