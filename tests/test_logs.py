"""smtplesson.logs: read a mail server's log, find the 535s, agree with fail2ban and pflogsumm."""

import base64
import collections
import gzip
import io
import json
import os
import re
import subprocess
import sys
import threading
from collections import namedtuple
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from conftest import require_tool
from smtplesson.errors import SmtpLessonError
from smtplesson.lab import LabServer, dialogue, send_mail
from smtplesson.logs import COLUMNS, EVENTS, auth_failures, bans, event_totals, read_log, sample_log
from smtplesson.logs.lab_lines import LAB_EVENTS, lab_log_lines
from smtplesson.logs.sample import SAMPLE_FILES, scenario, write_sample
from smtplesson.logs.source import CHUNK

HOST = "Nov 20 10:00:0{} mail "


def plain(series) -> list:
    """A column's values as a user reads them, missing ones as None."""
    return [None if pd.isna(value) else value for value in series]


def lines(*texts: str) -> str:
    """Log text: each message gets an RFC 3164 header, a second apart."""
    return "".join(f"{HOST.format(i % 10)}{text}\n" for i, text in enumerate(texts))


@pytest.fixture(scope="module")
def day():
    return read_log(sample_log(), year=2025)


@pytest.fixture(scope="module")
def day_file(tmp_path_factory):
    return write_sample(tmp_path_factory.mktemp("logs") / "mail.log")


# --- the sample day tells the capstone's story ------------------------------------------------------

def test_frame_has_the_contract_columns_and_events(day):
    assert list(day.columns) == list(COLUMNS)
    assert set(day["event"].dropna()) <= set(EVENTS) and day["event"].notna().all()
    assert str(day["code"].dtype) == "Int16" and str(day["time"].dtype).startswith("datetime64")
    assert day["time"].is_monotonic_increasing
    assert day.attrs["unparsed"] == 0 and day.attrs["lines"] == len(day) + day.attrs["skipped"]
    assert set(event_totals(day)) == set(EVENTS)


def test_the_attack_stands_out_from_the_typo(day):
    failures = auth_failures(day)
    assert list(failures.columns[:5]) == ["failures", "first", "last", "usernames", "peak_per_minute"]
    assert failures.index.name == "client_ip"
    assert failures["failures"].is_monotonic_decreasing
    burst, slow, targeted = "203.0.113.45", "203.0.113.77", "2001:db8:bad:1::66"
    assert failures.index[0] == burst
    assert failures.loc[burst, "peak_per_minute"] >= 20 and failures.loc[burst, "usernames"] > 10
    # low and slow: many failures, never two in one minute
    assert failures.loc[slow, "failures"] > 200 and failures.loc[slow, "peak_per_minute"] == 1
    assert failures.loc[targeted, "usernames"] == 1
    assert failures.loc[targeted, "most_tried"] == scenario()["targeted_name"]
    # the user's typo: one 535, then a login that worked
    typo = scenario()["typo"]
    home = next(u["ip"] for u in scenario()["users"] if u["name"] == typo["user"])
    assert failures.loc[home, "failures"] == 1
    later = day[(day["client_ip"] == home) & (day["event"] == "auth_ok")]
    assert (later["time"] > failures.loc[home, "first"]).any()
    started = pd.Timestamp(f"2025-11-20 {typo['at']}")
    assert started < failures.loc[home, "first"] < started + pd.Timedelta(seconds=10)


def test_a_restarting_auth_server_is_454_not_535(day):
    restart = scenario()["dovecot_restart"]
    rows = day[(day["event"] == "auth_failed") & (day["code"] == 454)]
    assert len(rows) == 1 and rows["enhanced"].iloc[0] == "4.7.0"
    assert rows["text"].iloc[0] == "Connection lost to authentication server"
    assert rows["client_ip"].iloc[0] not in auth_failures(day).index
    assert rows["time"].iloc[0].strftime("%H:%M") == restart["at"][:5]


def test_deliveries_carry_the_remote_reply(day):
    bounced = day[day["event"] == "bounced"]
    assert len(bounced) > 0
    assert (bounced["code"] == 550).all() and (bounced["enhanced"] == "5.1.1").all()
    assert (bounced["command"] == "RCPT TO").all()
    assert bounced["text"].str.contains("User unknown").all()
    assert not bounced["text"].str.contains("550").any()  # the code is in its own column
    deferred = day[day["event"] == "deferred"]
    assert set(deferred["code"].dropna()) == {451}
    timeouts = deferred[deferred["code"].isna()]
    assert len(timeouts) and (timeouts["enhanced"] == "4.4.1").all()  # Postfix's dsn= when no reply
    rejects = day[day["event"] == "reject"]
    assert {(554, "5.7.1"), (454, "4.7.1"), (550, "5.1.1"), (550, "5.7.1")} <= set(
        zip(rejects["code"], rejects["enhanced"]))


def test_both_timestamp_forms_give_the_same_events(day):
    iso = read_log(sample_log("iso"))
    assert iso.attrs["year"] is None  # ISO lines carry their year
    assert len(iso) == len(day)
    for name in ("event", "client_ip", "code", "username", "queue_id", "text"):
        assert iso[name].astype(object).equals(day[name].astype(object)), name
    assert (iso["time"].dt.floor("s") == day["time"]).all()


