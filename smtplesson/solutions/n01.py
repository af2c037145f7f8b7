"""Worked solutions for notebook 01 · Anatomy of a reply."""

from . import solution


@solution("01.1")
def classify_three_replies():
    """Exercise 01.1: classify three real replies by class and category."""
    import pandas as pd

    from smtplesson import parse_reply

    replies = [
        "250 2.1.5 Ok",
        "454 4.7.0 Too many login attempts, please try again later. a1b2c3 - gsmtp",
        "354 End data with <CR><LF>.<CR><LF>",
    ]
    rows = []
    for raw in replies:
        reply = parse_reply(raw)
        rows.append({"code": reply.code, "reply_class": reply.reply_class,
                     "category": reply.category})
    # 250: 2yz, done; send the next command. x5z: mail system.
    # 454: 4yz, temporary; wait and try the same thing later. RFC 4954 gives 454 to a temporary
    #      authentication failure (Gmail uses it after too many logins). Its digits put it in x5z,
    #      mail system, although it answers a login.
    # 354: 3yz, go on; the server waits for the message text. Also x5z, mail system.
    return pd.DataFrame(rows)


@solution("01.2")
def one_reply_or_two():
    """Exercise 01.2: one reply or two?"""
    from smtplesson import parse_reply

    paste = (
        "250-smtp.lab.example\n"
        "250-8BITMIME\n"
        "250 HELP\n"
        "250 OK"
    )
    replies = []
    current = []
    for line in paste.split("\n"):
        current.append(line)
        if line[3:4] != "-":  # a space (or nothing) after the code: this reply is complete
            replies.append(parse_reply("\n".join(current)))
            current = []
    # Two replies: "250 HELP" has a space after its code, so the EHLO reply ends there.
    # "250 OK" is a second, one-line reply (the answer to the next command).
    # The same in one step: parse_transcript("\n".join("S: " + line for line in paste.split("\n"))).replies
    return replies


@solution("01.3")
def decode_5_1_1():
    """Exercise 01.3: decode an enhanced code you have not seen."""
    import pandas as pd

    from smtplesson import lookup_enhanced

    code = lookup_enhanced("5.1.1")
    # Class 5: a permanent failure, which agrees with the reply's first digit (550).
    # Subject 1: addressing. The problem is the address, not the login or the message.
    # Detail 1: this mailbox does not exist ("user unknown").
    decoded = pd.DataFrame({
        "part": ["class", "subject", "detail"],
        "number": [5, 1, 1],
        "says": [code.class_name, code.subject_name, code.meaning],
    })
    return decoded
