"""Worked solutions for notebook 02 · A whole conversation."""

from . import solution


@solution("02.1")
def count_the_250s():
    """Exercise 02.1: send one message to three recipients and count the 250s."""
    from smtplesson.lab import LabServer, send_mail

    with LabServer() as lab:
        outcome = send_mail(lab, "alice", "wonderland",
                            recipients=["bob@lab.example", "carol@lab.example", "dave@lab.example"])
    frame = outcome.transcript.to_frame()
    replies_250 = frame[frame["code"] == 250][["command", "code"]]
    # Six 250s: EHLO, MAIL FROM, one for each of the three RCPT TO, and one after the final dot.
    # Each recipient gets its own answer, so one could be refused while the others are accepted.
    # The login is not among them: its success reply is 235, not 250.
    return replies_250


@solution("02.2")
def data_too_early():
    """Exercise 02.2: what does the server answer to DATA before any RCPT TO?"""
    from smtplesson import explain
    from smtplesson.lab import LabServer, dialogue

    with LabServer() as lab:
        transcript = dialogue(lab, [
            "EHLO learner.example",
            "MAIL FROM:<alice@lab.example>",
            "DATA",
            "QUIT",
        ])
    # Pick the reply that answers DATA.
    answer = next(exchange.reply for exchange in transcript.exchanges
                  if exchange.command == "DATA")
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

    with LabServer() as lab:
        outcome = send_mail(lab, "alice", "wonderland", recipients=["nobody@nowhere.example"])
        kept = list(lab.messages)
    # The server said 250 after the final dot, although nowhere.example cannot exist:
    # at that moment it only takes responsibility for the message (RFC 5321 §4.2.5).
    # The lab holds the message in memory and delivers nothing, so nobody received it.
    # A real server would try to deliver it now and send a bounce back to alice when that fails.
    answers = pd.DataFrame(
        [
            ("reply to the final dot", outcome.code),
            ("messages the lab holds", len(kept)),
            ("kept for", ", ".join(kept[0].recipients)),
            ("delivered?", "no: the lab keeps it in memory and delivers nothing"),
            ("lookup(250).note begins", lookup(250).note.split(". ")[0]),
        ],
        columns=["question", "answer"],
    )
    return answers