def test_shipped_samples_are_what_the_generator_writes(tmp_path):
    for form, name in SAMPLE_FILES.items():
        fresh = write_sample(tmp_path / name, form=form)
        assert gzip.decompress(fresh.read_bytes()) == gzip.decompress(sample_log(form).read_bytes())


# --- single lines: what each one means ---------------------------------------------------------------

def test_postfix_sasl_failure_is_recorded_as_the_535_it_sent():
    frame = read_log(lines(
        "postfix/submission/smtpd[7]: warning: unknown[203.0.113.9]: SASL LOGIN authentication failed: "
        "UGFzc3dvcmQ6, sasl_username=admin",
        "postfix/smtpd[7]: warning: unknown[203.0.113.9]:41234: SASL PLAIN authentication failed: "
        "(reason unavailable), sasl_username=(unavailable)",
        "postfix/smtpd[7]: warning: host.example.net[2001:db8::9]: SASL PLAIN authentication failed: "
        "Connection lost to authentication server",
        "postfix/smtpd[7]: warning: unknown[203.0.113.9]: SASL LOGIN authentication aborted",
    ), year=2025)
    assert frame["event"].tolist() == ["auth_failed"] * 4
    assert frame["code"].tolist() == [535, 535, 454, 501]
    assert frame["enhanced"].tolist() == ["5.7.8", "5.7.8", "4.7.0", "5.7.0"]
    assert frame["mechanism"].tolist() == ["LOGIN", "PLAIN", "PLAIN", "LOGIN"]
    assert plain(frame["username"])[:2] == ["admin", None]
    assert frame["client_ip"].tolist() == ["203.0.113.9", "203.0.113.9", "2001:db8::9", "203.0.113.9"]
    assert frame["text"].tolist()[:3] == ["UGFzc3dvcmQ6", "(reason unavailable)",
                                          "Connection lost to authentication server"]
    assert frame["program"].iloc[0] == "postfix/submission/smtpd" and frame["pid"].iloc[0] == 7
    assert frame["time"].iloc[0] == pd.Timestamp("2025-11-20 10:00:00")


def test_each_postfix_line_family():
    frame = read_log(lines(
        "postfix/smtpd[1]: connect from mx.example.net[192.0.2.10]",
        "postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[192.0.2.66]: 554 5.7.1 <x@example.com>: "
        "Relay access denied; from=<a@example.com> to=<x@example.com> proto=ESMTP helo=<x>",
        "postfix/postscreen[2]: CONNECT from [192.0.2.77]:4444 to [198.51.100.1]:25",
        "postfix/postscreen[2]: NOQUEUE: reject: RCPT from [192.0.2.77]:4444: 550 5.7.1 Service "
        "unavailable; client [192.0.2.77] blocked using bl.example.net; from=<a@example.com>, "
        "to=<b@example.org>, proto=ESMTP, helo=<x>",
        "postfix/submission/smtpd[3]: 4F9D195C4D: client=unknown[198.51.100.5], sasl_method=PLAIN, "
        "sasl_username=alice@example.org",
        "postfix/cleanup[4]: 4F9D195C4D: message-id=<abc@example.org>",
        "postfix/qmgr[5]: 4F9D195C4D: from=<alice@example.org>, size=1200, nrcpt=1 (queue active)",
        "postfix/smtp[6]: 4F9D195C4D: to=<bob@example.net>, relay=mx.example.net[192.0.2.10]:25, "
        "delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 9A8B7C6D5E)",
        "postfix/smtpd[1]: lost connection after AUTH from unknown[203.0.113.9]",
        "postfix/smtpd[1]: disconnect from mx.example.net[192.0.2.10] ehlo=1 mail=1 rcpt=1 data=1 quit=1",
    ), year=2025)
    assert frame["event"].tolist() == ["connect", "reject", "connect", "reject", "auth_ok", "other",
                                       "other", "sent", "other", "disconnect"]
    reject = frame.iloc[1]
    assert (reject["code"], reject["enhanced"], reject["command"]) == (554, "5.7.1", "RCPT")
    assert reject["text"] == "<x@example.com>: Relay access denied" and pd.isna(reject["queue_id"])
    assert frame.iloc[3]["text"] == "Service unavailable; client [192.0.2.77] blocked using bl.example.net"
    ok = frame.iloc[4]
    assert (ok["code"], ok["enhanced"], ok["username"], ok["queue_id"]) == (235, "2.7.0", "alice@example.org",
                                                                           "4F9D195C4D")
    sent = frame.iloc[7]
    assert (sent["code"], sent["enhanced"], sent["text"]) == (250, "2.0.0", "Ok: queued as 9A8B7C6D5E")
    assert frame.iloc[8]["command"] == "AUTH" and frame.iloc[8]["client_ip"] == "203.0.113.9"


