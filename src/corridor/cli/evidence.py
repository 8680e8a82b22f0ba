"""Evidence commands: ``corridor evidence extract|ingest|claims|conflicts|review|promote``.

News pages become quantitative claims with their quote, verdicts against the model, groups of disagreeing figures
and a review queue (see :mod:`corridor.evidence`). Page text is data: everything taken from a page goes through
:func:`rich.markup.escape` or is printed with markup off. The evidence package is imported inside each command.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from corridor.cli.common import DataOpt, JsonOpt, check_choice, emit, err, fail, load, make_table, out, run
from corridor.errors import DataError

__all__ = [
    "evidence_app",
    "evidence_claims",
    "evidence_conflicts",
    "evidence_extract",
    "evidence_ingest",
    "evidence_promote",
    "evidence_review",
]

evidence_app = typer.Typer(no_args_is_help=True, help="News pages → quantitative claims, verdicts, conflicts, review.")

EvDbOpt = Annotated[
    str | None, typer.Option("--database-url", help="Evidence store URL (default: option evidence_database_url, else SQLite).")
]
EvDateOpt = Annotated[str | None, typer.Option("--date", help="Publication date YYYY-MM-DD when the page states none.")]
BOUND_SIGNS = {"exact": "", "about": "~", "at_least": "≥", "more_than": ">", "up_to": "≤"}


# ------------------------------------------------------------------------------------------------ shared helpers
def _open(data: Path | None, database_url: str | None, as_json: bool) -> Any:
    """The evidence workflow on the dataset in *data* (default: the shipped one) and the chosen store."""
    from corridor.evidence.pipeline import Evidence

    return Evidence(load(data, as_json), database_url)


def _date(text: str | None, as_json: bool) -> Any:
    """``--date`` as a date, or one line naming the option and exit 2."""
    from datetime import date

    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(DataError(f"--date {text!r}: expected a date as YYYY-MM-DD"), as_json)


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    """A table of page-derived cells, each escaped so page text never reads as markup."""
    table = make_table([(c, "left") for c in columns], title=title, show_lines=False)
    for column in table.columns:
        column.overflow = "fold"
    for r in rows:
        table.add_row(*[escape("" if v is None else str(v)) for v in r])
    out.print(table)


def _value(c: Any) -> str:
    """A claim's value with its bound sign, unit and rate: ``~1.5 Mt/year``, ``4–5 bcm``."""
    v = c.value if c.value is not None else f"{c.value_low}–{c.value_high}"
    bound = BOUND_SIGNS.get(str(c.bound), "")
    rate = f"/{c.rate}" if c.rate else ""
    return f"{bound}{v:g} {c.unit}{rate}" if isinstance(v, float) else f"{bound}{v} {c.unit}{rate}"


def _period(c: Any) -> str:
    if not c.period_start and not c.period_end:
        return ""
    return f"{c.period_start or '…'} – {c.period_end or '…'}"


def _quote(c: Any, width: int = 150) -> str:
    """The sentence around the figure, cut at word boundaries to about *width* characters."""
    text = " ".join(c.sentence.split())
    if len(text) <= width:
        return text
    at = max(text.find(c.surface), 0)
    lo = max(0, at - (width - len(c.surface)) // 2)
    hi = min(len(text), lo + width)
    lo = max(0, hi - width)
    head = text[lo:hi]
    head = head.split(" ", 1)[1] if lo > 0 and " " in head else head
    head = head.rsplit(" ", 1)[0] if hi < len(text) and " " in head else head
    return ("… " if lo > 0 else "") + head + (" …" if hi < len(text) else "")


def _jsonl_docs(p: Path, published: Any) -> list[tuple[Any, str, Any]]:
    """(id, text, date) for each line ``{"id": ..., "text": ..., "date"?: ...}`` of *p* ("-" reads stdin)."""
    from datetime import date

    raw = sys.stdin.read() if str(p) == "-" else p.read_text(encoding="utf-8")
    docs = []
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{p}:{n}: not a JSON object ({exc.msg})") from exc
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) or "id" not in obj:
            raise DataError(f'{p}:{n}: expected {{"id": ..., "text": "..."}}')
        when = obj.get("date") or obj.get("published")
        try:
            day = date.fromisoformat(str(when)[:10]) if when else published
        except ValueError as exc:
            raise DataError(f"{p}:{n}: date {when!r}: expected YYYY-MM-DD") from exc
        docs.append((obj["id"], obj["text"], day))
    return docs


