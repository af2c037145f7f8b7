"""``read_log``: a mail log in, a pandas DataFrame of its SMTP events out (one row per line)."""

from __future__ import annotations

import collections
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import times
from .memory import give_back, system_memory
from .parse import SCHEMA, UNKNOWN, ReadChunk, ReadState, finish_chunk, read_chunk
from .patterns import EVENTS
from .source import open_source

#: The columns of read_log's frame, in order.
COLUMNS = ("time", "host", "program", "pid", "queue_id", "client_ip", "event", "code", "enhanced",
           "mechanism", "username", "command", "text")
#: Columns stored as categories: few distinct values, repeated on many rows.
CATEGORIES = ("host", "program", "queue_id", "client_ip", "event", "enhanced", "mechanism",
              "username", "command", "text")
#: Columns where Postfix's and Dovecot's words for "not known" become missing values.
_MAY_BE_UNKNOWN = ("queue_id", "client_ip", "enhanced", "mechanism", "username", "command")
_NULLABLE_INTS = {pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype()}

Progress = Callable[[int], None]


def read_log(source, *, year: int | None = None) -> pd.DataFrame:
    """Read a Postfix, Dovecot or Exim log: a path (plain or .gz), an open file, or the text itself.

    One row per SMTP-relevant line, with the columns in ``COLUMNS``; ``event`` is one of
    ``EVENTS``. ``code`` and ``enhanced`` are the reply the line carries or implies: a Postfix
    "SASL ... authentication failed" line is 535 5.7.8, because that is what Postfix answered on
    the wire (smtpd_sasl_glue.c); a delivery carries the remote server's reply, read with
    ``parse_reply``. ``text`` is that reply's text (or the reason Postfix logged), and for lines
    without a reply the message after the program and queue ID. ``time`` is the log's own wall
    clock. ``year`` is the year of the first RFC 3164 line (``Nov 20 02:13:05``), which carries
    none; without it the file's modification time decides (see ``smtplesson.logs.times``).
    ``frame.attrs`` counts the lines read, the lines not understood (``unparsed``, never an
    error) and the lines of programs that carry no SMTP event (``skipped``).
    """
    return read_with_progress(source, year=year)


#: Chunks read at once: one per core, at most two (each holds its columns until its turn comes).
THREADS = max(1, min(2, os.cpu_count() or 1))


def _read_ahead(chunks: Iterator[bytes]) -> Iterator[ReadChunk]:
    """Each chunk read by ``read_chunk`` on a small pool of threads, handed back in file order."""
    if THREADS == 1:
        yield from map(read_chunk, chunks)
        return
    with ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="smtplesson-logs") as pool:
        pending: collections.deque = collections.deque()
        for data in chunks:
            pending.append(pool.submit(read_chunk, data))
            if len(pending) >= THREADS:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def read_with_progress(source, *, year: int | None = None, progress: Progress | None = None,
                       opened=None) -> pd.DataFrame:
    """read_log, telling ``progress`` how many bytes of the source it has read after each chunk."""
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1970 <= year <= 9999):
        from ..errors import SmtpLessonError

        raise SmtpLessonError(f"year must be a whole number from 1970 to 9999, not {year!r} "
                              "(rule: log-year)", rule="log-year")
    src = opened or open_source(source)
    state = ReadState()
    with system_memory():
        columns = _Columns()
        for read in _read_ahead(src.chunks()):
            columns.add(finish_chunk(read, state))
            if progress is not None:
                progress(src.position())
        give_back()  # what the chunks freed, before the columns are put together
        base = times.base_year(year, state.last, state.turns, src.mtime)
        frame = columns.frame(base)
        give_back()  # and what putting them together freed, before the caller goes on
    frame.attrs.update({
        "source": src.name, "lines": state.lines, "unparsed": state.unparsed,
        "skipped": state.skipped, "unparsed_examples": list(state.examples),
        "year": base if state.last is not None else None,
    })
    return frame


