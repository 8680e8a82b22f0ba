"""The network model: year views, planned projects, place lookup, provenance and money."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corridor.errors import DataError, UnknownPlaceError
from corridor.model import Status, normalize_name
from corridor.model.records import records


def test_links_are_directed_rows(net):
    fwd, rev = net.links.loc["ferry_aktau_baku"], net.links.loc["ferry_aktau_baku~r"]
    assert (fwd["from_node"], fwd["to_node"]) == (rev["to_node"], rev["from_node"])
    assert "cpc~r" not in net.links.index  # pipelines run one way


@pytest.mark.parametrize("query", ["Xi'an", "xian", "XI AN", "Xīān", "西安"])
def test_resolve_is_case_and_accent_insensitive(net, query):
    assert net.resolve(query) == "xian"


def test_resolve_by_locode_and_alias(net):
    assert net.resolve("DEDUI") == "duisburg"
    assert net.resolve("Kapikule") == "kapikule"
    assert net.resolve("Constanta") == "constanta"
    assert net.resolve("Nur-Sultan") == "astana"


def test_unknown_place_suggests_close_names(net):
    with pytest.raises(UnknownPlaceError) as info:
        net.resolve("Duisberg")
    assert any("Duisburg" in s for s in info.value.suggestions)
    assert "did you mean" in str(info.value)


def test_year_view_drops_planned_unless_asked(net):
    now = net.at_year(2025)
    assert "cku_railway" not in now.links.index
    later = net.at_year(2030, include_planned=True)
    assert "cku_railway" in later.links.index
    assert "tcgp" in later.links.index  # planned without a firm date counts when planned projects are asked for
    assert "cku_railway" not in net.at_year(2029, include_planned=True).links.index
    assert "ca_icic" not in net.at_year(2026, include_planned=True).nodes.index


def test_projects_change_values_from_their_year(net):
    before = net.at_year(2027, include_planned=True).nodes.loc["aktau", "capacity_t_per_year"]
    after = net.at_year(2028, include_planned=True).nodes.loc["aktau", "capacity_t_per_year"]
    assert before == 11_000_000 and after == 16_500_000
    assert net.at_year(2028).nodes.loc["aktau", "capacity_t_per_year"] == 11_000_000  # planned not counted


def test_statuses_of_the_named_projects(net):
    links = net.links
    for lid in ("cku_railway", "tcgp", "tapi", "cagp_d"):
        assert links.loc[lid, "status"] in (Status.PLANNED, Status.UNDER_CONSTRUCTION), lid


def test_fx_conversion_uses_the_dated_table(net):
    rate, as_of, source = net.fx_rate("KZT")
    assert rate == pytest.approx(1 / 0.00191, rel=1e-4)
    assert as_of == "2025-11-13" and "Times of Central Asia" in source
    assert net.usd_to(100, "kzt") == pytest.approx(100 * rate)
    with pytest.raises(DataError, match="XAF"):
        net.fx_rate("XAF")


def test_provenance_lookup(net):
    p = net.provenance_of("links", "cpc~r" if "cpc~r" in net.links.index else "cpc", "capacity_t_per_year")
    assert p["kind"] == "sourced" and "72.5" in p["quote"]
    derived = net.provenance_of("links", "kz_beyneu_aktau", "length_km")
    assert derived["kind"] == "assumption" and "great-circle" in derived["note"]


def test_normalize_name():
    assert normalize_name("Małaszewicze") == normalize_name("malaszewicze")
    assert normalize_name("Kapıköy") == "kapikoy"


def test_freeze_turns_lists_into_tuples_and_relocks_an_unpickled_frame():
    import pickle

    from corridor.model.frozen import freeze, is_frozen

    frame = pd.DataFrame({"km": [1.0, 2.0], "via": [["aktau"], ["baku", "poti"]], "name": pd.Series(["a", "b"], dtype="str")})
    locked = freeze(frame)
    assert locked["via"].tolist() == [("aktau",), ("baku", "poti")] and is_frozen(locked) and not is_frozen(frame)
    again = pickle.loads(pickle.dumps(locked))  # unpickled buffers are writable ...
    assert not is_frozen(again)
    assert freeze(again, copy=False) is again and is_frozen(again)  # ... and locked again in place
    with pytest.raises(ValueError, match="read-only"):
        again.loc[0, "km"] = 5.0
    again["via"] = [["x"], ["y"]]  # a column replaced in place with list cells is converted on the next freeze
    assert freeze(again, copy=False)["via"].tolist() == [("x",), ("y",)]


def _same_cell(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if a is None or a is pd.NA or a is pd.NaT:
        return a is b
    return (a != a and b != b) or a == b  # NaN equals NaN here


def test_records_match_pandas_to_dict_cell_for_cell(net):
    """``records`` replaces ``to_dict("records")`` in the engines' loops: same keys, values and Python types."""
    synthetic = pd.DataFrame(
        {
            "n": [1, 2, 3],
            "km": [1.5, np.nan, 3.0],
            "ok": [True, False, True],
            "year": pd.array([2020, None, 2030], dtype="Int64"),
            "share": pd.array([0.5, None, 1.0], dtype="Float64"),
            "flag": pd.array([True, None, False], dtype="boolean"),
            "name": pd.Series(["a", None, "c"], dtype="str"),
            "code": pd.Series(["a", None, "c"], dtype=pd.StringDtype("python", na_value=pd.NA)),
            "mixed": [np.float64(2.5), np.int64(3), np.bool_(True)],
            "when": pd.Series([np.datetime64("2020-01-01"), pd.NA, np.timedelta64(5, "h")], dtype=object),
            "kind": [Status.OPERATING, "x", ("a", "b")],
            "day": pd.to_datetime(["2020-01-01", None, "2021-02-03"]),
            "cat": pd.Categorical(["x", "y", "x"]),
        }
    )
    view = net.at_year(2030, include_planned=True)
    frames = [synthetic, synthetic.iloc[:0], net.links, net.provenance, view.nodes, view.links, view.transfers, net.modes]
    for frame in frames:
        expected, got = frame.to_dict("records"), records(frame)
        assert [list(r) for r in got] == [list(r) for r in expected]
        bad = [(k, e[k], g[k]) for e, g in zip(expected, got, strict=True) for k in e if not _same_cell(e[k], g[k])]
        assert not bad, bad[:3]
