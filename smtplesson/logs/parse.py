"""One chunk of log lines in, one Arrow table of SMTP events out: vectorised, one RE2 pass per family.

The lines become an Arrow string array without copying; numpy reads the timestamps from each
line's first bytes; ``split_pattern`` cuts the syslog header from the message; then each line
family (patterns.py) is tested by its prefix and read by one ``extract_regex`` over just its rows.
Replies found inside lines are read by the lesson's own ``parse_reply``, once per distinct reply.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import patterns, times
from .patterns import Family
from .replies import read_replies

#: Text columns are large_string, the type the lines come in: nothing is cast (copied) on the way.
_STR = pa.large_string()
#: The columns of a chunk's table, as Arrow types (times are kept in parts until the year is known).
SCHEMA = pa.schema([
    ("_form", pa.int8()), ("_stamp", pa.int64()),
    ("host", _STR), ("program", _STR), ("pid", pa.int32()),
    ("queue_id", _STR), ("client_ip", _STR), ("event", _STR),
    ("code", pa.int16()), ("enhanced", _STR), ("mechanism", _STR),
    ("username", _STR), ("command", _STR), ("text", _STR),
])
_VALUES = {name: SCHEMA.field(name).type for name in SCHEMA.names if not name.startswith("_")}
#: Bytes of each message's start used for the prefix tests.
_PREFIX = 24
#: Values that stand for "not known" (Postfix's unknown[unknown], sasl_username=(unavailable),
#: Dovecot's "?" user, an optional group that did not match): read_log makes them missing.
UNKNOWN = ("", "unknown", "(unavailable)", "?")


@dataclass
class ReadState:
    """What carries over from one chunk to the next, and the counts for ``frame.attrs``."""

    lines: int = 0
    unparsed: int = 0
    skipped: int = 0
    month: int = 0  # month of the last RFC 3164 line so far (0: none yet)
    turns: int = 0  # new years seen so far inside the file
    last: tuple[int, int, int] | None = None  # (month, day, second) of the last RFC 3164 line
    examples: list[str] = field(default_factory=list)  # a few lines not understood, for messages


class _Scatter:
    """Values set on some rows of a chunk; a later ``put`` on a row wins."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.parts: dict[str, list[tuple[np.ndarray, pa.Array]]] = {name: [] for name in _VALUES}

    def put(self, rows: np.ndarray, **values) -> None:
        if len(rows) == 0:
            return
        for name, value in values.items():
            if value is None:
                continue
            kind = _VALUES[name]
            if not isinstance(value, (pa.Array, pa.ChunkedArray)):
                value = pa.repeat(pa.scalar(value, kind), len(rows))
            elif isinstance(value, pa.ChunkedArray):
                value = value.combine_chunks()
            self.parts[name].append((rows, value.cast(kind)))

    def column(self, name: str, keep: np.ndarray) -> pa.Array:
        """The values of the rows ``keep``, in that order (null where none was put): one take."""
        parts = self.parts[name]
        if not parts:
            return pa.nulls(len(keep), _VALUES[name])
        rows = np.concatenate([r for r, _ in parts])
        values = pa.concat_arrays([v for _, v in parts])
        where = np.full(self.size, -1, np.int64)
        where[rows] = np.arange(len(rows))
        where = where[keep]
        return values.take(pa.array(where, mask=where < 0))


def _lines(data: bytes) -> tuple[pa.Array, np.ndarray, np.ndarray, np.ndarray]:
    """The chunk's lines as an Arrow string array (no copy of the text), with starts and lengths."""
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            data = data.decode("utf-8", errors="replace").encode("utf-8")
    buf = np.frombuffer(data, np.uint8)
    ends = np.flatnonzero(buf == 10)
    if len(buf) and buf[-1] != 10:
        ends = np.append(ends, len(buf))
    starts = np.empty_like(ends)
    starts[:1] = 0
    starts[1:] = ends[:-1] + 1
    text = buf[buf != 10]  # every line end goes; each line then starts i bytes earlier
    offsets = np.empty(len(ends) + 1, np.int64)
    offsets[:-1] = starts - np.arange(len(ends))
    offsets[-1] = len(text)
    lines = pa.LargeStringArray.from_buffers(len(ends), pa.py_buffer(offsets), pa.py_buffer(text))
    return lines, buf, starts, ends - starts


