"""Write a scenario TOML file that :func:`corridor.data.scenario_files.read_scenario` reads back.

Used by calibration to ship the calibrated base-year matrix as a scenario (``calibrated_2024``): one
``[[demand]]`` per origin-destination flow, with the provenance of its prior and the calibration that moved it,
followed by the overrides and the energy case of the scenario it is based on (copied verbatim).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from corridor.data.scenario_files import SCENARIO_DIR

__all__ = ["write_scenario"]

_TAIL_MARKERS = ("[[overrides]]", "[energy]", "[[disruptions]]", "[policies")


def _s(value: str) -> str:
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _tail(base: str) -> str:
    """The overrides, disruptions, policies and energy sections of the shipped scenario *base*."""
    text = (SCENARIO_DIR / f"{base}.toml").read_text(encoding="utf-8")
    starts = [i for m in _TAIL_MARKERS if (i := text.find(m)) >= 0]
    return text[min(starts) :] if starts else ""


def write_scenario(
    path: str | Path,
    *,
    name: str,
    description: str,
    base_year: int,
    demand: Iterable[Mapping],
    header_comment: str = "",
    copy_from: str | None = "base",
) -> Path:
    """Write the scenario; each demand mapping has id, origin, destination, t (tonnes in *base_year*) or t_by_year
    (anchor year -> tonnes), avoid_countries, source and quote, and may have commodity, cargo_class and
    annual_growth. Returns the path written."""
    lines = [f"# {line}" for line in header_comment.splitlines()]
    lines += [
        f"name = {_s(name)}",
        f"description = {_s(description)}",
        f"base_year = {int(base_year)}",
        "include_planned = true",
        'customs = "auto"',
        'objective = "generalised"',
        "",
    ]
    for d in demand:
        avoid = ", ".join(_s(c) for c in d.get("avoid_countries", ()) or ())
        anchors = d.get("t_by_year") or {int(base_year): d["t"]}
        lines += ["[[demand]]", f"id = {_s(d['id'])}"]
        lines += [f"{k} = {_s(d[k])}" for k in ("commodity", "cargo_class") if d.get(k)]
        lines += [
            f"origin = {_s(d['origin'])}",
            f"destination = {_s(d['destination'])}",
            f"avoid_countries = [{avoid}]",
            f"annual_growth = {float(d.get('annual_growth', 0.0))!r}",
            f"source = {_s(d['source'])}",
            f"quote = {_s(d['quote'])}",
            "",
            "[demand.t_per_year]",
            *[f"{int(y)} = {float(v):.0f}" for y, v in sorted(anchors.items())],
            "",
        ]
    if copy_from:
        lines.append(f"# Copied from the shipped scenario {copy_from!r}:")
        lines.append(_tail(copy_from))
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return out
