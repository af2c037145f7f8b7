"""``read_log``: a mail log in, a pandas DataFrame of its SMTP events out (one row per line)."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from . import times
from .parse import SCHEMA, UNKNOWN, ReadState, parse_chunk
from .patterns import EVENTS
from .source import open_source

#: The columns of read_log's frame, in order.
COLUMNS = ("time", "host", "program", "pid", "queue_id", "client_ip", "event", "code", "enhanced",
           "mechanism", "username", "command", "text")
#: Columns stored as categories: few distinct values, repeated on many rows.
CATEGORIES = ("host", "program", "queue_id", "client_ip", "event", "enhanced", "mechanism",
              "username", "command", "text")
_NULLABLE_INTS = {pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype()}

Progress = Callable[[int], None]


def read_log(source, *, year: int | None = None) -> pd.DataFrame:
    """Read a Postfix, Dovecot or Exim log: a path (plain or .gz), an open file, or the text itself.

    One row per SMTP-relevant line, with the columns in ``COLUMNS``; ``event`` is one of
    ``EVENTS``. ``year`` is the year of the first RFC 3164 line (``Nov 20 02:13:05``), which
    carries none; without it the file's modification time decides (see ``smtplesson.logs.times``).
    ``frame.attrs`` counts the lines read, the lines not understood (``unparsed``) and the lines
    of programs that carry no SMTP event (``skipped``).
    """
    return read_with_progress(source, year=year)


def read_with_progress(source, *, year: int | None = None, progress: Progress | None = None,
                       opened=None) -> pd.DataFrame:
    """read_log, telling ``progress`` how many bytes of the source it has read after each chunk."""
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1970 <= year <= 9999):
        from ..errors import SmtpLessonError

        raise SmtpLessonError(f"year must be a whole number from 1970 to 9999, not {year!r} "
                              "(rule: log-year)", rule="log-year")
    src = opened or open_source(source)
    state = ReadState()
    tables = []
    for data in src.chunks():
        tables.append(_encode(parse_chunk(data, state)))
        if progress is not None:
            progress(src.position())
    base = times.base_year(year, state.last, state.turns, src.mtime)
    frame = _to_pandas(tables, base)
    frame.attrs.update({
        "source": src.name, "lines": state.lines, "unparsed": state.unparsed,
        "skipped": state.skipped, "unparsed_examples": list(state.examples),
        "year": base if state.last is not None else None,
    })
    return frame


def _encode(table: pa.Table) -> pa.Table:
    for name in CATEGORIES:
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, table.column(name).dictionary_encode())
    return table


def _times(tables: list[pa.Table], base: int) -> pd.Series:
    """One ``time`` column: RFC 3164 times get their year now; ISO and Exim times are complete."""
    out = np.empty(sum(t.num_rows for t in tables), "datetime64[us]")
    at = 0
    for table in tables:  # a chunk at a time: no full-length temporaries
        stamp = table.column("_stamp").to_numpy()
        rfc = table.column("_form").to_numpy() == times.RFC3164
        part = stamp.view("datetime64[us]").copy()
        if rfc.any():
            part[rfc] = times.unpack(stamp[rfc], base)
        out[at:at + len(part)] = part
        at += len(part)
    return pd.Series(out, name="time", copy=False)


def _to_pandas(tables: list[pa.Table], base: int) -> pd.DataFrame:
    """Column by column, so the Arrow tables (emptied in place) shrink while the frame grows."""
    if not tables:
        tables.append(_encode(SCHEMA.empty_table()))
    columns = {"time": _times(tables, base)}
    tables[:] = [t.drop_columns(["_form", "_stamp"]) for t in tables]
    for name in COLUMNS[1:]:
        chunked = pa.chunked_array([c for t in tables for c in t.column(name).chunks],
                                   tables[0].schema.field(name).type)
        tables[:] = [t.drop_columns([name]) for t in tables]
        if name in CATEGORIES:
            chunked = pa.table({name: chunked}).unify_dictionaries().column(0)
        columns[name] = chunked.to_pandas(types_mapper=_NULLABLE_INTS.get)
        del chunked
    frame = pd.DataFrame(columns, copy=False)
    frame["event"] = frame["event"].cat.set_categories(EVENTS)
    for name in ("client_ip", "username", "mechanism", "command", "enhanced", "queue_id"):
        series = frame[name]
        unknown = [value for value in UNKNOWN if value in series.cat.categories]
        if unknown:
            frame[name] = series.cat.remove_categories(unknown)
    return frame
