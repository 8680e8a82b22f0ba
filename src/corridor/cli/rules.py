"""``corridor check`` (every rule's verdict on a shipment, with citations) and ``route`` under the rules.

``route`` hands over here when a shipment's owner, origin, HS code, value, purpose, date or a policy is given, or
when the cargo is a commodity (coal, grain, ...): the routes the rules allow are printed, then the refused ones with
the rule that refused them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from corridor.cli.common import DataOpt, JsonOpt, emit, err, fail, load, make_table, money, out, run, split

__all__ = [
    "COMMODITY_NAMES",
    "CargoOriginOpt",
    "DateOpt",
    "HsOpt",
    "MonthOpt",
    "OwnerOpt",
    "PolicyOpt",
    "PurposeOpt",
    "ValueOpt",
    "check",
    "parse_date",
    "print_ruled",
    "route_with_rules",
    "rules_for",
]

#: Commodity names ``--cargo`` accepts besides the cargo classes (kept here so --help imports nothing heavy).
COMMODITY_NAMES = ("coal", "grain", "ores_minerals", "ammonia", "oil_products")

OwnerOpt = Annotated[str | None, typer.Option("--owner", help="Country of the cargo owner (ISO code).")]
CargoOriginOpt = Annotated[
    str | None, typer.Option("--origin", help="Country of origin of the goods (default: the first place's).")
]
HsOpt = Annotated[str | None, typer.Option("--hs", help="HS code of the goods (digits; default: the commodity's heading).")]
ValueOpt = Annotated[float | None, typer.Option("--value", help="Declared value in USD (for ad valorem duties).")]
PurposeOpt = Annotated[str, typer.Option("--purpose", help="transit, loading_dispatch, storage or sale at the route's places.")]
DateOpt = Annotated[
    str | None, typer.Option("--date", help="Shipment date YYYY-MM-DD (default: today); rules in force then apply.")
]
MonthOpt = Annotated[
    int | None, typer.Option("--month", help="Month 1-12 of the shipment (the 15th of it in --year); seasonal links follow it.")
]
PolicyOpt = Annotated[list[str] | None, typer.Option("--policy", help="Routing policies to apply: avoid_ru, avoid_by, avoid_ir.")]


def parse_date(text: str | None, as_json: bool, option: str = "--date") -> dt.date:
    """A YYYY-MM-DD date (today when not given), else one line and exit 2."""
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        from corridor.errors import DataError

        fail(DataError(f"{option} = {text!r}: expected a date as YYYY-MM-DD"), as_json)


def rules_for(data: Path | None, net: Any, as_json: bool) -> list:
    """The dataset's rules, checked against *net*."""
    from corridor.data.rules_file import read_rules

    return run(as_json, lambda: read_rules(data, net=net))


def print_ruled(ruled: Any, currency: str, rate: float, printer: Any) -> None:
    """Allowed routes with their rule verdicts, then the refused candidates with the rule that refused each."""
    for i, (r, a) in enumerate(zip(ruled.routes, ruled.assessments, strict=True), 1):
        printer(i, len(ruled.routes), r, currency, rate)
        for v in a.applying:
            out.print(f"  rule {v.rule_id}: {v.outcome} — {v.reason}", highlight=False)
        if a.duty_usd:
            out.print(f"  duty USD {money(a.duty_usd)}; cost with duty USD {money(r.cost_usd + a.duty_usd)}", highlight=False)
    for r, a in ruled.refused:
        for v in a.refusals:
            out.print(f"\n[bold]Refused[/]: {r.summary()} — rule {v.rule_id}: {v.reason}\n  {v.citation}", highlight=False)


def _path(net: Any, places: list[str], cargo: str, as_json: bool) -> Any:
    """The rule path through *places* (the best route through them in order)."""
    from corridor.model.commodities import resolve_cargo
    from corridor.routing import find_routes
    from corridor.routing.ruled import commodity_avoid_modes, path_of

    cargo_class, _ = run(as_json, lambda: resolve_cargo(cargo))
    route = run(
        as_json,
        lambda: find_routes(
            net,
            places[0],
            places[-1],
            cargo=cargo_class,
            via=places[1:-1],
            avoid_modes=commodity_avoid_modes(cargo),
            include_planned=True,
        )[0],
    )
    return path_of(route), route


