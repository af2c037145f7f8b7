"""Worked solutions for notebook 07 · 535 in the logs."""

from . import solution


@solution("07.1")
def guessed_password():
    """Exercise 07.1: a login that worked after the failures, per address."""
    from smtplesson.logs import auth_failures, read_log, sample_log

    log = read_log(sample_log(), year=2025)
    summary = auth_failures(log)[["failures", "usernames", "first"]].copy()
    logins = log[log["event"] == "auth_ok"]
    logged_in_as = []
    for ip, first_failure in summary["first"].items():
        later = logins[(logins["client_ip"] == ip) & (logins["time"] > first_failure)]
        logged_in_as.append(", ".join(sorted(set(later["username"].astype(str)))) or "nobody")
    summary["logged in later as"] = logged_in_as
    # 198.51.100.23: one failure, then bob@example.org logged in from the same address: Bob's typo.
    # The four attackers never logged in: hundreds of 535s, but no password found.
    # Had an address with many failures and many names logged in afterwards, that account's
    # password was guessed: lock it, make a new password, and look at what it sent.
    return summary


@solution("07.2")
def catch_the_slow_one():
    """Exercise 07.2: the shortest findtime that bans the low-and-slow attacker."""
    import pandas as pd

    from smtplesson.logs import bans, read_log, sample_log

    log = read_log(sample_log(), year=2025)
    slow_one = "203.0.113.77"
    memories = ["10min", "15min", "20min", "30min", "60min"]
    verdicts = pd.DataFrame([bans(log, maxretry=5, findtime=memory).loc[slow_one] for memory in memories],
                            index=pd.Index(memories, name="findtime"))
    # 20 minutes is the shortest that bans it: at 00:33:33, its failures first come 5 within 20 minutes.
    # The attacker's answer costs it nothing: one guess every 15 minutes instead of every 5, and the
    # 20-minute jail never sees 5 again. Each longer findtime invites a slower attacker.
    # What it costs your users: every slip is remembered longer. With findtime 60min, five failures
    # within an hour ban a user, and a program that logs two 535s per wrong password (as smtplib
    # does) gets there after three wrong passwords. Use a longer memory with care, and take away
    # what there is to guess: app passwords or OAuth.
    return verdicts[["failures", "most_in_findtime", "banned", "first_ban"]]