def _heads(array: pa.Array, width: int = _PREFIX) -> np.ndarray:
    """The first ``width`` bytes of each string of a null-free Arrow string array, zero-padded."""
    array = array.cast(pa.large_string())
    _, offsets, data = array.buffers()
    offsets = np.frombuffer(offsets, np.int64)[array.offset:array.offset + len(array) + 1]
    raw = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)
    if len(raw) == 0:
        return np.zeros((len(array), width), np.uint8)
    return times.heads(raw, offsets[:-1], np.diff(offsets), width)


def _starts(heads: np.ndarray, prefix: str) -> np.ndarray:
    """Which rows start with ``prefix`` (heads from _heads)."""
    return np.strings.startswith(heads.view(f"S{heads.shape[1]}").ravel(), prefix.encode())


def _split2(array: pa.Array, separator: str, reverse: bool = False) -> tuple[np.ndarray, pa.Array, pa.Array]:
    """Split each string at the first (or last) ``separator``: (which had one, before, after)."""
    parts = pc.split_pattern(array, separator, max_splits=1, reverse=reverse)
    lengths = pc.list_value_length(parts).to_numpy(zero_copy_only=False)
    two = lengths == 2
    first = np.asarray(parts.offsets)[:-1]
    values = parts.flatten()
    return two, values.take(first[two]), values.take(first[two] + 1)


def _field(found: pa.StructArray, name: str) -> pa.Array | None:
    index = found.type.get_field_index(name)
    return None if index < 0 else found.field(index)


