"""Worked solutions for notebook 04 · 250 versus 535."""

from . import solution


@solution("04.1")
def compare_235_250():
    """Exercise 04.1: 235 or 250, which ends a successful login?"""
    import pandas as pd

    from smtplesson import lookup

    rows = {}
    for number in (235, 250):
        entry = lookup(number)
        rows[number] = {
            "name": entry.name,
            "class": entry.reply_class,     # from the first digit
            "category": entry.category,     # from the second digit
            "answers": ", ".join(entry.commands),
        }
    # 235 ends a successful login: it answers only AUTH (RFC 4954 §6). A login never ends in 250.
    # Both are 2yz positive completions. The second digit differs: 235 is x3z (unspecified),
    # 250 is x5z (mail system). compare(235, 250) says the same in its key difference.
    return pd.DataFrame.from_dict(rows, orient="index")


@solution("04.2")
def client_plan():
    """Exercise 04.2: what a client program does after 250 and after 535."""
    import pandas as pd

    from smtplesson import compare

    how = compare(250, 535).facet("how_to_fix")
    # The first sentence of each "How to fix" text is the rule; the rest is detail.
    card_says = [text.split(". ")[0] + "." for text in (how.a, how.b)]
    plan = pd.DataFrame(
        {
            "the card says": card_says,
            "your code does": [
                # "When to use which": 250 means send the next command.
                "send the next command; after the final dot, log the reply (it may hold a queue id)",
                # 535 means stop and get corrected or different credentials.
                "stop; report the reply to the user and ask for corrected credentials "
                "(an app password, an API key)",
            ],
            "your code never": [
                "treats a 250 after the final dot as proof of delivery",
                "retries the same password (each retry is one more failed attempt)",
            ],
        },
        index=pd.Index([250, 535], name="reply"),
    )
    return plan
