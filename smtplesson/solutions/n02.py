"""Worked solutions for notebook 02 · A whole conversation.

Each solution starts a lab of its own (``practice_lab``), so pasting it into a cell leaves the
notebook's ``lab`` running and untouched.
"""

from . import solution


@solution("02.1")
def rule_for_the_250s():
    """Exercise 02.1: a rule for the number of 250s, checked with three recipients."""
    from smtplesson.lab import LabServer, send_mail

    with LabServer() as practice_lab:
        three_rcpt = send_mail(practice_lab, "alice", "wonderland",
                               recipients=["bob@lab.example", "carol@lab.example", "dave@lab.example"])
    table = three_rcpt.transcript.to_frame()
    replies_250 = table[table["code"] == 250][["command", "code"]]
    # The rule: n recipients give n + 3 250s: one for EHLO, one for MAIL FROM, one per RCPT TO,
    # and one after the final dot. With three recipients that is six.
    # Each recipient gets its own answer, so one could be refused while the others are accepted.
    # The login is never among them: its success reply is 235, not 250.
    return replies_250


@solution("02.2")
def data_too_early():
    """Exercise 02.2: what does the server answer to DATA before any RCPT TO?"""
    from smtplesson import explain
    from smtplesson.lab import LabServer, dialogue

    with LabServer() as practice_lab:
        early = dialogue(practice_lab, [
            "EHLO learner.example",
            "MAIL FROM:<alice@lab.example>",
            "DATA",
            "QUIT",
        ])
    # Pick the reply that answers DATA.
    answer = next(exchange.reply for exchange in early.exchanges if exchange.command == "DATA")
    # 503 Error: need RCPT command. First digit 5: permanent negative completion, so sending DATA
    # again unchanged fails again. Second digit 0: the syntax category, next to 500 and 501.
    # The fix is on the client's side: send at least one RCPT TO before DATA.
    return explain(answer)


@solution("02.3")
def accepted_not_delivered():
    """Exercise 02.3: after a 250 to the final dot, was the message delivered?"""
    import pandas as pd

    from smtplesson import lookup
    from smtplesson.lab import LabServer, send_mail

    with LabServer() as practice_lab:
        nowhere = send_mail(practice_lab, "alice", "wonderland", recipients=["nobody@nowhere.example"])
        held = list(practice_lab.messages)
    # The server said 250 after the final dot, although nowhere.example cannot exist:
    # at that moment it only takes responsibility for the message (RFC 5321 §4.2.5).
    # The lab holds the message in memory and delivers nothing, so nobody received it.
    # A real server would try to deliver it now and send a bounce back to alice when that fails.
    answers = pd.DataFrame(
        [
            ("reply to the final dot", nowhere.code),
            ("messages this lab holds", len(held)),
            ("kept for", ", ".join(held[0].recipients)),
            ("delivered?", "no: the lab keeps it in memory and delivers nothing"),
            ("lookup(250).note begins", lookup(250).note.split(". ")[0]),
        ],
        columns=["question", "answer"],
    )
    return answers