class _Chunk:
    """The state of one chunk while its families are read."""

    def __init__(self, size: int) -> None:
        self.out = _Scatter(size)
        self.replies: list[tuple[np.ndarray, pa.Array]] = []

    def keep(self, family: Family, rows: np.ndarray, found: pa.StructArray) -> None:
        """Store a family's fields for its rows."""
        put = {"event": family.event or None, "code": family.code, "enhanced": family.enhanced}
        ip = _field(found, "ip")
        if ip is not None:
            put["client_ip"] = ip
        for name in ("username", "mechanism", "command"):
            value = _field(found, name)
            if value is not None:
                put[name] = value
        text = _field(found, "text")
        put["text"] = text
        self.out.put(rows, **put)
        reply = _field(found, "reply")
        if reply is not None:
            self.replies.append((rows, reply))

    def run(self, families, texts: pa.Array, rows: np.ndarray, claimed: np.ndarray,
            heads: np.ndarray) -> None:
        """Try each family on the unclaimed rows; mark the rows each one reads."""
        for family in families:
            test = ~claimed
            if family.prefix:
                test &= _starts(heads, family.prefix)
            where = np.flatnonzero(test)
            if len(where) == 0:
                continue
            subset = texts.take(where)
            if family.needle:
                has = pc.match_substring(subset, family.needle).to_numpy(zero_copy_only=False)
                where, subset = where[has], subset.filter(pa.array(has))
                if len(where) == 0:
                    continue
            tail = None
            if family.tail:  # a short pattern on the head is much cheaper than one over the whole line
                two, subset, tail = _split2(subset, family.tail)
                where = where[two]
            found = pc.extract_regex(subset, family.pattern)
            matched = found.is_valid().to_numpy(zero_copy_only=False)
            where, found = where[matched], found.filter(pa.array(matched))
            if tail is not None:
                tail = tail.filter(pa.array(matched))
                found = pa.StructArray.from_arrays([*found.flatten(), tail], [*found.type.names, "text"])
            claimed[where] = True
            self.family(family, rows[where], found)

    def family(self, family: Family, rows: np.ndarray, found: pa.StructArray) -> None:
        """Store one family's rows, with the few rules that go beyond the pattern."""
        if family.name == "sasl-failed":
            # "<reason>, sasl_username=<name>" (Postfix 3.x); older versions log no name
            has_name, reason, name = _split2(found.field("text"), ", sasl_username=", reverse=True)
            reason = pc.if_else(pa.array(has_name), _spread(reason, has_name, len(has_name)),
                                found.field("text").cast(pa.large_string()))
            found = pa.StructArray.from_arrays(
                [found.field("ip"), found.field("mechanism"), reason, _spread(name, has_name, len(has_name))],
                ["ip", "mechanism", "text", "username"])
            self.keep(family, rows, found)
            temporary = pc.is_in(reason, pa.array(patterns.TEMPORARY_REASONS)).to_numpy(zero_copy_only=False)
            self.out.put(rows[temporary], code=454, enhanced="4.7.0")
            # the lab writes the reply it sent as the reason: "535 5.7.8 Authentication ..."
            is_reply = pc.match_substring_regex(reason, r"^[2-5]\d\d ").to_numpy(zero_copy_only=False)
            if is_reply.any():
                self.replies.append((rows[is_reply], reason.filter(pa.array(is_reply))))
        elif family.name == "client":
            self.keep(family, rows, found)
            method = found.field("mechanism")
            logged_in = pc.not_equal(method, "").to_numpy(zero_copy_only=False)
            # smtpd_sasl_glue.c: a successful AUTH is answered "235 2.7.0 Authentication successful"
            self.out.put(rows[logged_in], event="auth_ok", code=235, enhanced="2.7.0")
        elif family.name == "delivery":
            self._delivery(family, rows, found)
        elif family.name == "exim-delivery":
            self._exim_delivery(family, rows, found)
        elif family.name == "exim-received":
            self.keep(family, rows, found)
            self.out.put(rows, queue_id=found.field("qid"))
            method = found.field("mechanism")
            logged_in = pc.not_equal(method, "").to_numpy(zero_copy_only=False)
            self.out.put(rows[logged_in], event="auth_ok", code=235)
        elif family.name.startswith("dovecot-auth"):
            verdict = np.zeros(len(rows), bool)
            for start in patterns.DOVECOT_VERDICTS:
                verdict |= pc.starts_with(found.field("text"), start).to_numpy(zero_copy_only=False)
            rows, found = rows[verdict], found.filter(pa.array(verdict))
            self.keep(family, rows, found)
            mechanism = found.field("mechanism")
            self.out.put(rows, mechanism=pc.utf8_upper(mechanism))
        else:
            self.keep(family, rows, found)

    def _delivery(self, family: Family, rows: np.ndarray, found: pa.StructArray) -> None:
        status = found.field("status")
        event = pc.if_else(pc.is_in(status, pa.array(["sent", "bounced", "deferred"])), status, "other")
        detail = found.field("text")
        self.out.put(rows, event=event, enhanced=found.field("dsn"), text=detail)
        self._reply_in(rows, detail)

    def _reply_in(self, rows: np.ndarray, detail: pa.Array) -> None:
        """A delivery's detail: "host X said: <reply> (in reply to C command)", or a bare reply."""
        said = pc.starts_with(detail, "host ").to_numpy(zero_copy_only=False)
        if said.any():
            where = np.flatnonzero(said)
            found = pc.extract_regex(detail.take(where), patterns.REMOTE_REPLY)
            ok = found.is_valid().to_numpy(zero_copy_only=False)
            found = found.filter(pa.array(ok))
            where = rows[where[ok]]
            self.out.put(where, command=found.field("command"))
            self.replies.append((where, found.field("reply")))
        bare = pc.match_substring_regex(detail, r"^[2-5]\d\d[ -]").to_numpy(zero_copy_only=False) & ~said
        if bare.any():
            self.replies.append((rows[bare], detail.filter(pa.array(bare))))

    def _exim_delivery(self, family: Family, rows: np.ndarray, found: pa.StructArray) -> None:
        flag = found.field("status")
        event = pc.fill_null(pc.choose(pc.index_in(flag, pa.array(list(patterns.EXIM_STATUS))),
                                       *[pa.scalar(v) for v in patterns.EXIM_STATUS.values()]), "other")
        detail = found.field("text")
        self.out.put(rows, event=event, queue_id=found.field("qid"), text=detail)
        for pattern in (patterns.EXIM_CONFIRMED, patterns.EXIM_ERROR):
            got = pc.extract_regex(detail, pattern)
            ok = got.is_valid().to_numpy(zero_copy_only=False)
            got = got.filter(pa.array(ok))
            if "command" in got.type.names:
                self.out.put(rows[ok], command=got.field("command"))
            self.replies.append((rows[ok], got.field("reply")))

    def read_replies(self) -> None:
        """Code, enhanced code and text of every reply found (see ``read_replies``)."""
        if not self.replies:
            return
        rows = np.concatenate([r for r, _ in self.replies])
        code, enhanced, text = read_replies(pa.concat_arrays([t.cast(pa.large_string()) for _, t in self.replies]))
        self.out.put(rows, code=code, text=text)
        has = enhanced.is_valid().to_numpy(zero_copy_only=False)
        self.out.put(rows[has], enhanced=enhanced.filter(pa.array(has)))


