"""Worked solutions for notebook 00 · Start here."""

from . import solution


@solution("00.1")
def explain_221():
    """Exercise 00.1: ask explain() about 221."""
    from smtplesson import explain

    # 221 starts with 2: a positive completion. It answers QUIT: the server says goodbye.
    return explain(221)
