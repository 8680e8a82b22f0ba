"""Projects as data: every project named in the seed pages with its stage, date and source; stages in the network."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from cli_helpers import ok_json, refused

from corridor.data import DATASET_DIR, read_dataset
from corridor.data.project_file import read_projects
from corridor.errors import DataError, NoRouteError
from corridor.model.project_stages import network_with_stages, switch_on
from corridor.routing import find_routes
from corridor.schema.enums import ProjectStage

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

NAMED = [
    "tapi", "tcgp", "ru_kg_route", "iraq_gas_memo", "alat_kz_terminal", "aktau_triple_2028", "poti_uz_terminal",
    "trans_afghan_rail", "trans_afghan_highway", "tripp", "horadiz_aghband", "irtysh_corridor", "ili_river",
    "hyrasia_one", "caspian_fibre", "cku_railway", "uz_brazil_block_train", "kz_coal_ust_luga", "kuryk_grain_terminal",
]  # fmt: skip


@pytest.fixture(scope="module")
def shipped():
    return read_dataset()


@pytest.fixture(scope="module")
def register(shipped):
    return read_projects(net=shipped)


def test_every_named_project_has_a_stage_a_date_and_a_source_or_assumption(register):
    for pid in NAMED:
        last = register[pid].stage_as_of()
        assert last is not None and 1990 <= last.year <= 2100, pid
        assert (last.source_id and last.quote) or last.assumption, pid


def test_seed_quotes_are_words_of_the_seed_pages(register, shipped):
    """A stage cited to a seed page quotes it verbatim (parts joined by '...' each appear in the page)."""
    checked = 0
    for project in register.values():
        for event in project.stages:
            seed = shipped.sources.loc[event.source_id, "seed_file"] if event.source_id else None
            if not isinstance(seed, str) or not seed:
                continue
            text = (SEEDS / seed).read_text(encoding="utf-8")
            for part in (p.strip() for p in event.quote.split("...")):
                assert part in text, (project.project_id, part)
            checked += 1
    assert checked >= 10


def test_stage_order_and_select(register):
    assert ProjectStage.IDEA.rank < ProjectStage.MEMORANDUM.rank < ProjectStage.FEASIBILITY.rank
    assert ProjectStage.FINANCED.rank < ProjectStage.UNDER_CONSTRUCTION.rank < ProjectStage.OPERATING.rank
    assert ProjectStage.STALLED.rank == ProjectStage.SUSPENDED.rank == 0
    ideas = {p.project_id for p in register.select(stages=["idea"])}
    assert {"ru_kg_route", "irtysh_corridor", "ili_river"} <= ideas
    assert "tapi" not in ideas
    assert {p.project_id for p in register.select(countries=["AM"])} == {"tripp"}
    # the stage as known in a year: the Trans-Afghan railway was a memorandum in 2024, a feasibility study in 2025
    assert register["trans_afghan_rail"].stage_as_of(2024).stage == ProjectStage.MEMORANDUM
    assert register["trans_afghan_rail"].stage_as_of(2025).stage == ProjectStage.FEASIBILITY
    assert register["trans_afghan_rail"].stage_as_of(2020) is None


def test_include_stage_counts_projects_at_or_beyond_the_stage(shipped, register):
    kw = {"year": 2030, "include_planned": True}
    at_feasibility = network_with_stages(shipped, register, "feasibility")
    route = find_routes(at_feasibility, "Tashkent", "Peshawar", **kw)[0]
    assert any(leg.ref == "trans_afghan_rail" for leg in route.legs)
    # the railway has a feasibility study, not financing: at 'financed' its rows never open
    at_financed = network_with_stages(shipped, register, "financed")
    assert "trans_afghan_rail" not in at_financed.links["base_id"].values
    with pytest.raises(NoRouteError):
        find_routes(at_financed, "Tashkent", "Peshawar", avoid_modes=["road"], **kw)
    # ideas are dropped at 'memorandum' and kept at 'idea'
    assert "irtysh_tugyl_semey" not in network_with_stages(shipped, register, "memorandum").links["base_id"].values
    assert "irtysh_tugyl_semey" in network_with_stages(shipped, register, "idea").links["base_id"].values
    assert network_with_stages(shipped, register, "idea").links.shape == shipped.links.shape


def test_switch_on_opens_a_project_from_a_year(shipped, register):
    on = switch_on(shipped, register, {"trans_afghan_rail": 2031})
    assert "trans_afghan_rail" not in on.at_year(2030).links.index
    assert "trans_afghan_rail" in on.at_year(2031).links.index  # without include_planned
    assert "trans_afghan_rail" not in shipped.at_year(2031).links.index  # the shipped network is unchanged
    with pytest.raises(DataError, match="project_id"):
        switch_on(shipped, register, {"no_such_project": 2030})


def _copy(tmp_path: Path) -> Path:
    dest = tmp_path / "dataset"
    shutil.copytree(DATASET_DIR, dest)
    return dest


def _append(path: Path, row: list[str]) -> int:
    with path.open("a", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerow(row)
    return sum(1 for _ in path.open(encoding="utf-8"))


def test_bad_stage_rows_name_file_line_and_field(tmp_path):
    folder = _copy(tmp_path)
    stages = folder / "project_stages.csv"
    bad_stage = _append(stages, ["tapi", "half_built", "2020", "", "", "", "because"])
    no_cite = _append(stages, ["tapi", "idea", "2010", "", "", "", ""])
    unknown = _append(stages, ["atlantis_rail", "idea", "2010", "", "", "", "because"])
    bad_source = _append(stages, ["tapi", "idea", "2011", "", "no_such_source", "words", ""])
    bad_element = _append(folder / "project_register.csv", ["ghost", "Ghost", "rail", "KZ", "links:no_such_link", "x"])
    with pytest.raises(DataError) as info:
        read_projects(folder, net=read_dataset(folder, cache=False))
    text = str(info.value)
    assert f"project_stages.csv:{bad_stage}: field 'stage' = 'half_built'" in text
    assert f"project_stages.csv:{no_cite}: field 'assumption'" in text
    assert f"project_stages.csv:{unknown}: field 'project_id' = 'atlantis_rail'" in text
    assert f"project_stages.csv:{bad_source}: field 'source_id' = 'no_such_source'" in text
    assert f"project_register.csv:{bad_element}: field 'elements' = 'links:no_such_link'" in text


def test_cli_projects_lists_and_filters():
    doc = ok_json("projects", "--status", "idea,memorandum", "--country", "KZ")
    ids = {p["project_id"] for p in doc["projects"]}
    assert {"irtysh_corridor", "ili_river", "trans_afghan_highway", "btc_kz_expansion"} <= ids
    assert all(p["stage"] in ("idea", "memorandum") and "KZ" in p["countries"] for p in doc["projects"])
    everything = {p["project_id"] for p in ok_json("projects")["projects"]}
    assert set(NAMED) <= everything
    assert "expected one of suspended, stalled, idea" in refused("projects", "--status", "bogus").stderr


def test_cli_compare_include_stage():
    def cku(stage: str) -> dict:
        doc = ok_json("compare", "Kashgar", "Duisburg", "--year", "2030", "--include-stage", stage)
        return next(c for c in doc["corridors"] if c["corridor_id"] == "cku")

    assert cku("under_construction")["available"] is True  # the CKU railway is under construction, due 2030
    assert cku("operating")["available"] is False
    refused("compare", "--include-stage", "dreaming")
    refused("compare", "--switch-on", "tapi")


def test_a_scenario_switches_a_project_on_from_a_year(tmp_path, shipped):
    from corridor.data.scenario_files import read_scenario

    path = tmp_path / "afghan.toml"
    path.write_text(
        'extends = "base"\nname = "afghan"\ndescription = "Trans-Afghan railway from 2031"\ninclude_planned = false\n'
        "[policies.projects]\ntrans_afghan_rail = 2031\n",
        encoding="utf-8",
    )
    sc = read_scenario(str(path))
    assert ("links", "trans_afghan_rail", 2031) in sc.project_rows
    assert "trans_afghan_rail" not in sc.network_for(shipped, 2030).links.index
    assert "trans_afghan_rail" in sc.network_for(shipped, 2031).links.index
    text = path.read_text(encoding="utf-8").replace("trans_afghan_rail = 2031", "atlantis_rail = 2031")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"policies\.projects"):
        read_scenario(str(path))


def test_hyrasia_one_output_is_demand_from_its_start_year(shipped):
    from corridor.data.scenario_files import read_scenario

    sc = read_scenario("hyrasia_ammonia")
    sc.validate(shipped, years=range(2024, 2036))
    ammonia = next(d for d in sc.demand if d.id == "hyrasia_ammonia_export")
    assert ammonia.at(2028) == 0 and ammonia.at(2029) == 0
    assert ammonia.at(2030) == pytest.approx(11.26e6 / 3, rel=1e-3)
    assert ammonia.at(2032) == pytest.approx(2e6 * 17.031 / (3 * 1.008), rel=1e-3)
    assert ammonia.at(2035) == ammonia.at(2032)