@dataclass
class ReadChunk:
    """A chunk read on its own (``read_chunk``), waiting for what earlier chunks carry over."""

    counts: ReadState
    form: np.ndarray
    head: np.ndarray
    columns: dict


def read_chunk(data: bytes) -> ReadChunk:
    """The work of one chunk that needs nothing from the chunks before it, so chunks can be read
    on several threads at once (Arrow's and numpy's kernels let go of the GIL)."""
    counts = ReadState()
    lines, buf, starts, lengths = _lines(data)
    n = len(lines)
    counts.lines = n
    head = times.heads(buf, starts, lengths)
    form = times.forms(head)
    blank = lengths == 0
    chunk = _Chunk(n)
    kept = np.zeros(n, bool)

    syslog = np.flatnonzero((form == times.RFC3164) | (form == times.ISO))
    _syslog(lines, syslog, chunk, kept, counts)
    exim = np.flatnonzero(form == times.EXIM)
    if len(exim):
        _exim_mainlog(lines, exim, chunk, kept, counts)
    not_read = (~kept) & (~blank) & (form == times.UNKNOWN)
    counts.unparsed += int(not_read.sum())
    for index in np.flatnonzero(not_read)[:3]:
        counts.examples.append(lines[int(index)].as_py()[:80])

    chunk.read_replies()
    rows = np.flatnonzero(kept)
    columns = {name: chunk.out.column(name, rows) for name in _VALUES}
    return ReadChunk(counts=counts, form=form[rows], head=head[rows], columns=columns)


def finish_chunk(read: ReadChunk, state: ReadState) -> pa.Table:
    """Add a chunk read by ``read_chunk`` to ``state``, in file order (the year rolls over here)."""
    counts = read.counts
    state.lines += counts.lines
    state.unparsed += counts.unparsed
    state.skipped += counts.skipped
    state.examples.extend(counts.examples[: 3 - len(state.examples)])
    rfc = read.form == times.RFC3164
    stamp = times.dated_times(read.head).astype(np.int64)
    if rfc.any():
        month, day, seconds = times.rfc3164_parts(read.head[rfc])
        turns = times.rollovers(month, state.month or int(month[0])) + state.turns
        state.month, state.turns = int(month[-1]), int(turns[-1])
        state.last = (int(month[-1]), int(day[-1]), int(seconds[-1]))
        stamp[rfc] = times.pack(turns, month, day, seconds)
    columns = {"_form": pa.array(read.form), "_stamp": pa.array(stamp), **read.columns}
    return pa.table(columns, schema=SCHEMA)


def _syslog(lines: pa.Array, rows: np.ndarray, chunk: _Chunk, kept: np.ndarray, state: ReadState) -> None:
    """Lines with a syslog header: "<time> <host> <program>[<pid>]: <message>"."""
    if len(rows) == 0:
        return
    two, header, message = _split2(lines.take(rows), ": ")
    state.unparsed += int((~two).sum())
    rows = rows[two]
    parts = pc.split_pattern(header, " ", max_splits=2, reverse=True)
    three = pc.list_value_length(parts).to_numpy(zero_copy_only=False) == 3
    state.unparsed += int((~three).sum())
    first = np.asarray(parts.offsets)[:-1][three]
    values = parts.flatten()
    host, tag = values.take(first + 1), values.take(first + 2)
    rows, message = rows[three], message.filter(pa.array(three))
    has_pid, program, pid = _split2(tag, "[")
    program_all = tag.cast(pa.large_string())
    program_all = pc.if_else(pa.array(has_pid), _spread(program, has_pid, len(tag)), program_all)
    pid_text = pc.utf8_rtrim(pid, "]")
    pid_ok = pc.utf8_is_digit(pid_text).to_numpy(zero_copy_only=False)
    pids = np.full(len(tag), -1, np.int64)
    if pid_ok.any():
        pids[np.flatnonzero(has_pid)[pid_ok]] = pc.cast(pid_text.filter(pa.array(pid_ok)), pa.int64()).to_numpy()
    pid_array = pa.array(pids, mask=pids < 0, type=pa.int32())

    postfix = pc.match_substring_regex(program_all, r"^postfix(?:-[\w.-]+)?/").to_numpy(zero_copy_only=False)
    dovecot = pc.starts_with(program_all, "dovecot").to_numpy(zero_copy_only=False)
    exim = pc.starts_with(program_all, "exim").to_numpy(zero_copy_only=False)
    heads = _heads(message)
    if dovecot.any():  # only Dovecot's SASL and SMTP services: its IMAP and POP3 lines are skipped
        smtp = np.zeros(len(rows), bool)
        for service in patterns.DOVECOT_SMTP:
            smtp |= _starts(heads, service)
        dovecot &= smtp
    relevant = postfix | dovecot | exim
    state.skipped += int((~relevant).sum())

    # every relevant line is at least an "other" row with its message as text; families refine it
    where = np.flatnonzero(relevant)
    chunk.out.put(rows[where], host=host.take(where), program=program_all.take(where),
                  pid=pid_array.take(where), event="other", text=message.take(where))
    kept[rows[where]] = True
    if dovecot.any():
        chunk.run(patterns.DOVECOT_AUTH, message, rows, ~dovecot, heads)
    if postfix.any():
        _postfix(message, rows, chunk, postfix, heads, program_all)
    if exim.any():
        sub = np.flatnonzero(exim)
        chunk.run(patterns.EXIM, message.take(sub), rows[sub], np.zeros(len(sub), bool),
                  _heads(message.take(sub)))


