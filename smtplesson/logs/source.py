"""Where a log comes from: a path (plain or gzip), an open file, or the text itself.

Everything is read in chunks of whole lines, as bytes, so a big log never sits in memory twice.
A corrupt gzip file or a binary file ends in one ``SmtpLessonError`` naming the rule.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ..errors import SmtpLessonError

#: Bytes read per chunk: big enough that per-chunk costs vanish, small enough for memory.
CHUNK = 2 << 20
#: How much of the start is checked for being text, and how many control bytes make it binary.
SNIFF, BINARY_SHARE = 8192, 0.10
_GZIP_MAGIC = b"\x1f\x8b"
#: Control bytes that never appear in a text log (tab, LF, CR, FF and ESC are allowed).
_CONTROL = bytes(set(range(32)) - {9, 10, 12, 13, 27})


@dataclass
class LogSource:
    """A log ready to read: its chunks, its name, size and modification time where known."""

    name: str
    chunks: Callable[[], Iterator[bytes]]
    size: int | None = None  # bytes on disk (compressed size for gzip), for progress
    mtime: float | None = None  # seconds since the epoch: for the year of RFC 3164 lines
    position: Callable[[], int] = lambda: 0  # bytes of ``size`` consumed so far


def _check_text(head: bytes, name: str) -> None:
    if not head:
        return
    controls = sum(head.count(byte) for byte in _CONTROL)
    if controls > BINARY_SHARE * len(head):
        raise SmtpLessonError(
            f"{name} looks binary ({controls} control bytes in its first {len(head)}): a mail log "
            "is text, one line per event (rule: binary-log)",
            rule="binary-log",
        )


def _gzip_error(name: str, error: BaseException) -> SmtpLessonError:
    return SmtpLessonError(
        f"{name} is not a readable gzip file ({error}); check the copy, or gunzip -t it "
        "(rule: gzip)",
        rule="gzip",
    )


def _whole_lines(read: Callable[[int], bytes], name: str) -> Iterator[bytes]:
    """Chunks of whole lines from ``read``; the last line may lack its line end."""
    rest = b""
    first = True
    while True:
        block = read(CHUNK)
        if first:
            _check_text(block[:SNIFF], name)
            first = False
        if not block:
            if rest:
                yield rest
            return
        block = rest + block
        cut = block.rfind(b"\n") + 1
        if cut == 0:  # one very long line so far: keep reading
            rest = block
            continue
        rest = block[cut:]
        yield block[:cut]


def _gunzipped_lines(compressed, name: str) -> Iterator[bytes]:
    """The whole-line chunks of a gzip file; a damaged one breaks the log-file rule in one line."""
    try:
        yield from _whole_lines(gzip.GzipFile(fileobj=compressed, mode="rb").read, name)
    except (OSError, EOFError, zlib.error) as error:
        raise _gzip_error(name, error) from None


def _file_chunks(path: Path, name: str, state: dict) -> Iterator[bytes]:
    with open(path, "rb") as raw:
        state["raw"] = raw
        magic = raw.read(2)
        raw.seek(0)
        if magic == _GZIP_MAGIC:
            yield from _gunzipped_lines(raw, name)
        elif path.suffix == ".gz":
            raise _gzip_error(name, "it does not start with the gzip signature 1f 8b")
        else:
            yield from _whole_lines(raw.read, name)


def _from_path(path: Path) -> LogSource:
    name = str(path)
    try:
        stat = path.stat()
    except OSError as error:
        raise SmtpLessonError(f"cannot read {name}: {error.strerror or error} (rule: log-file)",
                              rule="log-file") from None
    if path.is_dir():
        raise SmtpLessonError(f"{name} is a folder, not a log file (rule: log-file)", rule="log-file")
    state: dict = {}

    def chunks() -> Iterator[bytes]:
        try:
            yield from _file_chunks(path, name, state)
        except PermissionError as error:
            raise SmtpLessonError(f"cannot read {name}: {error.strerror} (rule: log-file)",
                                  rule="log-file") from None

    def position() -> int:
        raw = state.get("raw")
        return raw.tell() if raw is not None and not raw.closed else stat.st_size

    return LogSource(name=name, chunks=chunks, size=stat.st_size, mtime=stat.st_mtime,
                     position=position)


def _from_stream(stream) -> LogSource:
    name = getattr(stream, "name", None)
    name = name if isinstance(name, str) else "the open file"
    mtime = None
    try:
        mtime = os.fstat(stream.fileno()).st_mtime
    except (AttributeError, OSError, io.UnsupportedOperation, ValueError):
        pass

    def chunks() -> Iterator[bytes]:
        first = stream.read(0)
        if isinstance(first, str):
            def read(size: int) -> bytes:
                return stream.read(size).encode("utf-8", errors="surrogateescape")
        else:
            head = getattr(stream, "peek", lambda n: b"")(2)[:2]
            if head == _GZIP_MAGIC:
                yield from _gunzipped_lines(stream, name)
                return
            read = stream.read
        yield from _whole_lines(read, name)

    return LogSource(name=name, chunks=chunks, mtime=mtime)


def _from_bytes(data: bytes, name: str) -> LogSource:
    def chunks() -> Iterator[bytes]:
        if data[:2] == _GZIP_MAGIC:
            try:
                plain = gzip.decompress(data)
            except (OSError, EOFError, zlib.error) as error:
                raise _gzip_error(name, error) from None
        else:
            plain = data
        yield from _whole_lines(io.BytesIO(plain).read, name)

    return LogSource(name=name, chunks=chunks, size=len(data), mtime=time.time())


_LINE_START = re.compile(r"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d |\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d")


def _is_log_text(value: str) -> bool:
    """A string is the log itself if it has a line end, is blank, or starts like a log line."""
    if "\n" in value or value.strip() == "" or len(value) > 4096:
        return True
    return _LINE_START.match(value) is not None and not Path(value).exists()


def open_source(source) -> LogSource:
    """Turn what read_log was given into a LogSource; raise SmtpLessonError naming the rule."""
    if isinstance(source, LogSource):
        return source
    if isinstance(source, os.PathLike):
        return _from_path(Path(source))
    if isinstance(source, str):
        if _is_log_text(source):
            return _from_bytes(source.encode("utf-8", errors="surrogateescape"), "the text")
        return _from_path(Path(source))
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _from_bytes(bytes(source), "the bytes")
    if hasattr(source, "read"):
        return _from_stream(source)
    raise SmtpLessonError(
        f"read_log reads a path, an open file or the log's text, not {type(source).__name__} "
        "(rule: log-source)",
        rule="log-source",
    )
