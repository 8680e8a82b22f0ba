"""The schema CSVs are the single definition of every table's columns, types and units."""

from corridor.schema import TABLES, parse_rows, schema
from corridor.units import UNITS


def test_every_table_has_a_schema_with_known_units():
    for table in TABLES:
        sch = schema(table)
        assert sch.columns, table
        for col in sch.columns:
            assert col.unit in UNITS
            assert col.description


def test_unit_suffixes_match_the_declared_units():
    suffix_unit = {
        "_usd_per_teu_km": "USD/TEU-km",
        "_usd_per_t_km": "USD/t-km",
        "_g_per_tkm": "gCO2/t-km",
        "_usd_per_teu": "USD/TEU",
        "_usd_per_t": "USD/t",
        "_t_per_year": "t/yr",
        "_teu_per_year": "TEU/yr",
        "_bcm_per_year": "bcm/yr",
        "_kmh": "kmh",
        "_km": "km",
        "_mm": "mm",
        "_h": "h",
    }
    for table in TABLES:
        for col in schema(table).columns:
            for suffix, unit in suffix_unit.items():  # longest suffixes first
                if col.attribute.endswith(suffix):
                    assert col.unit == unit, (table, col.attribute, col.unit)
                    break


def test_parse_rows_reports_every_problem_with_line_and_field():
    header = ["node_id", "name", "kind", "country", "lat", "lon", "capacity_t_per_year"]
    rows = [
        (2, ["a", "A", "city", "KZ", "43", "51", "-5"]),
        (3, ["a", "A2", "castle", "XX", "north", "51", ""]),
    ]
    frame, problems = parse_rows("nodes", header, rows, "nodes.csv")
    found = {(p.line, p.field) for p in problems}
    assert (2, "capacity_t_per_year") in found  # negative capacity
    assert (3, "kind") in found  # unknown enum value
    assert (3, "country") in found  # not ISO 3166
    assert (3, "lat") in found  # not a number
    assert (3, "node_id") in found  # duplicate id
    assert len(frame) == 2
    msg = next(str(p) for p in problems if p.field == "capacity_t_per_year")
    assert "nodes.csv:2" in msg and "-5" in msg and ">= 0" in msg


def test_missing_required_column_and_unknown_column():
    _frame, problems = parse_rows("links", ["link_id", "from_node", "bogus"], [(2, ["x", "a", "1"])], "links.csv")
    fields = {p.field for p in problems}
    assert {"to_node", "mode", "countries", "bogus"} <= fields


def test_every_number_column_states_its_range():
    for table in TABLES:
        for col in schema(table).columns:
            if col.dtype in ("float", "int") and (table, col.attribute) not in {("parameters", "value"), ("projects", "value")}:
                assert col.range is not None, (table, col.attribute)  # projects.value takes the changed column's range


def test_parse_rows_checks_ranges_and_control_characters():
    header = ["node_id", "name", "kind", "country", "lat", "lon"]
    rows = [(2, ["a", "A\x00", "city", "KZ", "91", "51"]), (3, ["b", "B", "city", "KZ", "-90", "180"])]
    _frame, problems = parse_rows("nodes", header, rows, "nodes.csv")
    assert {(p.line, p.field) for p in problems} == {(2, "name"), (2, "lat")}
