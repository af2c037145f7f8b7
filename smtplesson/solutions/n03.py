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
def mail_without_login_530():
    """Exercise 03.2: a 530 by hand, and why no password was checked."""
    from smtplesson import explain
    from smtplesson.lab import LabServer, dialogue

    with LabServer(require_auth=True) as practice_lab:  # a lab of its own: auth_lab keeps running
        no_auth = dialogue(practice_lab, [
            "EHLO learner.example",
            "MAIL FROM:<alice@lab.example>",  # no AUTH before it
            "QUIT",
        ])
    # no_auth.exchanges: greeting, EHLO, MAIL FROM, QUIT. The third reply is the 530.
    refusal = no_auth.exchanges[2].reply
    # The dialogue has no AUTH line, so the server never saw a password to judge.
    # The card says so in its description: a required step is missing, and no password was checked.
    return explain(refusal)
