"""Summaries of read_log's frame: the refused logins per client address, the bans a jail of
fail2ban's kind would set, and the event totals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import SmtpLessonError
from .memory import system_memory
from .patterns import EVENTS

#: The reply that refuses credentials (RFC 4954 §6): what auth_failures counts.
REFUSED = 535
_NEEDED = ("time", "client_ip", "event", "code", "username")


def _check(frame, name: str = "auth_failures") -> None:
    if not isinstance(frame, pd.DataFrame):
        raise SmtpLessonError(f"{name} takes the frame read_log returns, not {type(frame).__name__} "
                              "(rule: log-frame)", rule="log-frame")
    missing = [name for name in _NEEDED if name not in frame.columns]
    if missing:
        raise SmtpLessonError(f"the frame lacks the column(s) {', '.join(missing)}: pass what read_log "
                              "returns (rule: log-frame)", rule="log-frame")


def _as_text(column: pd.Series) -> pd.Series:
    """A column as strings: a categorical one is taken from its categories (no Python string per row)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        values = column.cat.categories.take(column.cat.codes.to_numpy(), allow_fill=True)
        return pd.Series(values, index=column.index, name=column.name, copy=False)
    return column.astype(str)


def refused(frame: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """The rows where the server answered 535 to AUTH, with a known client address (only
    ``columns`` of them if given: a summary copies no more than it reads)."""
    _check(frame)
    # plain numpy masks, one byte a row, and one take of just the rows and columns asked for
    mask = (frame["code"] == REFUSED).to_numpy(dtype=bool, na_value=False)
    mask &= (frame["event"] == "auth_failed").to_numpy(dtype=bool)
    mask &= frame["client_ip"].notna().to_numpy()
    return (frame if columns is None else frame[columns]).iloc[np.flatnonzero(mask)]


@system_memory()  # what pandas hands to Arrow (the addresses' strings) shares numpy's allocator
def auth_failures(frame: pd.DataFrame) -> pd.DataFrame:
    """Refused logins (535) per client address, most first: failures, first, last, usernames, peak_per_minute.

    ``usernames`` is how many distinct names the address tried (``most_tried`` is the one it tried
    most); ``peak_per_minute`` is the most failures in one clock minute. Dovecot's own auth lines
    carry no reply code, so the same attempt is not counted twice when Postfix also logged it.
    """
    rows = refused(frame, ["time", "client_ip", "username"])
    ip = _as_text(rows["client_ip"])
    by_ip = rows.groupby(ip, sort=False)
    summary = pd.DataFrame({
        "failures": by_ip.size(),
        "first": by_ip["time"].min(),
        "last": by_ip["time"].max(),
        "usernames": by_ip["username"].nunique(),
    })
    minute = rows["time"].dt.floor("min")
    summary["peak_per_minute"] = rows.groupby([ip, minute]).size().groupby(level=0).max()
    names = rows["username"].astype(object)
    tried = names.groupby([ip, names]).size().sort_values(ascending=False, kind="stable")
    most = tried.groupby(level=0).head(1)
    summary["most_tried"] = pd.Series(most.index.get_level_values(1), index=most.index.get_level_values(0),
                                      dtype=object).reindex(summary.index)
    summary.index.name = "client_ip"
    summary = summary.astype({"failures": "int64", "usernames": "int64", "peak_per_minute": "int64"})
    order = summary.reset_index().sort_values(["failures", "first", "client_ip"],
                                              ascending=[False, True, True], kind="stable")
    return order.set_index("client_ip")


def _ban_rule(maxretry, findtime) -> pd.Timedelta:
    """``findtime`` as a Timedelta, once both parts of the rule are checked."""
    if isinstance(maxretry, bool) or not isinstance(maxretry, (int, np.integer)) or maxretry < 1:
        raise SmtpLessonError(f"maxretry must be a whole number of failures, 1 or more, not {maxretry!r} "
                              "(rule: log-ban)", rule="log-ban")
    try:  # a number is seconds, as in fail2ban's jail.conf
        number = isinstance(findtime, (int, float, np.integer, np.floating)) and not isinstance(findtime, bool)
        window = pd.Timedelta(seconds=findtime) if number else pd.Timedelta(findtime)
    except (TypeError, ValueError):
        window = pd.NaT
    if pd.isna(window) or window <= pd.Timedelta(0):
        raise SmtpLessonError(f"findtime must be a length of time such as '10min' or '1h', not {findtime!r} "
                              "(rule: log-ban)", rule="log-ban")
    return window


@system_memory()
def bans(frame: pd.DataFrame, *, maxretry: int = 5, findtime="10min") -> pd.DataFrame:
    """Which addresses a fail2ban jail would ban: ``maxretry`` refused logins (535) within ``findtime``.

    fail2ban's ``postfix[mode=auth]`` filter matches the lines auth_failures counts, and a jail
    bans an address once ``maxretry`` of them fall within ``findtime`` (Debian's defaults: 5 in
    10 minutes; a number is seconds, as in jail.conf). One row per address, in auth_failures'
    order: ``failures``, ``most_in_findtime`` (the most 535s in any stretch of ``findtime``),
    ``banned``, and ``first_ban``: the moment the count first reached ``maxretry`` (NaT if it
    never did). The log is read as it happened; under a real ban the address's later attempts
    would not have reached the server.
    """
    _check(frame, "bans")
    window = _ban_rule(maxretry, findtime).to_timedelta64()
    summary = auth_failures(frame)[["failures"]].copy()
    rows = refused(frame, ["time", "client_ip"])
    most, first = {}, {}
    for ip, times in rows.groupby(_as_text(rows["client_ip"]), sort=False)["time"]:
        stamps = np.sort(times.to_numpy())
        # failures in (t - findtime, t] for each failure's time t
        inside = np.arange(1, len(stamps) + 1) - np.searchsorted(stamps, stamps - window, side="right")
        most[ip] = int(inside.max())
        reached = np.flatnonzero(inside >= maxretry)
        first[ip] = stamps[reached[0]] if len(reached) else np.datetime64("NaT")
    summary["most_in_findtime"] = pd.Series(most, dtype="int64").reindex(summary.index)
    summary["banned"] = summary["most_in_findtime"] >= maxretry
    summary["first_ban"] = pd.Series(first, dtype=rows["time"].dtype).reindex(summary.index)
    return summary.astype({"most_in_findtime": "int64", "banned": bool})


def event_totals(frame: pd.DataFrame) -> dict[str, int]:
    """How many rows of each event, every event listed (zero included), in the lesson's order."""
    counts = frame["event"].value_counts()
    return {event: int(counts.get(event, 0)) for event in EVENTS}
