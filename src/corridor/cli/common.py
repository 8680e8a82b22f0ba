"""What every command shares: options, argument checks, errors as one line and exit 2, JSON, Rich tables, progress.

Only the standard library, Typer and Rich are imported here, so ``corridor --help`` stays fast; each command
imports the library parts it calls inside its own body.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from corridor.errors import CorridorError, DataError, UnknownPlaceError

if TYPE_CHECKING:
    from rich.progress import Progress

__all__ = [
    "CargoOpt",
    "CurrencyOpt",
    "CustomsOpt",
    "DataOpt",
    "DbOpt",
    "ForceOpt",
    "JsonOpt",
    "ObjectiveOpt",
    "PlannedOpt",
    "YearOpt",
    "arg_countries",
    "arg_positive",
    "arg_year",
    "arg_years",
    "bar",
    "check_choice",
    "check_output_file",
    "check_output_folder",
    "emit",
    "err",
    "fail",
    "load",
    "make_table",
    "money",
    "mt",
    "out",
    "print_by_year",
    "run",
    "spinner",
    "split",
]

T = TypeVar("T")


def _console(stderr: bool = False) -> Console:
    """A console that keeps tables readable when output goes to a pipe or file (Rich would assume 80 columns)."""
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else max(shutil.get_terminal_size((160, 40)).columns, 120)
    return Console(stderr=stderr, width=width)


out = _console()
err = _console(stderr=True)

DataOpt = Annotated[Path | None, typer.Option("--data", help="Dataset folder (default: the shipped dataset).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
YearOpt = Annotated[int | None, typer.Option("--year", help="Model year, 2000 to 2100 (default: 2025 or CORRIDOR_YEAR).")]
PlannedOpt = Annotated[bool, typer.Option("--planned", help="Count planned and under-construction projects open by --year.")]
CustomsOpt = Annotated[
    str, typer.Option("--customs", help="Border regime: auto (digital where offered that year), digital or paper.")
]
CargoOpt = Annotated[str, typer.Option("--cargo", help="container (per TEU), dry_bulk or liquid_bulk (per t), gas (per bcm).")]
ObjectiveOpt = Annotated[str, typer.Option("--objective", "-o", help="time, cost, co2 or generalised.")]
CurrencyOpt = Annotated[
    str, typer.Option("--currency", help="Also show costs in this currency (ISO 4217, from the dated FX table).")
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite existing output files.")]
DbOpt = Annotated[
    str | None,
    typer.Option("--database-url", help="SQLAlchemy URL (default: CORRIDOR_DATABASE_URL, else SQLite in ~/.corridor)."),
]


def split(values: list[str] | None) -> list[str]:
    """Repeated and comma-separated option values as one list: ``--avoid RU,BY --avoid IR``."""
    return [p.strip() for v in values or [] for p in v.split(",") if p.strip()]


def fail(exc: Exception, as_json: bool) -> NoReturn:
    """Print each problem of *exc* as one line (or a JSON error document) and exit with status 2."""
    problems = [str(p) for p in getattr(exc, "problems", [])] or _validation_lines(exc) or [str(exc)]
    if as_json:
        body: dict[str, Any] = {"error": type(exc).__name__, "problems": problems}
        if isinstance(exc, UnknownPlaceError):
            body["suggestions"] = exc.suggestions
        print(json.dumps(body, ensure_ascii=False))
    else:
        for p in problems:
            err.print(f"[bold red]error:[/] {escape(p)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _validation_lines(exc: Exception) -> list[str]:
    """A pydantic ValidationError as one line per problem: field = value: message."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return []
    try:
        return [f"{'.'.join(map(str, e['loc']))} = {e.get('input')!r}: {e['msg']}" for e in errors()]
    except (TypeError, KeyError):
        return []


def run(as_json: bool, fn: Callable[[], T]) -> T:
    """``fn()``, turning errors users can cause into one line each and exit status 2.

    Besides our own errors (and the built-in ones they subclass) this covers files that cannot be read or
    written (``OSError``: permissions, a full disk, a vanished folder).
    """
    try:
        return fn()
    except (CorridorError, ValueError, KeyError, LookupError, OSError) as exc:
        fail(exc, as_json)


def load(data: Path | None, as_json: bool, option: str = "--data") -> Any:
    """The dataset in *data* (default: the shipped one) as a model Network, or its problems and exit 2.

    Reads through :func:`corridor.data.read_dataset` rather than ``corridor.load()``: the notebook class would
    also import networkx and the assignment engine, which most commands never use.
    """
    from corridor import data as adapters

    if data is not None and not data.is_dir():
        fail(DataError(f"{option} = {str(data)!r}: expected an existing dataset folder"), as_json)
    return run(as_json, lambda: adapters.read_dataset(data))


def arg_year(year: int | None, as_json: bool, option: str = "--year") -> int | None:
    """*year* if given and in the model's range (see :mod:`corridor.model.inputs`), else one line and exit 2."""
    from corridor.model.inputs import check_year

    return None if year is None else run(as_json, lambda: check_year(year, option))


