"""Worked solutions for notebook 08 · Self-check."""

from . import solution


@solution("08.1")
def explain_a_near_miss():
    """Exercise 08.1: explain a reply that is neither 250 nor 535."""
    from smtplesson import explain

    # Gmail's 534 from notebooks 05 and 06. The first digit is 5: change something before trying again.
    # The code is 534, not 535: the password may be right, but this way of logging in is refused.
    # What to do: turn on 2-Step Verification and log in with an app password, or use OAuth.
    reply = ("534-5.7.9 Application-specific password required. Learn more at\n"
             "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor a1b2c3 - gsmtp")
    return explain(reply)


@solution("08.2")
def my_mini_quiz():
    """Exercise 08.2: a quiz of the questions you got wrong."""
    from smtplesson.quiz import questions
    from smtplesson.widgets import Quiz

    # Every question has an id; print(ids) lists them all, in the order of the whole quiz.
    ids = [question.id for question in questions()]
    # Say you missed the Gmail 454 question and the Gmail 534 one: pick them by id.
    missed = ["454-gmail-too-many-attempts", "534-gmail-not-a-typo"]
    assert all(question_id in ids for question_id in missed)  # every id exists (Quiz would refuse one that does not)
    return Quiz(ids=missed)