def _inputs(paths: list[Path], jsonl: bool, published: Any, as_json: bool) -> list[tuple[Any, str, Any]]:
    """(id, text, date) for each document named on the command line ("-" reads stdin)."""
    from corridor.evidence.ingest import read_page

    def read(p: Path) -> list[tuple[Any, str, Any]]:
        if jsonl:
            return _jsonl_docs(p, published)
        if str(p) == "-":
            return [("-", sys.stdin.read(), published)]
        page = read_page(p, published=published)
        return [(str(p), page.text, page.published)]

    return [doc for p in paths for doc in run(as_json, lambda p=p: read(p))]


# ------------------------------------------------------------------------------------------------ commands
@evidence_app.command("extract")
def evidence_extract(
    paths: Annotated[list[Path], typer.Argument(help="Pages (text or HTML), or JSONL files with --jsonl; '-' is stdin.")],
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help='Each input line is {"id": ..., "text": ..., "date"?: ...}; ids are kept.')
    ] = False,
    date_: EvDateOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print every quantitative claim of the pages, without storing anything."""
    from corridor.evidence.claims import CLAIM_FIELDS

    published = _date(date_, as_json)
    ev = _open(data, None, as_json)
    docs = []
    for doc_id, text, when in _inputs(paths, jsonl, published, as_json):
        claims = ev.extract_text(text, source=str(doc_id), published=when)[1] if text.strip() else []
        docs.append((doc_id, claims, [{k: c.as_dict()[k] for k in CLAIM_FIELDS} for c in claims]))
    if as_json:
        emit({"documents": [{"id": doc_id, "claims": rows} for doc_id, _, rows in docs]})
    elif jsonl:
        for doc_id, _, rows in docs:
            print(json.dumps({"id": doc_id, "claims": rows}, ensure_ascii=False))
    else:
        cols = ["figure", "value", "cur", "period", "modality", "subject", "property"]
        for doc_id, claims, _ in docs:
            rows = [[c.surface, _value(c), c.currency, _period(c), c.modality, c.subject_id, c.property] for c in claims]
            _table(f"{doc_id}: {len(rows)} claims", cols, rows)


@evidence_app.command("ingest")
def evidence_ingest(
    paths: Annotated[list[Path], typer.Argument(help="Page files (text or HTML).")],
    date_: EvDateOpt = None,
    replace: Annotated[bool, typer.Option("--replace", help="Re-extract pages already stored (decisions are kept).")] = False,
    database_url: EvDbOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Store pages and their claims; a page already stored (same text) is not stored twice."""
    published = _date(date_, as_json)
    ev = _open(data, database_url, as_json)
    outcomes = run(as_json, lambda: ev.ingest(paths, published=published, replace=replace))
    if as_json:
        emit([{"path": o.path, "error": o.error, "notes": list(o.notes), **(vars(o.result) if o.result else {})}
              for o in outcomes])  # fmt: skip
    else:
        for o in outcomes:
            if o.error:
                err.print(f"[bold red]error:[/] {escape(o.error)}", highlight=False, soft_wrap=True)
            else:
                state = "stored" if o.result.created else ("re-extracted" if replace else "already stored")
                line = f"{escape(o.path)}: {state} as document {o.result.document_id}, {o.result.claims} claims"
                out.print(line, highlight=False)
    if any(o.error for o in outcomes):
        raise typer.Exit(2)


def _print_rows(rows: list[dict[str, Any]], fmt: str) -> None:
    """Claims as JSON lines or CSV (header from the first row) on stdout."""
    import csv

    if fmt == "jsonl":
        for r in rows:
            print(json.dumps(r, ensure_ascii=False, default=str))
    elif rows:
        w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


@evidence_app.command("claims")
def evidence_claims(
    subject: Annotated[str | None, typer.Option("--subject", help="Subject id (link:btc), its last part (btc) or name.")] = None,
    property_: Annotated[str | None, typer.Option("--property", help="flow, capacity, length, price, share, ...")] = None,
    modality: Annotated[str | None, typer.Option("--modality", help="actual, projected, target, capacity or quota.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or jsonl.")] = "table",
    database_url: EvDbOpt = None,
    data: DataOpt = None,
) -> None:
    """Stored claims with their verdicts against the model."""
    check_choice(fmt, ("table", "csv", "jsonl"), option="--format", as_json=False)
    ev = _open(data, database_url, False)
    items = run(False, lambda: ev.claims(subject=subject, property=property_, modality=modality))
    if fmt != "table":
        _print_rows([v.as_dict() for v in items], fmt)
        return
    rows = [[v.id, v.surface, _value(v), _period(v), v.modality, v.subject_id, v.property, v.link.get("verdict"),
             v.link.get("detail"), v.decision or "", v.source] for v in items]  # fmt: skip
    cols = ["id", "figure", "value", "period", "modality", "subject", "property", "verdict", "detail", "review", "source"]
    _table(f"{len(rows)} claims", cols, rows)


