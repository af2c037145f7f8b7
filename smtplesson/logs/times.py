"""Timestamps at the start of log lines, read with numpy from each line's first bytes.

Three forms: RFC 3164 (``Nov 20 02:13:05``, no year), ISO 8601 as rsyslog writes it
(``2025-11-20T02:13:05.123456+01:00``) and Exim's main log (``2025-11-20 02:13:05``). Times are
kept as written, on the log's own wall clock: an ISO line's UTC offset is dropped, not applied.

The year of RFC 3164 lines: ``year=`` names the year of the first such line. Without it, the last
such line is taken to be no later than the file's modification time (now, for text and streams),
as syslog itself would have written it. Inside the file, a month more than six months before the
previous line's month (December, then January) starts the next year.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

#: Bytes of each line's start kept for reading the timestamp and telling the forms apart.
WIDTH = 32
UNKNOWN, RFC3164, ISO, EXIM = 0, 1, 2, 3
_MONTHS = (b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct",
           b"Nov", b"Dec")
_MONTH_KEYS = np.array([m[0] << 16 | m[1] << 8 | m[2] for m in _MONTHS], dtype=np.int32)
_MONTH_ORDER = np.argsort(_MONTH_KEYS)
#: A rollover: the month falls back by more than this from one RFC 3164 line to the next.
ROLLOVER_MONTHS = 6


def heads(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray, width: int = WIDTH) -> np.ndarray:
    """The first ``width`` bytes of every line as an (n, width) uint8 matrix, zero past each line's end."""
    padded = np.concatenate([data, np.zeros(width, np.uint8)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)
    matrix = windows[starts]
    matrix[np.arange(width) >= lengths[:, None]] = 0
    return matrix


def _digits(m: np.ndarray, *cols: int) -> np.ndarray:
    ok = np.ones(len(m), bool)
    for col in cols:
        ok &= (m[:, col] >= 48) & (m[:, col] <= 57)
    return ok


def _number(m: np.ndarray, *cols: int) -> np.ndarray:
    value = np.zeros(len(m), np.int32)
    for col in cols:
        value = value * 10 + (m[:, col].astype(np.int32) - 48)
    return value


def forms(m: np.ndarray) -> np.ndarray:
    """Which timestamp form each line starts with (RFC3164, ISO, EXIM or UNKNOWN)."""
    out = np.zeros(len(m), np.int8)
    # RFC 3164: "Nov 20 02:13:05 " (a day below 10 is padded with a space)
    day_ok = ((m[:, 4] == 32) | _digits(m, 4)) & _digits(m, 5)
    rfc = (m[:, 3] == 32) & day_ok & (m[:, 6] == 32) & (m[:, 15] == 32) & clock_at(m, 7)
    rfc &= month_numbers(m) > 0
    out[rfc] = RFC3164
    date = _digits(m, 0, 1, 2, 3, 5, 6, 8, 9) & (m[:, 4] == 45) & (m[:, 7] == 45) & clock_at(m, 11)
    out[date & (m[:, 10] == 84)] = ISO
    out[date & (m[:, 10] == 32)] = EXIM
    return out


def clock_at(m: np.ndarray, col: int) -> np.ndarray:
    """True where ``HH:MM:SS`` starts at column ``col``."""
    return (_digits(m, col, col + 1, col + 3, col + 4, col + 6, col + 7)
            & (m[:, col + 2] == 58) & (m[:, col + 5] == 58))


def month_numbers(m: np.ndarray) -> np.ndarray:
    """1-12 for lines starting with an English month abbreviation, else 0."""
    keys = (m[:, 0].astype(np.int32) << 16) | (m[:, 1].astype(np.int32) << 8) | m[:, 2]
    sorted_keys = _MONTH_KEYS[_MONTH_ORDER]
    where = np.searchsorted(sorted_keys, keys).clip(0, 11)
    found = sorted_keys[where] == keys
    return np.where(found, _MONTH_ORDER[where] + 1, 0).astype(np.int8)


def _seconds(m: np.ndarray, col: int) -> np.ndarray:
    return _number(m, col, col + 1) * 3600 + _number(m, col + 3, col + 4) * 60 + _number(m, col + 6, col + 7)


def _fraction(m: np.ndarray, col: int) -> np.ndarray:
    """Microseconds from a '.ffffff' starting at ``col`` (up to six digits; none gives 0)."""
    micro = np.zeros(len(m), np.int64)
    going = m[:, col] == 46
    for place in range(6):
        c = col + 1 + place
        if c >= WIDTH:
            break
        going &= _digits(m, c)
        micro += np.where(going, (m[:, c].astype(np.int64) - 48) * 10 ** (5 - place), 0)
    return micro


def rfc3164_parts(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Month (1-12), day and second of the day of RFC 3164 lines."""
    day = np.where(m[:, 4] == 32, 0, m[:, 4].astype(np.int32) - 48) * 10 + (m[:, 5].astype(np.int32) - 48)
    return month_numbers(m), day.astype(np.int8), _seconds(m, 7)


def dated_times(m: np.ndarray) -> np.ndarray:
    """Wall-clock datetime64[us] of ISO 8601 and Exim lines (the UTC offset is not applied)."""
    year = _number(m, 0, 1, 2, 3)
    month = _number(m, 5, 6)
    day = _number(m, 8, 9)
    micro = _fraction(m, 19)
    return civil(year, month, day, _seconds(m, 11).astype(np.int64) * 1_000_000 + micro)


def civil(year: np.ndarray, month: np.ndarray, day: np.ndarray, micro_of_day: np.ndarray) -> np.ndarray:
    """datetime64[us] from calendar parts; NaT where the month or day is out of range."""
    bad = (month < 1) | (month > 12) | (day < 1) | (day > 31) | (micro_of_day >= 86_400_000_000 + 1_000_000)
    months = ((year.astype(np.int64) - 1970) * 12 + month.astype(np.int64) - 1).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + (day.astype(np.int64) - 1).astype("timedelta64[D]")
    out = days.astype("datetime64[us]") + micro_of_day.astype("timedelta64[us]")
    out[bad] = np.datetime64("NaT")
    return out


def rollovers(months: np.ndarray, previous: int) -> np.ndarray:
    """Cumulative count of new years, line by line, given the month of the line before the first."""
    before = np.empty_like(months, dtype=np.int16)
    before[:1] = previous
    before[1:] = months[:-1]
    return np.cumsum(before.astype(np.int16) - months > ROLLOVER_MONTHS, dtype=np.int16)


def pack(turns: np.ndarray, month: np.ndarray, day: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """An RFC 3164 time in one int64 until its year is known: new years, month, day, second."""
    return (((turns.astype(np.int64) * 16 + month) * 32 + day) << 17) + seconds


def unpack(packed: np.ndarray, base: int) -> np.ndarray:
    """datetime64[us] of packed RFC 3164 times, the first line being in year ``base``."""
    seconds = packed & ((1 << 17) - 1)
    rest = packed >> 17
    day, rest = rest % 32, rest // 32
    month, turns = rest % 16, rest // 16
    return civil(base + turns, month, day, seconds * 1_000_000)


def base_year(year: int | None, last: tuple[int, int, int] | None, turns: int,
              mtime: float | None) -> int:
    """The year of the first RFC 3164 line (see the module docstring for the rule)."""
    if year is not None:
        return year
    now = datetime.fromtimestamp(mtime) if mtime is not None else datetime.now()
    if last is None:
        return now.year
    month, day, seconds = last
    last_year = now.year
    if (month, day, seconds) > (now.month, now.day, now.hour * 3600 + now.minute * 60 + now.second):
        last_year -= 1  # e.g. a file last written in January ends with December's lines
    return last_year - turns