class _Categories:
    """One categorical column built chunk by chunk: each chunk keeps its codes and its own distinct
    values as Arrow strings (no Python object per value); one numbering across chunks at the end."""

    def __init__(self, known: tuple[str, ...] = (), missing: tuple[str, ...] = ()) -> None:
        self.known = pa.array(known, pa.large_string())  # values numbered first, in this order
        self.missing = pa.array(missing, pa.large_string())
        self.codes: list[np.ndarray] = []  # per chunk: where each row's value is in that chunk's values
        self.values: list[pa.Array] = []  # per chunk: its distinct values, in order of appearance

    def add(self, values: pa.Array) -> None:
        encoded = pc.dictionary_encode(values)
        distinct, indices = encoded.dictionary, encoded.indices
        if indices.null_count:  # a missing value's code: one past the chunk's last value
            indices = pc.fill_null(indices, len(distinct))
        codes = indices.to_numpy(zero_copy_only=False)
        keep = ~pc.is_in(distinct, value_set=self.missing).to_numpy(zero_copy_only=False)
        if keep.all():
            self.codes.append(codes.astype(np.min_scalar_type(len(distinct))))
            self.values.append(distinct)
            return
        size = int(keep.sum())  # the values standing for "not known" go, and their rows are missing
        number = np.append(np.where(keep, np.cumsum(keep) - 1, size), size)
        self.codes.append(number.astype(np.min_scalar_type(size))[codes])
        self.values.append(distinct.filter(pa.array(keep)))

    def take(self) -> pd.Categorical:
        # one numbering of every chunk's values, chunk by chunk (the values are not concatenated)
        encoded = pc.dictionary_encode(pa.chunked_array([self.known, *self.values], pa.large_string()))
        parts = [part.indices.to_numpy(zero_copy_only=False) for part in encoded.chunks]
        index = np.concatenate(parts) if parts else np.zeros(0, np.int32)  # empty chunks are left out
        names = encoded.chunks[-1].dictionary if parts else self.known  # the last holds every value
        # the integer type pandas picks for this many categories, so the codes are not copied again
        kind = np.int8 if len(names) < 127 else np.int16 if len(names) < 32767 else np.int32
        out = np.empty(sum(len(part) for part in self.codes), kind)
        at, first = 0, len(self.known)
        for codes, values in zip(self.codes, self.values):
            mapping = np.append(index[first:first + len(values)], -1).astype(kind)
            out[at:at + len(codes)] = mapping[codes]
            at, first = at + len(codes), first + len(values)
        self.codes, self.values = [], []
        categories = pd.Index(names.to_pandas(), dtype="str", copy=False)
        # dictionary_encode made the names distinct: pandas need not check them with a hash table
        dtype = _categorical_dtype(categories)
        return pd.Categorical.from_codes(out, dtype=dtype)


def _categorical_dtype(categories: pd.Index) -> pd.CategoricalDtype:
    """A CategoricalDtype for names known to be distinct (pandas' own fast path where it has one)."""
    fast = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    return fast(categories, False) if fast is not None else pd.CategoricalDtype(categories)


class _Columns:
    """read_log's columns while the chunks come in: compact codes and numbers, no strings twice."""

    def __init__(self) -> None:
        self.categories = {name: _Categories(EVENTS if name == "event" else (),
                                             UNKNOWN if name in _MAY_BE_UNKNOWN else ())
                           for name in CATEGORIES}
        self.numbers: dict[str, list] = {"_form": [], "_stamp": [], "pid": [], "code": []}

    def add(self, table: pa.Table) -> None:
        for name, column in self.categories.items():
            column.add(table.column(name).combine_chunks())
        for name, parts in self.numbers.items():
            parts.append(table.column(name).combine_chunks())

    def frame(self, base: int) -> pd.DataFrame:
        columns = {"time": self._times(base)}
        for name in COLUMNS[1:]:
            if name in self.categories:
                columns[name] = pd.Series(self.categories[name].take(), name=name, copy=False)
            else:
                parts, self.numbers[name] = self.numbers[name], []
                array = pa.chunked_array(parts, SCHEMA.field(name).type)
                columns[name] = array.to_pandas(types_mapper=_NULLABLE_INTS.get)
            give_back()  # each column's parts, once it stands on its own
        return pd.DataFrame(columns, copy=False)

    def _times(self, base: int) -> pd.Series:
        """One ``time`` column: RFC 3164 times get their year now; ISO and Exim times are complete."""
        forms, stamps = self.numbers.pop("_form"), self.numbers.pop("_stamp")
        out = np.empty(sum(len(part) for part in stamps), "datetime64[us]")
        at = 0
        while stamps:  # a chunk at a time, each let go once copied: no full-length temporaries
            form, stamp = forms.pop(0), stamps.pop(0)
            stamp = stamp.to_numpy(zero_copy_only=False)
            rfc = form.to_numpy(zero_copy_only=False) == times.RFC3164
            part = stamp.view("datetime64[us]").copy()
            if rfc.any():
                part[rfc] = times.unpack(stamp[rfc], base)
            out[at:at + len(part)] = part
            at += len(part)
        return pd.Series(out, name="time", copy=False)
