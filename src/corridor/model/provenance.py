"""Search the provenance table: which dataset values come from where, filtered by table, record, kind or text.

Used by ``corridor sources`` and (later) the API, so both filter the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from corridor.errors import DataError

if TYPE_CHECKING:
    from corridor.model.network import Network

__all__ = ["PROVENANCE_KINDS", "SEARCHED_COLUMNS", "search_provenance"]

#: How a dataset value is backed: quoted from a source, computed from sourced inputs, or assumed with a reason.
PROVENANCE_KINDS = ("sourced", "computed", "assumption")

#: Columns ``search`` looks in (case-insensitive substring).
SEARCHED_COLUMNS = ("source_title", "quote", "note")


def search_provenance(
    net: Network,
    *,
    table: str | None = None,
    record: str | None = None,
    field: str | None = None,
    kind: str | None = None,
    source: str | None = None,
    search: str | None = None,
) -> pd.DataFrame:
    """Provenance rows (one per dataset value) matching every filter given; ``search`` is case-insensitive text.

    Columns: table, record_id, field, value, unit, year, kind, source_id, source_title, source_ref, confidence,
    quote, note. Raises :class:`DataError` for a *kind* other than sourced, computed or assumption, and for a
    *table* that holds no values.
    """
    if kind and kind not in PROVENANCE_KINDS:
        raise DataError(f"field 'kind' = {kind!r}: expected one of {', '.join(PROVENANCE_KINDS)}")
    frame = net.provenance.reset_index()
    tables = sorted(frame["table"].astype(str).unique())
    if table and table not in tables:
        raise DataError(f"field 'table' = {table!r}: expected one of {', '.join(tables)}")
    for col, want in (("table", table), ("record_id", record), ("field", field), ("kind", kind), ("source_id", source)):
        if want:
            frame = frame[frame[col].astype(str) == want]
    if search:
        text = pd.Series("", index=frame.index)
        for col in SEARCHED_COLUMNS:
            text = text + " " + frame[col].fillna("").astype(str)
        frame = frame[text.str.contains(search, case=False, regex=False)]
    return frame.reset_index(drop=True)