def test_remote_replies_are_read_with_the_lessons_parser():
    said = ("postfix/smtp[6]: 5A5A5A5A5A: to=<bob@example.com>, relay=mx.example.com[192.0.2.20]:25, "
            "delay=1, delays=0.1/0/0.4/0.5, dsn={dsn}, status={status} (host mx.example.com[192.0.2.20] "
            "said: {reply} (in reply to {command} command))")
    frame = read_log(lines(
        said.format(dsn="5.1.1", status="bounced", command="RCPT TO",
                    reply="550-5.1.1 The account does not exist. 550-5.1.1 Check the address for "
                          "typos. 550 5.1.1 https://help.example.com/nosuchuser x1-20020"),
        said.format(dsn="4.7.0", status="deferred", command="end of DATA", reply="421 4.7.0 Try again later"),
        said.format(dsn="5.0.0", status="bounced", command="MAIL FROM", reply="5.7.1 Blocked, no code"),
        said.format(dsn="5.0.0", status="bounced", command="RCPT TO", reply="550 4.7.1 class mismatch"),
    ), year=2025)
    assert frame["code"].tolist()[:2] == [550, 421]
    assert frame["text"].iloc[0] == ("The account does not exist. Check the address for typos. "
                                     "https://help.example.com/nosuchuser x1-20020")
    assert frame["command"].tolist() == ["RCPT TO", "end of DATA", "MAIL FROM", "RCPT TO"]
    # not a reply (no three-digit code): kept as text, no code, never an error
    assert pd.isna(frame["code"].iloc[2]) and frame["text"].iloc[2] == "5.7.1 Blocked, no code"
    # RFC 3463 §2: an enhanced code of another class than the reply is no enhanced code
    assert frame["code"].iloc[3] == 550 and frame["enhanced"].iloc[3] == "5.0.0"
    assert frame["text"].iloc[3] == "4.7.1 class mismatch"


def test_dovecot_auth_lines_carry_no_reply_code():
    frame = read_log(lines(
        "dovecot: auth: passwd-file(admin,203.0.113.9,<AbC>): unknown user",
        "dovecot: auth: passwd-file(alice@example.org,203.0.113.9,sasl:plain)<AbC>: Password mismatch",
        "dovecot: auth-worker(99): pam(bob,203.0.113.9,<x>): pam_authenticate() failed: "
        "Authentication failure (password mismatch?)",
        "dovecot: imap-login: Login: user=<alice@example.org>, method=PLAIN, rip=198.51.100.5",
        "postfix/smtpd[7]: warning: unknown[203.0.113.9]: SASL PLAIN authentication failed: "
        "(reason unavailable), sasl_username=alice@example.org",
    ), year=2025)
    assert frame.attrs["skipped"] == 1  # the IMAP login is not SMTP
    assert frame["event"].tolist() == ["auth_failed"] * 4
    assert frame["username"].tolist() == ["admin", "alice@example.org", "bob", "alice@example.org"]
    assert plain(frame["mechanism"])[:2] == [None, "PLAIN"]
    assert frame["code"].isna().tolist() == [True, True, True, False]
    # the same attempt logged by Dovecot and by Postfix is one failure
    assert auth_failures(frame).loc["203.0.113.9", "failures"] == 1


EXIM = """\
2025-11-20 10:00:01 [4711] SMTP connection from (x) [203.0.113.9]:52220 I=[198.51.100.1]:587 (TCP/IP connection count = 1)
2025-11-20 10:00:02 [4711] dovecot_login authenticator failed for (x) [203.0.113.9]:52220 I=[198.51.100.1]:587: 535 Incorrect authentication data (set_id=admin)
2025-11-20 10:00:03 [4711] SMTP connection from (x) [203.0.113.9]:52220 I=[198.51.100.1]:587 closed by QUIT
2025-11-20 10:05:00 [4712] 1tQ2aB-000ABC-Xy <= alice@example.org H=(laptop) [198.51.100.5]:50000 I=[198.51.100.1]:587 P=esmtpsa X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no A=dovecot_plain:alice@example.org S=1234 id=abc@example.org
2025-11-20 10:05:01 [4713] 1tQ2aB-000ABC-Xy => bob@example.net R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.10] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C="250 2.0.0 Ok: queued as 1234ABCD"
2025-11-20 10:05:02 [4713] 1tQ2aB-000ABC-Xy ** nobody@example.com R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.20]: SMTP error from remote mail server after RCPT TO:<nobody@example.com>: 550 5.1.1 User unknown
2025-11-20 10:05:03 [4713] 1tQ2aB-000ABC-Xy Completed
2025-11-20 10:06:00 [4714] H=(x) [203.0.113.10]:40000 I=[198.51.100.1]:25 F=<a@example.com> rejected RCPT <b@example.com>: relay not permitted
2025-11-20 10:07:00 [4715] Start queue run: pid=4715
"""


def test_exim_main_log():
    frame = read_log(EXIM)
    assert frame["event"].tolist() == ["connect", "auth_failed", "disconnect", "auth_ok", "sent", "bounced",
                                       "other", "reject"]
    assert frame.attrs["skipped"] == 1 and frame.attrs["unparsed"] == 0
    failed = frame.iloc[1]
    assert (failed["code"], failed["username"], failed["mechanism"]) == (535, "admin", "dovecot_login")
    assert failed["text"] == "Incorrect authentication data" and failed["pid"] == 4711
    assert frame.iloc[3]["username"] == "alice@example.org" and frame.iloc[3]["code"] == 235
    assert (frame.iloc[4]["code"], frame.iloc[4]["enhanced"]) == (250, "2.0.0")
    assert (frame.iloc[5]["code"], frame.iloc[5]["enhanced"], frame.iloc[5]["command"]) == (
        550, "5.1.1", "RCPT TO:<nobody@example.com>")
    assert frame.iloc[7]["client_ip"] == "203.0.113.10"
    assert auth_failures(frame).loc["203.0.113.9", "failures"] == 1
    assert frame["time"].iloc[0] == pd.Timestamp("2025-11-20 10:00:01")


