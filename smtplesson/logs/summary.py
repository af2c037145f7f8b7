"""Summaries of read_log's frame: the refused logins per client address, and the event totals."""

from __future__ import annotations

import pandas as pd

from ..errors import SmtpLessonError
from .patterns import EVENTS

#: The reply that refuses credentials (RFC 4954 §6): what auth_failures counts.
REFUSED = 535
_NEEDED = ("time", "client_ip", "event", "code", "username")


def _check(frame) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise SmtpLessonError(f"auth_failures takes the frame read_log returns, not {type(frame).__name__} "
                              "(rule: log-frame)", rule="log-frame")
    missing = [name for name in _NEEDED if name not in frame.columns]
    if missing:
        raise SmtpLessonError(f"the frame lacks the column(s) {', '.join(missing)}: pass what read_log "
                              "returns (rule: log-frame)", rule="log-frame")


def refused(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows where the server answered 535 to AUTH, with a known client address."""
    _check(frame)
    mask = (frame["event"] == "auth_failed") & (frame["code"] == REFUSED).fillna(False)
    return frame.loc[mask & frame["client_ip"].notna()]


def auth_failures(frame: pd.DataFrame) -> pd.DataFrame:
    """Refused logins (535) per client address, most first: failures, first, last, usernames, peak_per_minute.

    ``usernames`` is how many distinct names the address tried (``most_tried`` is the one it tried
    most); ``peak_per_minute`` is the most failures in one clock minute. Dovecot's own auth lines
    carry no reply code, so the same attempt is not counted twice when Postfix also logged it.
    """
    rows = refused(frame)
    ip = rows["client_ip"].astype(str)
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


def event_totals(frame: pd.DataFrame) -> dict[str, int]:
    """How many rows of each event, every event listed (zero included), in the lesson's order."""
    counts = frame["event"].value_counts()
    return {event: int(counts.get(event, 0)) for event in EVENTS}