def check(
    route: Annotated[
        list[str], typer.Option("--route", help="Places the shipment passes, in order (comma-separated or repeated).")
    ],
    cargo: Annotated[
        str, typer.Option("--cargo", help="Cargo class or commodity (coal, grain, ores_minerals, ammonia, oil_products).")
    ],
    cargo_origin: CargoOriginOpt = None,
    owner: OwnerOpt = None,
    hs: HsOpt = None,
    value: ValueOpt = None,
    purpose: PurposeOpt = "transit",
    date: DateOpt = None,
    policy: PolicyOpt = None,
    destination_country: Annotated[
        str | None, typer.Option("--destination-country", help="Final destination country when beyond the last place.")
    ] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every rule's verdict on a shipment and its route, with citations; exit 1 when a rule refuses it."""
    from corridor.routing.ruled import shipment_for
    from corridor.rules import evaluate

    places = split(route)
    if len(places) < 2:
        from corridor.errors import DataError

        fail(DataError(f"--route = {','.join(places)!r}: expected at least two places (origin and destination)"), as_json)
    when = parse_date(date, as_json)
    net = load(data, as_json)
    rules = rules_for(data, net, as_json)
    shipment = run(
        as_json,
        lambda: shipment_for(
            net, places[0], places[-1], cargo=cargo, date=when, origin_country=cargo_origin, owner_country=owner,
            hs_code=hs, value_usd=value, purpose=purpose, policies=split(policy), destination_country=destination_country,
        ),
    )  # fmt: skip
    from corridor.routing.ruled import _check_policies

    run(as_json, lambda: _check_policies(rules, shipment.policies))
    path, found = _path(net, places, cargo, as_json)
    verdict = evaluate(rules, shipment, path)
    if as_json:
        emit(
            {
                "shipment": {"cargo": shipment.cargo, "origin": shipment.origin_country, "owner": shipment.owner_country},
                **verdict.to_dict(),
            }
        )
    else:
        _print_check(net, shipment, found, verdict)
    if not verdict.allowed:
        raise typer.Exit(1)


def _print_check(net: Any, shipment: Any, found: Any, verdict: Any) -> None:
    out.print(
        f"{shipment.cargo} (HS {shipment.hs_code or '–'}) of {shipment.origin_country} origin, "
        f"owner {shipment.owner_country or '–'}, "
        f"{shipment.purpose.value}, {shipment.date}: {found.summary()} (countries {'-'.join(verdict.path.countries)})",
        highlight=False,
    )
    t = make_table([("rule", "left"), ("verdict", "left"), ("why", "left")], show_lines=True)
    t.add_column("citation", overflow="fold", ratio=1)
    for v in verdict.verdicts:
        style = {"refused": "bold red", "lifted": "yellow", "permits": "green", "duty": "yellow"}.get(v.outcome, "dim")
        t.add_row(v.rule_id, f"[{style}]{v.outcome}[/]", v.reason, v.citation if v.applies else "")
    out.print(t)
    if verdict.duty_usd:
        out.print(f"Duty: USD {money(verdict.duty_usd)}", highlight=False)
    line = "allowed" if verdict.allowed else "REFUSED: " + ", ".join(v.rule_id for v in verdict.refusals)
    (out if verdict.allowed else err).print(f"Shipment {line}", highlight=False)


def route_with_rules(
    origin: str,
    destination: str,
    cargo: str,
    opts: dict[str, Any],
    shipment_opts: dict[str, Any],
    policy: list[str] | None,
    *,
    k: int,
    year: int | None,
    planned: bool,
    customs: str,
    quantity: float,
    currency: str,
    data: Path | None,
    as_json: bool,
    printer: Any,
    fx_date: str | None = None,
    month: int | None = None,
) -> None:
    """``corridor route`` for a shipment under the rules (see the module docstring)."""
    from corridor.cli.common import arg_countries, arg_positive, arg_year
    from corridor.routing.ruled import find_routes_under_rules, shipment_for

    countries = arg_countries(opts["avoid"], as_json)
    year = arg_year(year, as_json)
    quantity = arg_positive(quantity, as_json, "--quantity")
    from corridor.cli.projects import load_staged

    shipment_opts = {**shipment_opts, "month": month}
    when = _when(shipment_opts, year, as_json)
    net = load_staged(data, None, None, as_json, fx_date)
    rules = rules_for(data, net, as_json)
    seasons = _seasons(data, net, as_json) if shipment_opts["date"] or month is not None else []
    rate, as_of, src = run(as_json, lambda: net.fx_rate(currency))
    shipment = run(
        as_json,
        lambda: shipment_for(
            net, origin, destination, cargo=cargo, date=when, origin_country=shipment_opts["cargo_origin"],
            owner_country=shipment_opts["owner"], hs_code=shipment_opts["hs"], value_usd=shipment_opts["value"],
            purpose=shipment_opts["purpose"], policies=split(policy),
        ),
    )  # fmt: skip
    ruled = run(
        as_json,
        lambda: find_routes_under_rules(
            net, origin, destination, rules=rules, shipment=shipment, k=k, avoid_countries=countries,
            avoid_modes=split(opts["avoid_mode"]), avoid_nodes=split(opts["avoid_node"]),
            via=[v.split(";") if ";" in v else v for v in opts["via"] or []], objective=opts["objective"],
            year=year, include_planned=planned, customs=customs, quantity=quantity, seasons=seasons,
        ),
    )  # fmt: skip
    if as_json:
        emit(ruled.to_dict(currency=currency))
        return
    print_ruled(ruled, currency, rate, printer)
    for link_id, season in ruled.closed.items():
        out.print(f"Closed on {when}: {link_id} (navigation {season.window}; {season.citation})", highlight=False)
    out.print(f"\nRates: 1 USD = {rate:g} {currency.upper()} ({as_of}, {src}). Rules: `corridor check`.", highlight=False)


def _when(shipment_opts: dict[str, Any], year: int | None, as_json: bool) -> dt.date:
    """The shipment's date: --date, else the 15th of --month in --year, else today."""
    month = shipment_opts.get("month")
    if month is not None and not shipment_opts["date"]:
        from corridor import settings
        from corridor.errors import DataError

        if not 1 <= month <= 12:
            fail(DataError(f"--month = {month!r}: expected a month from 1 to 12"), as_json)
        return dt.date(int(year or settings.get("year")), month, 15)
    return parse_date(shipment_opts["date"], as_json)


def _seasons(data: Path | None, net: Any, as_json: bool) -> list:
    from corridor.data.seasons_file import read_seasons

    return run(as_json, lambda: read_seasons(data, net=net))