# --- bad lines, bad files, every kind of source ---------------------------------------------------------

def test_lines_it_does_not_understand_are_counted_never_fatal():
    text = lines("postfix/smtpd[1]: connect from unknown[192.0.2.1]") + (
        "garbage without a header\n"
        "Nov 20 10:00:0\n"
        "Foo 20 10:00:01 mail postfix/smtpd[1]: connect from unknown[192.0.2.2]\n"
        "\n"
        "Nov 20 10:00:02 mail postfix/smtpd[1] no colon after the tag\n"
    ) + lines("postfix/smtpd[1]: disconnect from unknown[192.0.2.1]")
    frame = read_log(text.encode() + b"Nov 20 10:00:03 mail postfix/smtpd[1]: connect from unknown[\xff\xfe]\n",
                     year=2025)
    assert frame["event"].tolist() == ["connect", "disconnect", "connect"]
    assert frame.attrs["unparsed"] == 4
    assert frame.attrs["unparsed_examples"][0] == "garbage without a header"
    assert frame.attrs["lines"] == 8


def test_every_kind_of_source_gives_the_same_frame(tmp_path, day_file):
    expected = read_log(day_file, year=2025)
    plain = day_file.read_bytes()
    zipped = tmp_path / "mail.log.1.gz"
    zipped.write_bytes(gzip.compress(plain))
    no_suffix = tmp_path / "rotated"
    no_suffix.write_bytes(gzip.compress(plain))
    crlf = plain.replace(b"\n", b"\r\n")
    with open(day_file, encoding="utf-8") as text_file, open(day_file, "rb") as binary_file:
        sources = [str(day_file), zipped, no_suffix, plain.decode(), plain, crlf, text_file, binary_file,
                   io.StringIO(plain.decode())]
        for source in sources:
            frame = read_log(source, year=2025)
            assert frame.equals(expected), type(source)


@pytest.mark.parametrize("content, name, rule", [
    (gzip.compress(lines(*(f"postfix/smtpd[{i}]: connect from x[192.0.2.{i % 250}]" for i in range(3000))).encode())[:3000],
     "cut.log.gz", "gzip"),
    (b"this is not gzip at all\n", "fake.log.gz", "gzip"),
    (bytes(range(256)) * 40, "wtmp", "binary-log"),
])
def test_a_corrupt_gzip_or_binary_file_is_one_clear_error(tmp_path, content, name, rule):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SmtpLessonError) as caught:
        read_log(path)
    assert caught.value.rule == rule and name in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("source, rule", [
    ("/no/such/mail.log", "log-file"), (42, "log-source"), (Path("."), "log-file"),
])
def test_bad_sources_name_the_rule(source, rule):
    with pytest.raises(SmtpLessonError) as caught:
        read_log(source)
    assert caught.value.rule == rule


def test_bad_year_and_bad_frame_name_the_rule():
    with pytest.raises(SmtpLessonError) as caught:
        read_log("", year="2025")
    assert caught.value.rule == "log-year"
    with pytest.raises(SmtpLessonError) as caught:
        auth_failures(pd.DataFrame({"x": [1]}))
    assert caught.value.rule == "log-frame"


# --- the year of 'Nov 20 02:13:05' lines -----------------------------------------------------------------

NEW_YEAR = ("Dec 31 23:59:58 mail postfix/smtpd[1]: connect from unknown[192.0.2.1]\n"
            "Jan  1 00:00:01 mail postfix/smtpd[1]: disconnect from unknown[192.0.2.1]\n")


def test_year_names_the_first_line_and_new_year_moves_on():
    frame = read_log(NEW_YEAR, year=2024)
    assert frame["time"].tolist() == [pd.Timestamp("2024-12-31 23:59:58"), pd.Timestamp("2025-01-01 00:00:01")]
    assert frame.attrs["year"] == 2024


def test_without_year_the_file_date_decides(tmp_path):
    path = tmp_path / "mail.log"
    path.write_text(NEW_YEAR)
    written = datetime(2025, 1, 1, 0, 5).timestamp()
    os.utime(path, (written, written))
    assert read_log(path)["time"].dt.year.tolist() == [2024, 2025]
    # a file last written in March that ends in December: that December was last year's
    path.write_text("Dec 20 10:00:00 mail postfix/smtpd[1]: connect from unknown[192.0.2.1]\n")
    written = datetime(2025, 3, 2).timestamp()
    os.utime(path, (written, written))
    assert read_log(path)["time"].iloc[0] == pd.Timestamp("2024-12-20 10:00:00")


def test_iso_lines_keep_their_wall_clock():
    frame = read_log("2025-03-30T01:59:59.250000+01:00 mail postfix/smtpd[1]: connect from x[192.0.2.1]\n"
                     "2025-03-30T03:00:00Z mail postfix/smtpd[1]: disconnect from x[192.0.2.1]\n")
    assert frame["time"].tolist() == [pd.Timestamp("2025-03-30 01:59:59.25"), pd.Timestamp("2025-03-30 03:00:00")]


