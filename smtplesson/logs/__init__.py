"""Read mail server logs with pandas: find the 535s an administrator meets as thousands of lines.

``read_log`` turns a Postfix, Dovecot or Exim log into a DataFrame of SMTP events;
``auth_failures`` sums up the refused logins per client address, the way an administrator looks
for a password-guessing attack. ``sample_log()`` is a generated day of a small company's server.
"""

from __future__ import annotations

from .patterns import EVENTS
from .read import COLUMNS, read_log
from .sample import sample_log
from .summary import auth_failures, event_totals

__all__ = ["COLUMNS", "EVENTS", "auth_failures", "event_totals", "read_log", "sample_log"]
