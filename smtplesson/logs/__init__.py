"""Read mail server logs with pandas: find the 535s an administrator meets as thousands of lines.

``read_log`` turns a Postfix, Dovecot or Exim log into a DataFrame of SMTP events;
``auth_failures`` sums up the refused logins per client address, the way an administrator looks
for a password-guessing attack; ``bans`` says which of them a fail2ban jail would ban, and
when; ``sample_log()`` is a generated day of a small company's server;
``lab_log_lines`` writes the live lab's sessions as Postfix-style lines. pandas and pyarrow load
when one of these is first used, so ``smtplesson.logs.sample`` alone stays light.
"""

from __future__ import annotations

import importlib

#: Where each public name lives.
_NAMES = {
    "COLUMNS": "read", "read_log": "read",
    "EVENTS": "patterns",
    "auth_failures": "summary", "bans": "summary", "event_totals": "summary",
    "sample_log": "sample",
    "LAB_EVENTS": "lab_lines", "lab_log_lines": "lab_lines",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str):
    """Load the module that holds ``name`` when it is first asked for."""
    if name in _NAMES:
        return getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_NAMES])