# --- auth_failures ---------------------------------------------------------------------------------------

def test_auth_failures_counts_535_per_address():
    fail = "postfix/smtpd[1]: warning: unknown[{}]: SASL LOGIN authentication failed: x, sasl_username={}"
    text = "".join(f"Nov 20 10:{m:02d}:{s:02d} mail " + fail.format(ip, user) + "\n" for m, s, ip, user in [
        (0, 1, "192.0.2.1", "a"), (0, 2, "192.0.2.1", "b"), (0, 59, "192.0.2.1", "a"), (1, 0, "192.0.2.1", "a"),
        (0, 5, "192.0.2.2", "z"), (3, 0, "192.0.2.3", "q"), (3, 1, "192.0.2.3", "q"),
    ])
    failures = auth_failures(read_log(text, year=2025))
    assert failures.index.tolist() == ["192.0.2.1", "192.0.2.3", "192.0.2.2"]
    first = failures.loc["192.0.2.1"]
    assert (first["failures"], first["usernames"], first["peak_per_minute"], first["most_tried"]) == (4, 2, 3, "a")
    assert first["first"] == pd.Timestamp("2025-11-20 10:00:01")
    assert first["last"] == pd.Timestamp("2025-11-20 10:01:00")
    assert auth_failures(read_log("", year=2025)).empty


def test_bans_follow_a_jail_of_maxretry_in_findtime():
    fail = "postfix/smtpd[1]: warning: unknown[{}]: SASL LOGIN authentication failed: x, sasl_username=a"
    text = "".join(f"Nov 20 10:{m:02d}:{s:02d} mail " + fail.format(ip) + "\n" for m, s, ip in [
        # five in 4 minutes: banned at the fifth
        (0, 0, "192.0.2.1"), (1, 0, "192.0.2.1"), (2, 0, "192.0.2.1"), (3, 0, "192.0.2.1"), (4, 0, "192.0.2.1"),
        # one every 3 minutes: at most 4 in any 10 minutes (the first falls out as the fifth comes)
        (0, 30, "192.0.2.2"), (3, 30, "192.0.2.2"), (6, 30, "192.0.2.2"), (9, 30, "192.0.2.2"),
        (12, 30, "192.0.2.2"), (15, 30, "192.0.2.2"),
    ])
    frame = read_log(text, year=2025)
    jail = bans(frame)  # Debian's postfix-sasl defaults: 5 in 10 minutes
    assert list(jail.columns) == ["failures", "most_in_findtime", "banned", "first_ban"]
    assert jail.index.tolist() == auth_failures(frame).index.tolist() == ["192.0.2.2", "192.0.2.1"]
    assert jail.loc["192.0.2.1"].tolist() == [5, 5, True, pd.Timestamp("2025-11-20 10:04:00")]
    assert jail.loc["192.0.2.2", "most_in_findtime"] == 4 and not jail.loc["192.0.2.2", "banned"]
    assert pd.isna(jail.loc["192.0.2.2", "first_ban"])
    # a longer memory catches the slow one; a number is seconds, as in jail.conf
    longer = bans(frame, findtime=1200)
    assert longer.loc["192.0.2.2", "first_ban"] == pd.Timestamp("2025-11-20 10:12:30")
    assert bans(frame, findtime="20m").equals(longer)
    assert bans(frame, maxretry=1).loc["192.0.2.2", "first_ban"] == pd.Timestamp("2025-11-20 10:00:30")
    assert bans(read_log("", year=2025)).empty


def test_a_ban_catches_the_burst_not_the_low_and_slow_attacker(day):
    jail = bans(day, maxretry=5, findtime="10min")
    burst, slow, targeted, typo = "203.0.113.45", "203.0.113.77", "2001:db8:bad:1::66", "198.51.100.23"
    assert jail.loc[[burst, targeted], "banned"].all()
    assert jail.loc[burst, "first_ban"] < pd.Timestamp("2025-11-20 02:13:30")  # seconds into the burst
    assert not jail.loc[slow, "banned"] and jail.loc[slow, "most_in_findtime"] <= 3
    assert jail.loc[slow, "failures"] > 200
    assert not jail.loc[typo, "banned"]
    assert bans(day, findtime="20min").loc[slow, "banned"]  # a longer findtime does catch it


@pytest.mark.parametrize("rule", [dict(maxretry=0), dict(maxretry=True), dict(maxretry=2.5),
                                  dict(findtime="soon"), dict(findtime=0), dict(findtime=-60),
                                  dict(findtime=None), dict(findtime=True)])
def test_a_bad_ban_rule_names_the_rule(day, rule):
    with pytest.raises(SmtpLessonError) as caught:
        bans(day, **rule)
    assert caught.value.rule == "log-ban" and "rule: log-ban" in str(caught.value)
    with pytest.raises(SmtpLessonError, match="bans takes the frame"):
        bans("mail.log")


# --- the live lab's events as Postfix-style lines ---------------------------------------------------------

LabEvent = namedtuple("LabEvent", "time session client_ip client_port kind command mechanism username "
                                  "code enhanced text")


