"""What a lab server did, as events: connections, logins, refusals, accepted messages.

``LabServer.events`` hands these out; the logs stream formats them as Postfix-style lines. The
log keeps only the newest ``EVENT_CAP`` events, so a lab that runs all day stays small.
"""

from __future__ import annotations

import collections
import datetime
import itertools
import threading
import time
from dataclasses import dataclass

from .digits import ENHANCED_RE

#: How many events a lab keeps (the oldest go first): about 4 MiB at most (bench/bench_lab.py).
EVENT_CAP = 10_000
#: The kinds of event, in the order a session meets them.
KINDS = ("connect", "auth_ok", "auth_failed", "reject", "queued", "disconnect")


@dataclass(frozen=True, slots=True)
class LabEvent:
    """One thing a lab server did in one session, with the reply it sent (if any)."""

    time: datetime.datetime
    session: int
    client_ip: str
    client_port: int
    kind: str
    command: str | None = None
    mechanism: str | None = None
    username: str | None = None
    code: int | None = None
    enhanced: str | None = None
    #: The reply's text after the code and the enhanced code, e.g. "Authentication credentials invalid".
    text: str = ""


def split_reply(line: str) -> tuple[int | None, str | None, str]:
    """(code, enhanced code or None, text) of one reply line such as '535 5.7.8 Invalid'."""
    head, text = line[:3], line[4:]
    if not (len(head) == 3 and head.isdigit()):
        return None, None, line
    code = int(head)
    match = ENHANCED_RE.match(text)
    if match and int(match.group(1)) == code // 100 and text[match.end():match.end() + 1] in ("", " "):
        return code, match.group(0), text[match.end():].lstrip(" ")
    return code, None, text


def _event(raw: tuple) -> LabEvent:
    stamp, session, ip, port, kind, *rest = raw
    return LabEvent(datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc), session, ip,
                    port, kind, *rest)


class EventLog:
    """A lab's events: appended from the server's thread, read from any thread, capped.

    Recording stores a plain tuple (about 2 µs); the frozen LabEvent is made when first read."""

    def __init__(self, cap: int = EVENT_CAP) -> None:
        self._entries: collections.deque[list] = collections.deque(maxlen=cap)
        self._lock = threading.Lock()
        self._sessions = itertools.count(1)
        #: Off until the lab has started, so aiosmtpd's own start-up probe is not logged.
        self.active = False

    def open_session(self, peer) -> int | None:
        """Number a new connection and log it; None while the log is not active."""
        if not self.active:
            return None
        with self._lock:
            session = next(self._sessions)
        self.add(session, peer, "connect")
        return session

    def add(self, session: int | None, peer, kind: str, command: str | None = None,
            mechanism: str | None = None, username: str | None = None, code: int | None = None,
            enhanced: str | None = None, text: str = "") -> None:
        """Log one event of a numbered session (sessions opened while inactive are skipped)."""
        if session is None:
            return
        ip, port = (peer[0], peer[1]) if peer else ("", 0)
        raw = (time.time(), session, ip, port, kind, command, mechanism, username, code, enhanced,
               text)
        with self._lock:
            self._entries.append([None, raw])

    def snapshot(self) -> tuple[LabEvent, ...]:
        """Every kept event, oldest first; each LabEvent is made once and then reused."""
        with self._lock:
            entries = list(self._entries)
        events = []
        for entry in entries:
            event = entry[0]
            if event is None:
                raw = entry[1]
                if raw is None:  # another thread is making it right now
                    event = entry[0]
                else:
                    event = _event(raw)
                    entry[0], entry[1] = event, None
            events.append(event)
        return tuple(events)
