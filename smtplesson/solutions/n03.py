"""Worked solutions for notebook 03 · Authentication."""

from . import solution


@solution("03.1")
def decode_captured_plain():
    """Exercise 03.1: decode a captured AUTH PLAIN line."""
    import base64

    captured = "AUTH PLAIN AGJvYgBodW50ZXIy"
    # The third word is the initial response: base64 of authzid NUL user NUL password (RFC 4616).
    payload = captured.split(" ")[2]
    # No key is needed to decode it: base64 is an encoding, not encryption.
    authzid, user, password = base64.b64decode(payload).split(b"\0")
    # authzid is empty, so bob acts as himself. Anyone who saw the line now knows his password.
    return {"user": user.decode("utf-8"), "password": password.decode("utf-8")}


@solution("03.2")
def tls_538_then_235():
    """Exercise 03.2: 538 before STARTTLS, 235 after it, on one connection."""
    import base64

    from smtplesson.lab import LabServer, dialogue

    initial = base64.b64encode(b"\0alice\0wonderland").decode("ascii")
    with LabServer(require_tls=True) as lab:
        transcript = dialogue(lab, [
            "EHLO learner.example",
            f"AUTH PLAIN {initial}",  # no TLS yet: 538, the password is not even looked at
            "STARTTLS",               # 220, and the connection switches to TLS
            "EHLO learner.example",   # ask again (RFC 3207 §4.2): now AUTH is listed
            f"AUTH PLAIN {initial}",  # the very same line: now 235
            "QUIT",
        ])
    # The same credentials got 538 and then 235: only the encryption changed.
    # (Replies without an enhanced code show an empty cell.)
    return transcript.to_frame()[["command", "code", "enhanced"]].fillna("")


@solution("03.3")
def mail_without_login_530():
    """Exercise 03.3: a 530, and why no password was checked."""
    from smtplesson import explain
    from smtplesson.lab import LabServer, dialogue

    with LabServer(require_auth=True) as lab:
        transcript = dialogue(lab, [
            "EHLO learner.example",
            "MAIL FROM:<alice@lab.example>",  # no AUTH before it
            "QUIT",
        ])
    # transcript.exchanges: greeting, EHLO, MAIL FROM, QUIT. The third reply is the 530.
    refusal = transcript.exchanges[2].reply
    # The dialogue has no AUTH line, so the server never saw a password to judge.
    # The card says so in its description: "a required step is missing, and no password was checked".
    return explain(refusal)
