"""Worked solutions for notebook 06 · Troubleshooting 535."""

from . import solution


@solution("06.1")
def microsoft_basic_auth_disabled():
    """Exercise 06.1: Microsoft 365's 535 5.7.139 'basic authentication is disabled'."""
    from smtplesson import explain

    reply = "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [host.example a1b2c3]"
    # 535 is permanent (5yz): the same login will fail again until something changes.
    # 5.7.139 is Microsoft's own enhanced code (not in the IANA registry), and Microsoft uses it for
    # several causes: wrong credentials, basic authentication disabled, SMTP AUTH disabled for the
    # mailbox or tenant. The text decides which one you have. Here it says that logging in with a
    # user name and password ("basic authentication") is switched off.
    # So the password is not the problem: neither a new password nor an app password helps.
    # The fix is not the user's to make alone: the program logs in with OAuth (XOAUTH2) instead,
    # or an administrator of the Microsoft 365 tenant changes the policy that turned it off.
    return explain(reply)


@solution("06.2")
def sort_five_replies():
    """Exercise 06.2: sort five replies into three groups."""
    import pandas as pd

    from smtplesson import explain

    five = [
        "535 Authentication Credentials Invalid",
        "454 4.7.0 Too many login attempts, please try again later. a1b2c3 - gsmtp",
        "530 5.7.0 Must issue a STARTTLS command first. a1b2c3 - gsmtp",
        "435 Unable to authenticate at present",
        "535 5.7.0 (#AUTH005) Too many bad auth attempts.",
    ]

    def group(text):
        code = explain(text).reply.code
        if code // 100 == 4:  # transient: even Exim's 435, which no RFC defines
            return "retry later unchanged"
        if code in (530, 538):  # no password was checked: TLS or the login is missing
            return "do a missing step first (TLS or login)"
        # 535: the credentials were refused. The trap is Yahoo's: its text sounds temporary,
        # but the code is permanent, and in the reported cases an app password fixed it.
        return "change the credentials"

    sorted_replies = pd.DataFrame({
        "reply": five,
        "code": [explain(text).reply.code for text in five],
        "group": [group(text) for text in five],
    })
    return sorted_replies.sort_values(["group", "code"], ignore_index=True)
