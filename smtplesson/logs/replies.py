"""Replies found inside log lines, read with the lesson's own parser, once per distinct shape.

A delivery's "host X said: 550 5.1.1 ..." or a reject's "554 5.7.1 ..." is an SMTP reply;
``read_replies`` gives each its code, enhanced code and text with ``parse_reply``, never failing:
what is not a well-formed reply keeps its words and, if it starts with one, its code.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ReplyParseError
from ..reply import parse_reply

def read_replies(raw: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(code, enhanced, text) of replies as logs carry them, each shape read once by parse_reply.

    A reply's shape is the reply with every run of six or more letters and digits (queue IDs,
    message IDs) shortened to "x": the runs change neither its codes nor which RFC rules it
    keeps, so a day of "250 2.0.0 Ok: queued as <id>" replies is one call to parse_reply, not one
    per message. Postfix's one-line form of a multi-line reply is split again first.
    """
    multi = pc.match_substring_regex(raw, r"^\d{3}-").to_numpy(zero_copy_only=False)
    too_long = pc.greater(pc.binary_length(raw), MAX_REPLY).to_numpy(zero_copy_only=False)
    shapes = pc.replace_substring_regex(raw, r"[0-9A-Za-z]{6,}", "x")
    encoded = pc.dictionary_encode(shapes)
    found = [_shape(shape) for shape in encoded.dictionary.to_pylist()]
    index = encoded.indices
    code = pa.array([f[0] if f else None for f in found], pa.int16()).take(index)
    enhanced = pa.array([f[1] if f else None for f in found], pa.string()).take(index)
    skip = pa.array([4 + (len(f[1]) + 1 if f and f[1] else 0) if f else 0 for f in found],
                    pa.int8()).take(index).to_numpy(zero_copy_only=False)
    failed = (skip == 0) | too_long
    text = pa.nulls(len(raw), pa.large_string())
    pieces, rows = [], []
    for width in np.unique(skip[~failed]):
        where = np.flatnonzero((skip == width) & ~failed)
        pieces.append(pc.utf8_trim_whitespace(pc.utf8_slice_codeunits(raw.take(where), int(width))))
        rows.append(where)
    if failed.any():  # not a well-formed reply: keep what it says, and a code if it starts with one
        where = np.flatnonzero(failed)
        bad = raw.take(where)
        head = pc.utf8_slice_codeunits(bad, 0, 3)
        numeric = pc.match_substring_regex(bad, r"^[2-5]\d\d(?:[ -]|$)")
        code = _set(code, where, pc.if_else(numeric, pc.cast(pc.if_else(numeric, head, "0"), pa.int16()),
                                             pa.scalar(None, pa.int16())))
        enhanced = _set(enhanced, where, pa.nulls(len(where), pa.string()))
        pieces.append(pc.if_else(numeric, pc.utf8_trim_whitespace(pc.utf8_slice_codeunits(bad, 4)), bad))
        rows.append(where)
    if multi.any():  # rare: Postfix flattened a multi-line reply; read those one by one
        where = np.flatnonzero(multi)
        exact = [_read_flattened(value) for value in raw.take(where).to_pylist()]
        code = _set(code, where, pa.array([e[0] for e in exact], pa.int16()))
        enhanced = _set(enhanced, where, pa.array([e[1] for e in exact], pa.string()))
        pieces.append(pa.array([e[2] for e in exact], pa.large_string()))
        rows.append(where)
    if pieces:
        text = _set(text, np.concatenate(rows), pa.concat_arrays([p.cast(pa.large_string()) for p in pieces]))
    return code, enhanced, text


def _set(array: pa.Array, rows: np.ndarray, values: pa.Array) -> pa.Array:
    """``array`` with ``values`` at ``rows`` (later rows win)."""
    where = np.arange(len(array))
    where[rows] = len(array) + np.arange(len(rows))
    return pa.concat_arrays([array, values.cast(array.type)]).take(pa.array(where))


#: Runs of letters and digits (queue IDs, message IDs): a reply's shape does not depend on them.
_ID = re.compile(r"[0-9A-Za-z]{6,}")
#: The longest reply line RFC 5321 §4.5.3.1.5 allows, without its CRLF.
MAX_REPLY = 510


def _read_flattened(raw: str) -> tuple[int | None, str | None, str]:
    """(code, enhanced, text) of one multi-line reply that Postfix wrote on one line."""
    text = _unflatten(raw)
    found = _shape(_ID.sub(lambda run: "x" * len(run.group()), text))
    if found is None:
        head = raw[:3]
        return (int(head) if head.isdigit() else None), None, raw[4:].strip()
    code, enhanced = found
    lines = [line[4:] for line in text.split("\n")]
    if enhanced:
        lines = [line[len(enhanced):].strip() if line.startswith(enhanced) else line for line in lines]
    return code, enhanced, " ".join(lines).strip()


@lru_cache(maxsize=4096)
def _shape(text: str) -> tuple[int, str | None] | None:
    """(code, enhanced) if parse_reply accepts the reply, else None."""
    try:
        reply = parse_reply(text)
    except ReplyParseError:
        return None
    return reply.code, reply.enhanced


def _unflatten(raw: str) -> str:
    """Postfix logs a multi-line reply on one line ("550-5.1.1 a 550-5.1.1 b 550 5.1.1 c"): split it again."""
    code = raw[:3]
    if raw[3:4] != "-":
        return raw
    marker = f" {code}-"
    pieces = raw.replace(marker, "\n" + code + "-").replace(f" {code} ", "\n" + code + " ")
    return pieces
