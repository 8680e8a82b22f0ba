"""Read-only pandas tables, so a :class:`~corridor.model.Network` cannot change under the engines' caches.

``freeze`` locks every column's buffer (numpy arrays, masked arrays, python-backed strings) against writes and
turns list cells into tuples. A value written in place then raises ``ValueError: assignment destination is
read-only``; a column or row replaced in place gives the frame new buffers, which :func:`parts` exposes so a cache
can see the change.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

__all__ = ["freeze", "is_frozen", "parts"]


def _buffers(values: object) -> Iterator[np.ndarray] | None:
    """The numpy buffers holding *values*, or None when they cannot be locked (e.g. Arrow-backed columns)."""
    if isinstance(values, np.ndarray):
        return iter([values])
    for names in (("_data", "_mask"), ("_ndarray",), ("_codes",)):
        found = [getattr(values, n, None) for n in names]
        if all(isinstance(b, np.ndarray) for b in found):
            return iter(found)
    return None


def _lockable(series: pd.Series) -> pd.Series | None:
    """*series* in a form whose buffers can be locked, with list cells as tuples; None when it already is."""
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage != "python":
        return series.astype(pd.StringDtype("python", na_value=dtype.na_value))
    if pd.api.types.is_object_dtype(dtype):
        if series.map(lambda v: isinstance(v, list)).any():
            return series.map(lambda v: tuple(v) if isinstance(v, list) else v).astype(object)
        return None
    if _buffers(series.array) is None:
        return series.astype(object)
    return None


def _lockable_as_is(frame: pd.DataFrame) -> bool:
    """True when no column needs converting before its buffers are locked (as after unpickling a frozen frame):
    every block has numpy buffers and no cell is a list. One pass over the blocks, no Series per column."""
    for block in frame._mgr.blocks:
        values = block.values
        if _buffers(values) is None:
            return False
        if isinstance(values, np.ndarray) and values.dtype == object:
            kinds = set(map(type, values.ravel().tolist()))  # the cells' types, gathered at C speed
            if any(issubclass(k, list) for k in kinds):
                return False
    return True


def is_frozen(frame: pd.DataFrame) -> bool:
    """True when every buffer of *frame* is read-only."""
    for block in frame._mgr.blocks:
        found = _buffers(block.values)
        if found is None or any(b.flags.writeable for b in found):
            return False
    return True


def freeze(frame: pd.DataFrame, *, copy: bool = True) -> pd.DataFrame:
    """*frame* with read-only buffers: a locked copy (or *frame* itself, locked in place, with ``copy=False``).

    A frame that is already frozen is returned as is.
    """
    if is_frozen(frame):
        return frame
    out = frame.copy() if copy else frame
    for col in [] if _lockable_as_is(out) else list(out.columns):
        converted = _lockable(out[col])
        if converted is not None:
            out[col] = converted
    for block in out._mgr.blocks:
        for buffer in _buffers(block.values) or ():
            buffer.flags.writeable = False
    return out


def parts(frame: pd.DataFrame) -> tuple[object, ...]:
    """The objects a frame's content lives in; a frame whose parts are the same objects, frozen, holds the same data."""
    return (frame._mgr, frame.index, frame.columns, *(block.values for block in frame._mgr.blocks))
