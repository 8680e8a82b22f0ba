"""``corridor check --declaration ID``: the trade rules on a declaration stored by the transit service.

Each goods item is judged as the service judges it at lodging (:mod:`corridor.transit.trade_rules`): its HS code,
origin, the declared owner's country, its value and the itinerary's nodes and countries. Every rule is listed with
its verdict and citation; the refusals follow with the field each points at. Exit status 1 when a rule refuses it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer

from corridor.cli.common import emit, err, make_table, money, out, run

__all__ = ["check_declaration", "print_verdicts"]


def print_verdicts(assessment: Any) -> None:
    """One row per rule: id, verdict, why and (when it applies) the citation."""
    t = make_table([("rule", "left"), ("verdict", "left"), ("why", "left")], show_lines=True)
    t.add_column("citation", overflow="fold", ratio=1)
    for v in assessment.verdicts:
        style = {"refused": "bold red", "lifted": "yellow", "permits": "green", "duty": "yellow"}.get(v.outcome, "dim")
        t.add_row(v.rule_id, f"[{style}]{v.outcome}[/]", v.reason, v.citation if v.applies else "")
    out.print(t)


def check_declaration(
    decl_id: int,
    database_url: str | None,
    when: dt.date,
    data: Path | None,
    as_json: bool,
    *,
    unused: dict[str, Any] | None = None,
) -> None:
    """Print (or emit as JSON) every rule's verdict on each goods item of declaration *decl_id*; exit 1 if refused.

    *unused*: shipment options given on the command line, refused (the declaration states its goods).
    """
    from corridor.cli.common import fail, load
    from corridor.errors import DataError

    given = [option for option, value in (unused or {}).items() if value]
    if given:
        fail(DataError(f"{', '.join(given)}: not used with --declaration (the declaration states its goods)"), as_json)
    from corridor.cli.rules import rules_for
    from corridor.cli.transit import _database_errors, _engine
    from corridor.transit import TransitService

    net = load(data, as_json)
    rules = rules_for(data, net, as_json)
    engine = _engine(database_url, as_json, migrate=False)
    with _database_errors(database_url, as_json):
        service = TransitService(net, engine, trade_rules=rules)
        view, items, refused = run(as_json, lambda: service.declarations.check_stored(decl_id, when))
    if as_json:
        emit(
            {
                "declaration": view["id"], "lrn": view["lrn"], "status": view["status"], "date": when.isoformat(),
                "allowed": not refused, "failures": refused,
                "goods": [{"index": i.index, "hs_code": i.hs_code, "cargo": i.cargo, **i.assessment.to_dict()} for i in items],
            }
        )  # fmt: skip
    else:
        _print(view, items, refused, when)
    engine.dispose()
    if refused:
        raise typer.Exit(1)


def _print(view: dict, items: list, refused: list[dict], when: dt.date) -> None:
    out.print(
        f"Declaration {view['id']} ({view['lrn']}, {view['status']}), {when}: {' → '.join(view['itinerary'])}",
        highlight=False,
    )
    for i in items:
        countries = "-".join(i.assessment.path.countries)
        out.print(f"\ngoods[{i.index}]: {i.cargo} (HS {i.hs_code}), countries {countries}", highlight=False)
        print_verdicts(i.assessment)
        if i.assessment.duty_usd:
            out.print(f"Duty (reported, not at risk in transit): USD {money(i.assessment.duty_usd)}", highlight=False)
    if not refused:
        out.print(f"Declaration {view['id']} allowed by the trade rules", highlight=False)
        return
    for f in refused:
        err.print(f"REFUSED by rule {f['rule']} at {f['path']} = {f['value']}: {f['message']}", highlight=False)
