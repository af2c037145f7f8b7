"""Worked solutions for notebook 05 · TLS, ports and tokens.

The solution starts a lab of its own (``practice_lab``), so pasting it into a cell leaves the
notebook's labs running and untouched.
"""

from . import solution


@solution("05.1")
def tls_538_then_235():
    """Exercise 05.1: 538 before STARTTLS, 235 after it, on one connection."""
    import base64

    from smtplesson.lab import LabServer, dialogue

    plain = base64.b64encode(b"\0alice\0wonderland").decode("ascii")
    with LabServer(require_tls=True) as practice_lab:
        upgraded = dialogue(practice_lab, [
            "EHLO learner.example",
            f"AUTH PLAIN {plain}",    # no TLS yet: 538, the password is not even looked at
            "STARTTLS",               # 220, and the connection switches to TLS
            "EHLO learner.example",   # ask again (RFC 3207 §4.2): now AUTH is listed
            f"AUTH PLAIN {plain}",    # the very same line: now 235
            "QUIT",
        ])
    # The same credentials got 538 and then 235: only the encryption changed.
    # (Replies without an enhanced code show an empty cell.)
    return upgraded.to_frame()[["command", "code", "enhanced"]].fillna("")