def _spread(values: pa.Array, mask: np.ndarray, size: int) -> pa.Array:
    """An array of ``size`` with ``values`` at the True places of ``mask`` and nulls elsewhere."""
    where = np.full(size, -1, np.int64)
    where[mask] = np.arange(int(mask.sum()))
    return values.take(pa.array(where, mask=where < 0)).cast(pa.large_string())


def _postfix(message: pa.Array, rows: np.ndarray, chunk: _Chunk, postfix: np.ndarray,
             heads: np.ndarray, program: pa.Array) -> None:
    claimed = ~postfix
    chunk.run(patterns.POSTFIX, message, rows, claimed, heads)
    rest = np.flatnonzero(~claimed)
    if len(rest) == 0:
        return
    two, qid, after = _split2(message.take(rest), ": ")
    rest = rest[two]
    is_qid = pc.match_substring_regex(qid, patterns.QUEUE_ID).to_numpy(zero_copy_only=False)
    rest, qid, after = rest[is_qid], qid.filter(pa.array(is_qid)), after.filter(pa.array(is_qid))
    if len(rest) == 0:
        return
    chunk.out.put(rows[rest], queue_id=pc.if_else(pc.equal(qid, "NOQUEUE"), pa.scalar(None, _STR), qid),
                  text=after)
    cleanup = pc.ends_with(program.take(rest), "/cleanup").to_numpy(zero_copy_only=False)
    after_heads = _heads(after)
    done = np.zeros(len(rest), bool)
    queued = [f for f in patterns.QUEUED if f.name != "cleanup-reject"]
    chunk.run(queued, after, rows[rest], done | cleanup, after_heads)
    chunk.run([f for f in patterns.QUEUED if f.name == "cleanup-reject"], after, rows[rest],
              done | ~cleanup, after_heads)


def _exim_mainlog(lines: pa.Array, rows: np.ndarray, chunk: _Chunk, kept: np.ndarray, state: ReadState) -> None:
    """Lines of Exim's main log: "<date> <time> [<pid>] <message>"."""
    found = pc.extract_regex(lines.take(rows), patterns.EXIM_LINE)
    ok = found.is_valid().to_numpy(zero_copy_only=False)
    state.unparsed += int((~ok).sum())
    rows, found = rows[ok], found.filter(pa.array(ok))
    rest = pc.fill_null(found.field("rest"), "")
    pid_text = found.field("pid")
    pid = pc.if_else(pc.equal(pid_text, ""), pa.scalar(None, _STR), pid_text)
    chunk.out.put(rows, program="exim", pid=pc.cast(pid, pa.int32()), event="other", text=rest)
    claimed = np.zeros(len(rows), bool)
    chunk.run(patterns.EXIM, rest, rows, claimed, _heads(rest))
    # Other lines about a message ("<id> Completed") are rows too; lines that merely share Exim's
    # date format (dpkg.log, for one) are not SMTP events.
    message = pc.match_substring_regex(rest, patterns.EXIM_MESSAGE).to_numpy(zero_copy_only=False)
    keep = claimed | message
    kept[rows[keep]] = True
    state.skipped += int((~keep).sum())
