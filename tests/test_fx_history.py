"""Exchange rates over time: every seed ticker is in the history; costs convert at the rate of the date asked."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from cli_helpers import ok_json, refused

from corridor.data import DATASET_DIR, read_dataset
from corridor.data.fx_file import read_fx_history
from corridor.errors import DataError
from corridor.model.fx import network_at_fx_date

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def shipped():
    return read_dataset()


@pytest.fixture(scope="module")
def history(shipped):
    return read_fx_history(net=shipped)


def test_every_seed_ticker_is_in_the_history(shipped, history):
    tickers = [p for series in history.values() for p in series if p.kind == "ticker"]
    by_page = {}
    for p in tickers:
        seed = shipped.sources.loc[p.source_id, "seed_file"]
        assert p.quote in (SEEDS / seed).read_text(encoding="utf-8"), p
        assert p.units_per_usd == pytest.approx(1 / float(p.quote.split("= ")[1]), rel=1e-5)
        by_page.setdefault(seed, set()).add(p.currency)
    assert len(by_page) == 4 and all(found == {"KGS", "KZT", "TJS", "UZS", "TMT"} for found in by_page.values())


@pytest.mark.parametrize(
    ("day", "rate", "later"),
    [
        ("2019-08-22", 386.04, True),  # before the first rate: the earliest, flagged
        ("2019-08-23", 386.04, False),
        ("2024-12-20", 458.7, False),
        ("2024-12-21", 523.56, False),
        ("2025-04-04", 505.051, False),
        ("2025-11-12", 505.051, False),
        ("2026-06-01", 523.56, False),
    ],
)
def test_kzt_rate_in_force_on_a_day(history, day, rate, later):
    point, after = history.rate_on("KZT", dt.date.fromisoformat(day))
    assert point.units_per_usd == pytest.approx(rate, rel=1e-5) and after is later


def test_network_at_fx_date_converts_with_that_days_rates(shipped, history):
    old = network_at_fx_date(shipped, history, dt.date(2019, 9, 1))
    assert old.usd_to(100.0, "KZT") == pytest.approx(38604.0)
    assert old.fx_rate("EUR")[0] == pytest.approx(0.909091)  # earliest EUR rate (seed_004), dated after the day
    assert "dated after it" in old.fx_rates.loc["EUR", "notes"]
    assert shipped.usd_to(100.0, "KZT") == pytest.approx(52356.0)  # the shipped network is unchanged


def test_cli_fx_history_and_fx_date():
    doc = ok_json("fx", "--history", "kzt")
    assert [p["as_of"] for p in doc["series"]][:2] == ["2019-08-23", "2023-12-31"]
    assert all(p["source"] for p in doc["series"])
    refused("fx", "--history", "XYZ")
    old = ok_json("route", "Xian", "Duisburg", "--fx-date", "2019-09-01")["routes"][0]["cost_local"]
    new = ok_json("route", "Xian", "Duisburg", "--fx-date", "2025-12-01")["routes"][0]["cost_local"]
    assert old["rate_per_usd"] == pytest.approx(386.04) and new["rate_per_usd"] == pytest.approx(523.56)
    assert old["cost_kzt"] < new["cost_kzt"]
    refused("route", "Xian", "Duisburg", "--fx-date", "yesterday")


def test_bad_fx_rows_name_line_and_field(tmp_path, shipped):
    folder = tmp_path / "dataset"
    shutil.copytree(DATASET_DIR, folder)
    lines = sum(1 for _ in (folder / "fx_history.csv").open(encoding="utf-8"))
    with (folder / "fx_history.csv").open("a", encoding="utf-8") as fh:
        fh.write("KZT,-5,2024-01-01,spot,,,because\n")
        fh.write("KZT,450,2024-01-01,guess,,,because\n")
        fh.write("KZT,450,2024-01-02,spot,seed_002,,\n")
        fh.write("QQQ,450,2024-01-02,spot,,,because\n")
    with pytest.raises(DataError) as info:
        read_fx_history(folder, net=shipped)
    text = str(info.value)
    assert f"fx_history.csv:{lines + 1}: field 'units_per_usd' = '-5'" in text
    assert f"fx_history.csv:{lines + 2}: field 'kind' = 'guess'" in text
    assert f"fx_history.csv:{lines + 3}: field 'quote'" in text
    assert f"fx_history.csv:{lines + 4}: field 'currency' = 'QQQ'" in text