@evidence_app.command("conflicts")
def evidence_conflicts(
    all_groups: Annotated[bool, typer.Option("--all", help="Also show groups whose figures agree.")] = False,
    tolerance: Annotated[float, typer.Option("--tolerance", help="Relative tolerance before figures disagree.")] = 0.05,
    database_url: EvDbOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Claims about one subject, property and period, with every source; groups that disagree first."""
    ev = _open(data, database_url, as_json)
    groups = run(as_json, lambda: ev.conflicts(tolerance=tolerance, only_conflicts=not all_groups))
    if as_json:
        emit([g.as_dict() for g in groups])
        return
    if not groups:
        out.print("no conflicting figures" if not all_groups else "no groups of figures", highlight=False)
    for g in groups:
        state = "[bold red]CONFLICT[/]" if g.conflict else "agree"
        head = f"{escape(g.subject_id)} · {escape(g.property)} · {escape(g.period)} ({escape(g.unit)})"
        out.print(f"{head}: {state}", highlight=False)
        for r in g.reasons:
            out.print(f"  {escape(r)}", highlight=False)
        rows = [[m.id, _value(m), m.modality, _period(m), m.source, _quote(m)] for m in g.members]
        _table("", ["id", "value", "modality", "period", "source", "quote"], rows)


def _show_queue(ev: Any, limit: int, as_json: bool) -> None:
    """The review queue: undecided claims, least sure × most relied on first."""
    queue = run(as_json, lambda: ev.queue(limit))
    if as_json:
        emit([{"priority": p, **v.as_dict()} for p, v in queue])
        return
    rows = [[f"{p:.2f}", v.id, v.surface, _value(v), v.subject_id, v.link.get("verdict"), v.confidence, v.source]
            for p, v in queue]  # fmt: skip
    cols = ["priority", "id", "figure", "value", "subject", "verdict", "conf", "source"]
    _table(f"review queue ({len(rows)} shown)", cols, rows)


@evidence_app.command("review")
def evidence_review(
    claim_id: Annotated[int | None, typer.Argument(help="Claim to decide on; without it, show the queue.")] = None,
    action: Annotated[str | None, typer.Option("--action", help="accept, reject or edit.")] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (required with --action).")] = "",
    set_: Annotated[list[str] | None, typer.Option("--set", help="FIELD=VALUE for --action edit (repeatable).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Rows of the queue to show.")] = 20,
    database_url: EvDbOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The review queue (least sure × most relied on first), or a decision on one claim."""
    from corridor.evidence.review import parse_edits

    ev = _open(data, database_url, as_json)
    if claim_id is None:
        _show_queue(ev, limit, as_json)
        return
    if action is None:
        fail(DataError("--action: expected accept, reject or edit"), as_json)
    v = run(as_json, lambda: ev.decide(claim_id, action, reason, parse_edits(set_ or []) or None))
    if as_json:
        emit(v.as_dict())
    else:
        out.print(f"claim {v.id}: {v.decision} ({_value(v)}, {v.modality}, {v.subject_id})", highlight=False, markup=False)


@evidence_app.command("promote")
def evidence_promote(
    claim_id: Annotated[int, typer.Argument(help="An accepted claim that supports a model value.")],
    dataset: Annotated[Path, typer.Option("--dataset", help="Dataset folder to write (a copy; never the installed one).")],
    database_url: EvDbOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write an accepted claim's quote, page and date into a dataset's provenance and sources."""
    ev = _open(data, database_url, as_json)
    r = run(as_json, lambda: ev.promote(claim_id, dataset))
    if as_json:
        emit({k: str(v) for k, v in vars(r).items()})
    else:
        verb = "replaced" if r.replaced else "added"
        out.print(f"{verb} provenance of {r.table}/{r.record_id}/{r.field} in {r.dataset_dir} (source {r.source_id})",
                  highlight=False, markup=False)  # fmt: skip
