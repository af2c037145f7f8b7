"""The live lab's sessions as Postfix-style log lines, so read_log (and fail2ban) can read them.

The lab is aiosmtpd, not Postfix; it writes its own events the way a Postfix instance named
``postfix-lab`` would, with one honest difference: where Postfix logs only the reason of a refused
login, the lab logs the reply it sent ("535 5.7.8 Authentication credentials invalid"), so
read_log gives back exactly the code the learner saw. The session number stands where Postfix
writes the smtpd process ID. Each ``LabEvent`` becomes one line; read_log maps its ``kind`` to the
event in ``LAB_EVENTS`` (Postfix logs no event of its own for a queued message: its line is the
reply, as ``debug_peer_list`` would log it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

#: How each lab event kind reads back: LabEvent.kind -> read_log's event.
LAB_EVENTS = {"connect": "connect", "auth_ok": "auth_ok", "auth_failed": "auth_failed",
              "reject": "reject", "queued": "other", "disconnect": "disconnect"}
PROGRAM = "postfix-lab/smtpd"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LOOPBACK = ("127.0.0.1", "::1")


def _stamp(when: datetime, form: str) -> str:
    if form == "iso":
        return when.isoformat(timespec="microseconds")
    return f"{_MONTHS[when.month - 1]} {when.day:>2} {when:%H:%M:%S}"


def _client(event) -> str:
    name = "localhost" if event.client_ip in _LOOPBACK else "unknown"
    port = f":{event.client_port}" if getattr(event, "client_port", None) else ""
    return f"{name}[{event.client_ip}]{port}"


def _reply(event) -> str:
    """The reply as it went on the wire: code, enhanced code, text."""
    text = (event.text or "").replace("\r", " ").replace("\n", " ").strip()
    enhanced = event.enhanced or ""
    if enhanced and text.startswith(enhanced):
        text = text[len(enhanced):].strip()
    return " ".join(part for part in (str(event.code), enhanced, text) if part)


def _message(event, queued: dict[int, int]) -> str | None:
    client = _client(event)
    kind = event.kind
    if kind == "connect":
        return f"connect from {client}"
    if kind == "disconnect":
        return f"disconnect from {client}"
    if kind == "auth_failed":
        user = event.username or "(unavailable)"
        return (f"warning: {client}: SASL {event.mechanism or 'unknown'} authentication failed: "
                f"{_reply(event)}, sasl_username={user}")
    if kind == "auth_ok":
        return (f"{_queue_id(event.session, queued.get(event.session, 0))}: client={client}, "
                f"sasl_method={event.mechanism or 'unknown'}, sasl_username={event.username or '(unavailable)'}")
    if kind == "reject":
        return f"NOQUEUE: reject: {event.command or 'CONNECT'} from {client}: {_reply(event)}; proto=ESMTP"
    if event.code is not None:  # "queued", and any kind added later: the reply, as debug_peer_list logs it
        if kind == "queued":
            queued[event.session] = queued.get(event.session, 0) + 1
        return f"> {client}: {_reply(event)}"
    return None


def _queue_id(session: int, message: int) -> str:
    return f"{session % 16 ** 6:06X}{message % 16 ** 4:04X}"


def lab_log_lines(events: Iterable, *, form: str = "iso", host: str = "lab") -> list[str]:
    """Postfix-style log lines for the lab's events (``LabServer.events``), oldest first.

    ``form`` is "iso" (rsyslog's ISO 8601, the UTC offset kept) or "rfc3164" (``Nov 20 02:13:05``).
    """
    if form not in ("iso", "rfc3164"):
        from ..errors import SmtpLessonError

        raise SmtpLessonError(f"unknown log form {form!r}: choose iso or rfc3164 (rule: log-form)",
                              rule="log-form")
    lines, queued = [], {}
    for event in sorted(events, key=lambda e: e.time):
        message = _message(event, queued)
        if message is not None:
            lines.append(f"{_stamp(event.time, form)} {host} {PROGRAM}[{event.session}]: {message}")
    return lines