def arg_years(text: str, as_json: bool, option: str = "--years") -> list[int]:
    """``YYYY``, ``YYYY..YYYY`` or ``YYYY,YYYY`` as years in the model's range, else one line and exit 2."""
    from corridor.model.inputs import parse_years

    return run(as_json, lambda: parse_years(text, option))


def arg_positive(value: float, as_json: bool, option: str) -> float:
    """*value* if finite and > 0 (no NaN, infinity, zero or negative), else one line and exit 2."""
    from corridor.model.inputs import check_positive

    return run(as_json, lambda: check_positive(value, option))


def arg_countries(values: list[str] | None, as_json: bool, option: str = "--avoid") -> list[str]:
    """Comma-separated or repeated ISO 3166-1 alpha-2 codes, each known, else one line and exit 2."""
    from corridor.model.inputs import check_countries

    return run(as_json, lambda: check_countries(split(values), option))


def _describe(path: Path) -> str:
    return "a folder" if path.is_dir() else "a file"


def check_output_file(path: Path, *, option: str, force: bool, as_json: bool) -> None:
    """Refuse an output file whose folder is missing, that is a folder, or that exists (unless ``--force``)."""
    if path.is_dir():
        fail(DataError(f"{option} = {str(path)!r}: expected a file name, found a folder"), as_json)
    if not path.parent.is_dir():
        fail(
            DataError(f"{option} = {str(path)!r}: expected a file in an existing folder; {str(path.parent)!r} does not exist"),
            as_json,
        )
    if path.exists() and not force:
        fail(
            DataError(f"{option} = {str(path)!r}: the file exists; expected a new file name, or --force to overwrite it"), as_json
        )


def check_output_folder(path: Path, *, option: str, force: bool, as_json: bool) -> None:
    """Refuse an output folder that is a file, or that holds files already (unless ``--force``)."""
    if path.exists() and not path.is_dir():
        fail(DataError(f"{option} = {str(path)!r}: expected a folder, found {_describe(path)}"), as_json)
    if path.is_dir() and any(path.iterdir()) and not force:
        fail(DataError(f"{option} = {str(path)!r}: the folder is not empty; expected a new or empty folder, or --force"), as_json)


def check_choice(value: str, allowed: Iterable[str], *, option: str, as_json: bool) -> str:
    """*value* if it is one of *allowed*, else one line naming the option and exit 2."""
    allowed = list(allowed)
    if value not in allowed:
        fail(DataError(f"{option} = {value!r}: expected one of {', '.join(allowed)}"), as_json)
    return value


class _NoProgress:
    """What a progress display shows for JSON or when stderr is not a terminal: nothing (Rich's Progress with
    ``disable=True`` does the same, but importing and starting it costs more than many commands)."""

    def __enter__(self) -> _NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, description: str, **fields: Any) -> int:
        return 0

    def update(self, task: int, **fields: Any) -> None:
        return None

    def advance(self, task: int, advance: float = 1) -> None:
        return None


def _shown(as_json: bool) -> bool:
    return not as_json and err.is_terminal


def spinner(text: str, as_json: bool) -> Progress | _NoProgress:
    """A transient spinner on stderr (off for JSON and when stderr is not a terminal)."""
    if not _shown(as_json):
        return _NoProgress()
    from rich.progress import Progress, SpinnerColumn, TextColumn

    return Progress(SpinnerColumn(), TextColumn(text), console=err, transient=True)


def bar(
    as_json: bool, *, bar_column: bool = True, counter: str | None = "{task.completed}/{task.total}"
) -> Progress | _NoProgress:
    """A transient progress display on stderr: changing description, optional bar and counter (off for JSON)."""
    if not _shown(as_json):
        return _NoProgress()
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

    columns: list[Any] = [SpinnerColumn(), TextColumn("{task.description}")]
    if bar_column:
        columns.append(BarColumn())
    if counter:
        columns.append(TextColumn(counter))
    return Progress(*columns, console=err, transient=True)


def emit(obj: Any) -> None:
    """Print *obj* as indented JSON on stdout."""
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def money(x: float) -> str:
    """A money amount with thousands separators and no decimals."""
    return f"{x:,.0f}"


def mt(x: float) -> str:
    """Tonnes as millions of tonnes with two decimals; ``–`` for a missing value."""
    return "–" if x != x else f"{x / 1e6:,.2f}"


def make_table(columns: Iterable[tuple[str, str]], **options: Any) -> Table:
    """A Rich table with bold headers and the given (name, justify) columns."""
    t = Table(header_style="bold", **options)
    for col, just in columns:
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    return t


def print_by_year(title: str, frame: Any, fmt: Callable[[float], str]) -> None:
    """A table with one row per year (the frame's index) and one right-aligned column per frame column."""
    t = make_table([("year", "left"), *((str(c), "right") for c in frame.columns)], title=title)
    for yr, r in frame.iterrows():
        t.add_row(str(yr), *[fmt(v) for v in r.values])
    out.print(t)