def lab_events():
    start = datetime(2025, 11, 20, 14, 5, 0, 250000, tzinfo=timezone(timedelta(hours=1)))
    events = []
    for session, (user, password_ok) in enumerate([("alice", False), ("alice", False), ("alice", True)], 1):
        t = start + timedelta(seconds=10 * session)
        events.append(LabEvent(t, session, "127.0.0.1", 50000 + session, "connect", None, None, None,
                               220, None, "lab.example ESMTP"))
        if password_ok:
            events.append(LabEvent(t + timedelta(seconds=1), session, "127.0.0.1", 50000 + session, "auth_ok",
                                   "AUTH", "PLAIN", user, 235, "2.7.0", "Authentication successful"))
            events.append(LabEvent(t + timedelta(seconds=2), session, "127.0.0.1", 50000 + session, "queued",
                                   "DATA", None, user, 250, None, "OK"))
        else:
            for step, mechanism in enumerate(("PLAIN", "LOGIN")):
                events.append(LabEvent(t + timedelta(seconds=1 + step), session, "127.0.0.1", 50000 + session,
                                       "auth_failed", "AUTH", mechanism, user, 535, "5.7.8",
                                       "5.7.8 Authentication credentials invalid"))
        events.append(LabEvent(t + timedelta(seconds=3), session, "127.0.0.1", 50000 + session, "reject",
                               "MAIL", None, None, 530, "5.7.0", "Authentication required"))
        events.append(LabEvent(t + timedelta(seconds=4), session, "127.0.0.1", 50000 + session, "disconnect",
                               "QUIT", None, None, 221, None, "Bye"))
    events.append(LabEvent(start + timedelta(seconds=50), 4, "::1", 50100, "auth_failed", "AUTH", "PLAIN",
                           "bob", 534, "5.7.9", "Application-specific password required"))
    return events


@pytest.mark.parametrize("form", ["iso", "rfc3164"])
def test_lab_events_read_back_as_the_same_events(form):
    events = lab_events()
    frame = read_log("\n".join(lab_log_lines(events, form=form)) + "\n", year=2025)
    assert frame.attrs["unparsed"] == 0 and len(frame) == len(events)
    for event, row in zip(events, frame.itertuples()):
        wall = event.time.replace(tzinfo=None)
        assert row.time == (pd.Timestamp(wall) if form == "iso" else pd.Timestamp(wall).floor("s"))
        assert row.event == LAB_EVENTS[event.kind] and row.client_ip == event.client_ip
        assert row.pid == event.session
        if event.kind in ("auth_failed", "auth_ok", "reject", "queued"):
            assert (row.code, row.enhanced if pd.notna(row.enhanced) else None) == (event.code, event.enhanced)
        if event.kind in ("auth_failed", "auth_ok"):
            assert (row.mechanism, row.username) == (event.mechanism, event.username)
        if event.kind in ("auth_failed", "reject", "queued"):
            assert row.text == event.text.removeprefix(event.enhanced or "").strip()
        if event.kind == "reject":
            assert row.command == event.command
    failures = auth_failures(frame)
    assert failures.loc["127.0.0.1", "failures"] == 4 and "::1" not in failures.index  # 534 is not 535


def test_lab_lines_are_read_by_fail2ban_too(tmp_path):
    fail2ban = require_tool("fail2ban-regex", "the lab's log must work with the tools administrators use")
    path = tmp_path / "lab.log"
    path.write_text("\n".join(lab_log_lines(lab_events(), form="rfc3164")) + "\n")
    assert fail2ban_counts(fail2ban, path) == {"127.0.0.1": 4, "::1": 1}


# --- the anchors: fail2ban and pflogsumm on the same file ------------------------------------------------

def fail2ban_counts(fail2ban: str, path: Path) -> dict[str, int]:
    """Failures per address as fail2ban-regex's postfix filter (mode auth) matches them."""
    result = subprocess.run([fail2ban, "-o", "ip", str(path), "postfix[mode=auth]"],
                            capture_output=True, text=True, timeout=300, check=True)
    return dict(collections.Counter(line.strip() for line in result.stdout.splitlines() if line.strip()))


@pytest.mark.parametrize("form", ["rfc3164", "iso"])
def test_auth_failures_agree_with_fail2ban_per_address(tmp_path, form):
    fail2ban = require_tool("fail2ban-regex", "the agreement test reads the same log with fail2ban")
    path = write_sample(tmp_path / "mail.log", days=2, form=form)
    ours = auth_failures(read_log(path))["failures"].to_dict()
    theirs = fail2ban_counts(fail2ban, path)
    assert len(theirs) >= 5 and sum(theirs.values()) > 2000
    assert ours == theirs


def test_where_postfix_and_fail2ban_differ(tmp_path):
    """Postfix's reply decides what auth_failures counts; fail2ban's filter has its own list."""
    fail2ban = require_tool("fail2ban-regex", "the test shows how fail2ban reads these lines")
    text = lines(
        # Dovecot refuses a mechanism it does not offer: XSASL_AUTH_FAIL, so Postfix sent 535
        "postfix/smtpd[1]: warning: unknown[192.0.2.1]: SASL PLAIN authentication failed: "
        "Invalid authentication mechanism",
        # mechanisms outside fail2ban's list (LOGIN, PLAIN, CRAM-MD5, DIGEST-MD5): still 535
        "postfix/smtpd[1]: warning: unknown[192.0.2.2]: SASL XOAUTH2 authentication failed: "
        "(reason unavailable), sasl_username=alice",
        "postfix/smtpd[1]: warning: unknown[192.0.2.2]: SASL SCRAM-SHA-256 authentication failed: "
        "authentication failure",
        # the auth server was down: XSASL_AUTH_TEMP, so Postfix sent 454, yet fail2ban counts it
        "postfix/smtpd[1]: warning: unknown[192.0.2.3]: SASL PLAIN authentication failed: "
        "Can't connect to authentication server",
    )
    path = tmp_path / "differ.log"
    path.write_text(text)
    frame = read_log(path, year=2025)
    assert frame["code"].tolist() == [535, 535, 535, 454]
    assert auth_failures(frame)["failures"].to_dict() == {"192.0.2.2": 2, "192.0.2.1": 1}
    assert fail2ban_counts(fail2ban, path) == {"192.0.2.3": 1}


def pflogsumm_totals(pflogsumm: str, path: Path) -> dict[str, int]:
    output = subprocess.run([pflogsumm, str(path)], capture_output=True, text=True, timeout=300,
                            check=True).stdout
    grand = output.split("Grand Totals", 1)[1].split("Per-Hour", 1)[0]

    def number(pattern: str) -> int:  # counts under 512k print exactly (pflogsumm's adj_int_units)
        return int(re.search(pattern, grand).group(1))

    return {"sent": number(r"(\d+)\s+delivered"), "bounced": number(r"(\d+)\s+bounced"),
            "deferred": number(r"\((\d+)\s+deferrals\)"), "reject": number(r"(\d+)\s+rejected")}


@pytest.mark.parametrize("form", ["rfc3164", "iso"])
def test_reject_and_delivery_totals_agree_with_pflogsumm(tmp_path, form):
    pflogsumm = require_tool("pflogsumm", "the agreement test reads the same log with pflogsumm")
    path = write_sample(tmp_path / "mail.log", days=2, form=form)
    totals = event_totals(read_log(path))
    theirs = pflogsumm_totals(pflogsumm, path)
    assert min(theirs.values()) > 0
    assert {name: totals[name] for name in theirs} == theirs


# --- a real lab: a scripted burst of wrong passwords, read back from its own log -------------------------

#: What the scripted attacker tries, one AUTH PLAIN per connection, as the sample's burst does.
GUESSES = [("admin", "admin"), ("alice", "123456"), ("info", "password"), ("alice", "letmein"),
           ("support", "support"), ("alice", "qwerty"), ("test", "test")]


def auth_plain(user: str, password: str) -> str:
    return base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")


@pytest.fixture(scope="module")
def lab_burst():
    """A real lab after the burst, one bad smtplib login() and one good one: (events, transcripts, outcomes)."""
    with LabServer() as lab:
        wire = [dialogue(lab, ["EHLO attacker.example", f"AUTH PLAIN {auth_plain(user, password)}", "QUIT"])
                for user, password in GUESSES]
        outcomes = [send_mail(lab, "alice", "not-wonderland"), send_mail(lab, "alice", "wonderland")]
        yield lab.events, wire, outcomes


def test_a_real_lab_burst_reads_back_as_its_counts(lab_burst):
    events, wire, (bad, good) = lab_burst
    assert [[e.reply.code for e in t.exchanges if e.verb == "AUTH"] for t in wire] == [[535]] * len(GUESSES)
    bad_535s = sum(1 for e in bad.transcript.exchanges if e.reply.code == 535)
    assert bad.code == 535 and bad_535s == 2  # smtplib's login() tried PLAIN, then LOGIN
    assert good.ok
    frame = read_log("\n".join(lab_log_lines(events)) + "\n")
    assert frame.attrs["unparsed"] == 0
    failures = auth_failures(frame)
    assert failures.index.tolist() == ["127.0.0.1"]
    row = failures.loc["127.0.0.1"]
    assert row["failures"] == len(GUESSES) + bad_535s  # one row per 535 on the wire
    assert row["usernames"] == len({user for user, _ in GUESSES}) and row["most_tried"] == "alice"
    refused = frame[frame["event"] == "auth_failed"]
    assert (refused["code"] == 535).all() and (refused["enhanced"] == "5.7.8").all()
    assert refused["mechanism"].tolist() == ["PLAIN"] * len(GUESSES) + ["PLAIN", "LOGIN"]
    totals = event_totals(frame)
    # (the last session's disconnect may still be on its way: the client does not wait for it)
    assert totals["auth_ok"] == 1 and totals["connect"] == len(GUESSES) + 2
    assert bans(frame).loc["127.0.0.1", "banned"]  # 9 failures within seconds: a jail would ban it


def test_fail2ban_counts_the_real_lab_burst_the_same(lab_burst, tmp_path):
    fail2ban = require_tool("fail2ban-regex", "the lab's burst must read the same in the tool administrators use")
    events, _, _ = lab_burst
    path = tmp_path / "lab.log"
    path.write_text("\n".join(lab_log_lines(events, form="rfc3164")) + "\n")
    ours = auth_failures(read_log(path))["failures"].to_dict()
    assert ours == {"127.0.0.1": len(GUESSES) + 2}
    assert fail2ban_counts(fail2ban, path) == ours


# --- the command line ------------------------------------------------------------------------------------

def smtplesson(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "smtplesson", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"}, **kwargs)


def test_cli_prints_the_summary(day_file):
    result = smtplesson("logs", str(day_file), "--top", "3", "--year", "2025")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    out = result.stdout.splitlines()
    assert out[0].startswith(f"{day_file}: 9,444 lines")
    assert "auth_failed 2,677" in out[1]
    table = out[out.index(next(line for line in out if line.startswith("Refused logins"))) + 1:]
    assert table[0].split()[:2] == ["client", "address"] and len(table) == 4
    assert table[1].split()[:2] == ["203.0.113.45", "988"]


def test_cli_json_matches_the_api(day_file):
    result = smtplesson("logs", str(day_file), "--json", "--top", "2", "--year", "2025")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    frame = read_log(day_file, year=2025)
    expected = auth_failures(frame).head(2)
    assert [row["client_ip"] for row in data["auth_failures"]] == expected.index.tolist()
    assert [row["failures"] for row in data["auth_failures"]] == expected["failures"].tolist()
    assert data["totals"] == event_totals(frame) and data["lines"] == frame.attrs["lines"]


def test_cli_in_hindi(day_file):
    result = smtplesson("logs", str(day_file), "--lang", "hi", "--top", "1")
    assert result.returncode == 0 and "पंक्तियाँ" in result.stdout and "203.0.113.45" in result.stdout


def _file(name: str, content: bytes):
    def make(folder: Path) -> Path:
        (folder / name).write_bytes(content)
        return folder / name
    return make


@pytest.mark.parametrize("make, extra", [
    (lambda d: d / "missing.log", []),
    (_file("cut.gz", gzip.compress(b"x" * 5000)[:40]), []),
    (_file("bin", bytes(range(32)) * 100), []),
    (_file("words.txt", b"hello\nworld\n"), []),
    (lambda d: d, []),
    (_file("ok.log", b""), ["--top", "-1"]),
    (_file("ok.log", b""), ["--year", "soon"]),
], ids=["missing", "cut-gzip", "binary", "not-a-log", "folder", "negative-top", "bad-year"])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, make, extra):
    result = smtplesson("logs", str(make(tmp_path)), *extra)
    assert result.returncode == 2, result.stdout
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_cli_progress_bar_only_on_a_terminal(tmp_path):
    import fcntl
    import pty
    import struct
    import termios

    path = write_sample(tmp_path / "long.log", lines=150_000)  # past the 16 MB where the bar starts
    assert path.stat().st_size > 16 << 20
    piped = smtplesson("logs", str(path), "--top", "1")
    assert piped.returncode == 0 and piped.stderr == ""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 wide
    seen = []

    def drain():  # read the terminal while the command runs, so it never blocks on a full buffer
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                return
            if not chunk:
                return
            seen.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    with subprocess.Popen([sys.executable, "-m", "smtplesson", "logs", str(path), "--top", "1"],
                          stdout=subprocess.PIPE, stderr=follower, text=True) as process:
        os.close(follower)
        out, _ = process.communicate(timeout=120)
    reader.join(timeout=10)
    os.close(leader)
    terminal = b"".join(seen)
    assert process.returncode == 0 and "203.0.113.45" in out  # stdout stays clean
    assert b"long.log:" in terminal and b"%|" in terminal and b"18.3M" in terminal


def test_a_log_of_many_chunks_read_on_two_threads_keeps_file_order_counts_and_the_new_year(monkeypatch):
    """Chunks are read two at a time; what carries over (the year, the counts, the examples of
    lines not understood) must still follow the file's order, as a one-thread read gives it."""
    import smtplesson.logs.read as read_module

    december = "Dec 31 23:59:{:02d} mail postfix/smtpd[{}]: connect from unknown[192.0.2.{}]\n"
    january = "Jan  1 00:00:{:02d} mail postfix/smtpd[{}]: disconnect from unknown[192.0.2.{}]\n"
    lines = [december.format(i % 60, i, i % 250 + 1) for i in range(40_000)]
    lines.append("this line is no log line at all\n")
    lines += [january.format(i % 60, i, i % 250 + 1) for i in range(40_000)]
    lines.append("nor is this one\n")
    text = "".join(lines)
    assert len(text.encode()) > 2 * CHUNK  # several chunks, so the threads share them
    monkeypatch.setattr(read_module, "THREADS", 1)
    alone = read_log(text, year=2024)
    monkeypatch.setattr(read_module, "THREADS", 2)
    shared = read_log(text, year=2024)
    pd.testing.assert_frame_equal(shared, alone)
    assert shared.attrs == alone.attrs
    assert shared.attrs["unparsed"] == 2
    assert shared.attrs["unparsed_examples"] == ["this line is no log line at all", "nor is this one"]
    years = shared["time"].dt.year
    assert (years.iloc[:40_000] == 2024).all() and (years.iloc[40_000:] == 2025).all()
    assert shared["pid"].iloc[[0, 39_999, 40_000, -1]].tolist() == [0, 39_999, 0, 39_999]
