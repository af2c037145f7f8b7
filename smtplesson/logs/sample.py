"""A generated, realistic mail log: days of a small company's Postfix submission server.

Who is who (users, attackers, remote servers) lives in ``data/log-scenario.json``; this module
turns it into log lines as Postfix 3.x, Dovecot 2.3 (``auth_verbose = yes``) and rsyslog write
them, in either timestamp form. The first day is the one the lesson tells; later days (for big
test and bench files) move the same cast around at random. Documentation addresses only.
"""

from __future__ import annotations

import gzip
import io
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterator

#: The two timestamp forms: RFC 3164 ("Nov 20 02:13:05", no year) and ISO 8601 as rsyslog's
#: RSYSLOG_FileFormat writes it ("2025-11-20T02:13:05.123456+01:00").
FORMS = ("rfc3164", "iso")
#: The shipped sample day in each form (package data, gzip).
SAMPLE_FILES = {"rfc3164": "sample-mail.log.gz", "iso": "sample-mail-iso.log.gz"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAY = 86400


@lru_cache(maxsize=None)
def scenario() -> dict:
    """The cast of the generated log (``data/log-scenario.json``)."""
    text = resources.files("smtplesson").joinpath("data", "log-scenario.json").read_text("utf-8")
    return json.loads(text)


def sample_log(form: str = "rfc3164") -> Path:
    """The path of the shipped sample day (``form`` 'rfc3164' or 'iso'); read it with read_log."""
    if form not in SAMPLE_FILES:
        from ..errors import SmtpLessonError

        raise SmtpLessonError(f"unknown log form {form!r}: choose one of {', '.join(FORMS)}",
                              rule="log-form")
    return Path(str(resources.files("smtplesson").joinpath("data", SAMPLE_FILES[form])))


def _seconds(clock: str) -> float:
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    return hours * 3600 + minutes * 60 + seconds


@dataclass(frozen=True)
class _Client:
    name: str
    ip: str

    @property
    def namaddr(self) -> str:
        """Postfix's ``name[address]`` form of a client."""
        return f"{self.name}[{self.ip}]"


class _Day:
    """One day's lines, collected out of order as (second of day, order, text) and sorted at the end."""

    def __init__(self, cast: dict, rng: random.Random, number: int) -> None:
        self.cast = cast
        self.rng = rng
        self.number = number
        self.lines: list[tuple[float, int, str]] = []
        self.qmgr = rng.randint(700, 999)

    # --- small helpers ---------------------------------------------------------------------------
    def add(self, t: float, text: str) -> None:
        self.lines.append((min(t, _DAY - 0.000001), len(self.lines), text))

    def pid(self) -> int:
        return self.rng.randint(1000, 65000)

    def qid(self) -> str:
        return f"{self.rng.getrandbits(40):010X}"

    def msgid(self) -> str:
        return f"{self.rng.getrandbits(64):016x}@{self.cast['server']['domain']}"

    def _first_day(self) -> bool:
        return self.number == 0

    # --- sessions ----------------------------------------------------------------------------------
    def submission(self, t: float, user: str, client: _Client, *, typo: bool = False,
                   restart: bool = False) -> None:
        """A user's client connects on 587, logs in and sends one message."""
        smtpd, rng = f"postfix/submission/smtpd[{self.pid()}]", self.rng
        self.add(t, f"{smtpd}: connect from {client.namaddr}")
        t += 0.2
        self.add(t, f"{smtpd}: Anonymous TLS connection established from {client.namaddr}: "
                    "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)")
        auth = "auth=1"
        if typo:
            t += rng.uniform(2, 5)
            self.add(t - 0.01, f"dovecot: auth: passwd-file({user},{client.ip},<{self.session()}>): "
                               "Password mismatch")
            self.add(t, f"{smtpd}: warning: {client.namaddr}: SASL PLAIN authentication failed: "
                        f"(reason unavailable), sasl_username={user}")
            t += 20
            auth = "auth=1/2"
        if restart:
            t += 1
            self.add(t, f"{smtpd}: warning: {client.namaddr}: SASL PLAIN authentication failed: "
                        "Connection lost to authentication server, sasl_username=(unavailable)")
            t += 0.5
            self.add(t, f"{smtpd}: disconnect from {client.namaddr} ehlo=2 starttls=1 auth=0/1 "
                        "quit=1 commands=4/5")
            t += 60
            smtpd = f"postfix/submission/smtpd[{self.pid()}]"
            self.add(t, f"{smtpd}: connect from {client.namaddr}")
        recipients = self.recipients()
        qid = self.qid()
        t += rng.uniform(0.3, 1.5)
        self.add(t, f"{smtpd}: {qid}: client={client.namaddr}, sasl_method=PLAIN, sasl_username={user}")
        t += 0.1
        self.add(t, f"postfix/cleanup[{self.pid()}]: {qid}: message-id=<{self.msgid()}>")
        size = rng.randint(900, 250_000)
        t += 0.05
        self.add(t, f"postfix/qmgr[{self.qmgr}]: {qid}: from=<{user}>, size={size}, "
                    f"nrcpt={len(recipients)} (queue active)")
        commands = 7 + len(recipients) + (1 if typo else 0)
        self.add(t + 0.02, f"{smtpd}: disconnect from {client.namaddr} ehlo=2 starttls=1 {auth} "
                           f"mail=1 rcpt={len(recipients)} data=1 quit=1 "
                           f"commands={commands if not typo else f'{commands - 1}/{commands}'}")
        self.deliver(t + 0.1, qid, user, size, recipients)

    def session(self) -> str:
        return f"{self.rng.getrandbits(72):018x}"

    def recipients(self) -> list[str]:
        domains = self.cast["remote"]["domains"]
        names = ("dana", "eve", "finn", "gus", "hana", "ivan", "jo", "kim", "lee", "max", "noor")
        return [f"{self.rng.choice(names)}{self.rng.randint(1, 40)}@{self.rng.choice(domains)}"
                for _ in range(1 if self.rng.random() < 0.8 else 2)]

    def deliver(self, t: float, qid: str, sender: str, size: int, recipients: list[str]) -> None:
        """Postfix's smtp client hands the message to each recipient's MX."""
        rng, outcomes = self.rng, self.cast["remote"]["outcomes"]
        pending = 0
        for rcpt in recipients:
            mx = rng.choice(self.cast["remote"]["mx"])
            relay = f"{mx['name']}[{mx['ip']}]"
            smtp = f"postfix/smtp[{self.pid()}]"
            roll, delay = rng.random(), rng.uniform(0.3, 2.5)
            d1, d2 = rng.uniform(0.01, 0.2), rng.uniform(0.1, 0.6)
            timing = f"delay={delay:.1f}, delays={d1:.2f}/0.01/{d2:.2f}/{delay - d1 - d2:.2f}"
            at = t + delay
            if roll < outcomes["sent"]:
                self.add(at, f"{smtp}: {qid}: to=<{rcpt}>, relay={relay}:25, {timing}, dsn=2.0.0, "
                             f"status=sent (250 2.0.0 Ok: queued as {self.qid()})")
            elif roll < outcomes["sent"] + outcomes["bounced"]:
                self.add(at, f"{smtp}: {qid}: to=<{rcpt}>, relay={relay}:25, {timing}, dsn=5.1.1, "
                             f"status=bounced (host {relay} said: 550 5.1.1 <{rcpt}>: Recipient "
                             "address rejected: User unknown in virtual mailbox table "
                             "(in reply to RCPT TO command))")
                self.bounce_notice(at + 0.05, qid, sender)
            else:
                greylisted = roll < outcomes["sent"] + outcomes["bounced"] + outcomes["greylisted"]
                if greylisted:
                    reason = (f"host {relay} said: 451 4.7.1 <{rcpt}>: Recipient address "
                              "rejected: Greylisted, see https://greylist.example.net/ "
                              "(in reply to RCPT TO command)")
                    dsn, shown = "4.7.1", relay + ":25"
                else:
                    reason = f"connect to {relay}:25: Connection timed out"
                    self.add(at + 30, f"{smtp}: {reason}")
                    dsn, shown, at = "4.4.1", "none", at + 30
                self.add(at, f"{smtp}: {qid}: to=<{rcpt}>, relay={shown}, {timing}, dsn={dsn}, "
                             f"status=deferred ({reason})")
                retry = at + rng.uniform(300, 1500)
                self.add(retry, f"postfix/qmgr[{self.qmgr}]: {qid}: from=<{sender}>, size={size}, "
                                "nrcpt=1 (queue active)")
                self.add(retry + 0.8, f"postfix/smtp[{self.pid()}]: {qid}: to=<{rcpt}>, relay={relay}:25, "
                                      f"delay={retry + 0.8 - t:.0f}, delays={retry - t:.0f}/0.01/0.3/0.5, "
                                      f"dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as {self.qid()})")
                pending = max(pending, retry + 1)
        self.add(max(t + 3, pending), f"postfix/qmgr[{self.qmgr}]: {qid}: removed")

    def bounce_notice(self, t: float, qid: str, sender: str) -> None:
        """Postfix tells the sender: a non-delivery notice, delivered to the local mailbox."""
        notice = self.qid()
        self.add(t, f"postfix/cleanup[{self.pid()}]: {notice}: message-id=<{self.msgid()}>")
        self.add(t + 0.01, f"postfix/bounce[{self.pid()}]: {qid}: sender non-delivery notification: {notice}")
        self.add(t + 0.02, f"postfix/qmgr[{self.qmgr}]: {notice}: from=<>, size=4210, nrcpt=1 (queue active)")
        self.lmtp(t + 0.1, notice, sender)
        self.add(t + 0.2, f"postfix/qmgr[{self.qmgr}]: {notice}: removed")

    def lmtp(self, t: float, qid: str, rcpt: str) -> None:
        fqdn = self.cast["server"]["fqdn"]
        self.add(t, f"postfix/lmtp[{self.pid()}]: {qid}: to=<{rcpt}>, relay={fqdn}[private/dovecot-lmtp], "
                    "delay=0.1, delays=0.05/0.01/0.01/0.03, dsn=2.0.0, "
                    f"status=sent (250 2.0.0 <{rcpt}> {self.session()[:22]} Saved)")

    def through_postscreen(self, t: float, client: _Client, verdict: str, passed: float,
                           connected: float) -> str:
        """A client on port 25 let through by postscreen, then taken by smtpd: smtpd's log name."""
        port = self.rng.randint(30000, 65000)
        self.add(t, f"postfix/postscreen[{self.pid()}]: CONNECT from [{client.ip}]:{port} to "
                    f"[{self.cast['server']['address']}]:25")
        self.add(passed, f"postfix/postscreen[{self.pid()}]: {verdict} [{client.ip}]:{port}")
        smtpd = f"postfix/smtpd[{self.pid()}]"
        self.add(connected, f"{smtpd}: connect from {client.namaddr}")
        return smtpd

    def inbound(self, t: float) -> None:
        """A remote MX delivers to a local user on port 25, through postscreen."""
        rng, server = self.rng, self.cast["server"]
        mx = rng.choice(self.cast["remote"]["mx"])
        client = _Client(mx["name"], mx["ip"])
        smtpd = self.through_postscreen(t, client, "PASS OLD", t + 0.01, t + 0.02)
        user = rng.choice(self.cast["users"])["name"]
        sender = f"{rng.choice(('news', 'dana', 'billing', 'noreply'))}@{rng.choice(self.cast['remote']['domains'])}"
        if rng.random() < 0.08:  # a recipient that does not exist here
            local = f"{rng.choice(('sales', 'jobs', 'ceo', 'hr'))}@{server['domain']}"
            self.add(t + 0.4, f"{smtpd}: NOQUEUE: reject: RCPT from {client.namaddr}: 550 5.1.1 <{local}>: "
                              "Recipient address rejected: User unknown in virtual mailbox table; "
                              f"from=<{sender}> to=<{local}> proto=ESMTP helo=<{client.name}>")
            self.add(t + 0.5, f"{smtpd}: disconnect from {client.namaddr} ehlo=1 mail=1 rcpt=0/1 "
                              "quit=1 commands=3/4")
            return
        qid = self.qid()
        self.add(t + 0.3, f"{smtpd}: {qid}: client={client.namaddr}")
        self.add(t + 0.4, f"postfix/cleanup[{self.pid()}]: {qid}: message-id=<{self.msgid()}>")
        self.add(t + 0.45, f"postfix/qmgr[{self.qmgr}]: {qid}: from=<{sender}>, size={rng.randint(2000, 90000)}, "
                           "nrcpt=1 (queue active)")
        self.add(t + 0.5, f"{smtpd}: disconnect from {client.namaddr} ehlo=1 mail=1 rcpt=1 data=1 "
                          "quit=1 commands=5")
        self.lmtp(t + 0.6, qid, user)
        self.add(t + 0.7, f"postfix/qmgr[{self.qmgr}]: {qid}: removed")

    def relay_attempt(self, t: float) -> None:
        """Someone on port 25 tries to send through us to another domain: 554 5.7.1."""
        rng, server = self.rng, self.cast["server"]
        client = _Client("unknown", f"203.0.113.{rng.randint(100, 140)}")
        smtpd = self.through_postscreen(t, client, "PASS NEW", t + 6.1, t + 6.2)
        victim = f"{rng.choice(('office', 'info', 'win'))}{rng.randint(1, 99)}@example.com"
        self.add(t + 6.9, f"{smtpd}: NOQUEUE: reject: RCPT from {client.namaddr}: 554 5.7.1 <{victim}>: "
                          f"Relay access denied; from=<{victim}> to=<{victim}> proto=ESMTP "
                          f"helo=<[{server['address']}]>")
        self.add(t + 7.2, f"{smtpd}: disconnect from {client.namaddr} ehlo=1 mail=1 rcpt=0/1 "
                          "quit=1 commands=3/4")

    def blocklisted(self, t: float) -> None:
        """postscreen turns away a client listed on a DNS blocklist: 550 5.7.1."""
        rng, server = self.rng, self.cast["server"]
        ip = f"192.0.2.{rng.randint(150, 250)}"
        port = rng.randint(30000, 65000)
        screen = f"postfix/postscreen[{self.pid()}]"
        self.add(t, f"{screen}: CONNECT from [{ip}]:{port} to [{server['address']}]:25")
        self.add(t + 0.1, f"{screen}: DNSBL rank 3 for [{ip}]:{port}")
        self.add(t + 6.3, f"{screen}: NOQUEUE: reject: RCPT from [{ip}]:{port}: 550 5.7.1 Service "
                          f"unavailable; client [{ip}] blocked using bl.example.net; "
                          f"from=<promo@example.com>, to=<{rng.choice(self.cast['users'])['name']}>, "
                          "proto=ESMTP, helo=<promo.example.com>")
        self.add(t + 6.5, f"{screen}: DISCONNECT [{ip}]:{port}")

    def no_auth(self, t: float, user: str, client: _Client) -> None:
        """A phone set up without SMTP AUTH: Debian's defer_unauth_destination answers 454 4.7.1."""
        smtpd = f"postfix/submission/smtpd[{self.pid()}]"
        rcpt = self.recipients()[0]
        self.add(t, f"{smtpd}: connect from {client.namaddr}")
        self.add(t + 0.9, f"{smtpd}: NOQUEUE: reject: RCPT from {client.namaddr}: 454 4.7.1 <{rcpt}>: "
                          f"Relay access denied; from=<{user}> to=<{rcpt}> proto=ESMTP helo=<[10.0.0.5]>")
        self.add(t + 1.2, f"{smtpd}: disconnect from {client.namaddr} ehlo=2 starttls=1 mail=1 "
                          "rcpt=0/1 quit=1 commands=5/6")

    def guess(self, t: float, ip: str, mechanism: str, names: list[str]) -> float:
        """One attacker connection: a wrong password per name, then the attacker hangs up."""
        client = _Client("unknown", ip)
        smtpd = f"postfix/submission/smtpd[{self.pid()}]"
        users = {user["name"] for user in self.cast["users"]}
        self.add(t, f"{smtpd}: connect from {client.namaddr}")
        reason = "UGFzc3dvcmQ6" if mechanism == "LOGIN" else "(reason unavailable)"
        for name in names:
            t += self.rng.uniform(0.4, 1.6)
            verdict = "Password mismatch" if name in users else "unknown user"
            self.add(t - 0.01, f"dovecot: auth: passwd-file({name},{ip},<{self.session()}>): {verdict}")
            self.add(t, f"{smtpd}: warning: {client.namaddr}: SASL {mechanism} authentication failed: "
                        f"{reason}, sasl_username={name}")
        t += 0.3
        self.add(t, f"{smtpd}: lost connection after AUTH from {client.namaddr}")
        self.add(t, f"{smtpd}: disconnect from {client.namaddr} ehlo=1 auth=0/{len(names)} "
                    f"commands=1/{len(names) + 1}")
        return t

    def attack(self, attacker: dict) -> None:
        rng = self.rng
        start = _seconds(attacker["start"])
        minutes, rate = attacker["minutes"], attacker["per_minute"]
        if not self._first_day():  # later days: same kinds of attack, at other times
            start = rng.uniform(0, _DAY - minutes * 60 - 60) if minutes < 1400 else rng.uniform(0, 600)
        count = max(1, round(minutes * rate))
        names = self.cast["guessed_names"]
        per_connection = {"burst": 1, "slow": 1, "targeted": 2, "scanner": 3}[attacker["kind"]]
        spacing = minutes * 60 / count
        t, done = start, 0
        while done < count:
            batch = min(per_connection, count - done)
            if attacker["kind"] == "targeted":
                tried = [self.cast["targeted_name"]] * batch
            else:
                tried = [rng.choice(names) for _ in range(batch)]
            self.guess(t, attacker["ip"], attacker["mechanism"], tried)
            done += batch
            t += spacing * batch * rng.uniform(0.7, 1.3)
        if attacker["kind"] == "burst":
            peak = min(int(rate * 1.3), 60)
            self.add(start + minutes * 60 + 400, f"postfix/anvil[{self.pid()}]: statistics: max connection "
                     f"rate {peak}/60s for (submission:{attacker['ip']}) at {self.clock(start + 600)}")

    def clock(self, t: float) -> str:
        return _stamp_3164(self.date, t)

    def imap_noise(self, t: float, user: dict) -> None:
        """Dovecot IMAP logins land in the same file; they are not SMTP, so read_log skips them."""
        self.add(t, f"dovecot: imap-login: Login: user=<{user['name']}>, method=PLAIN, rip={user['ip']}, "
                    f"lip={self.cast['server']['address']}, mpid={self.pid()}, TLS, session=<{self.session()[:16]}>")

    # --- the day -----------------------------------------------------------------------------------
    def build(self, when: date) -> list[str]:
        self.date = when
        rng, cast = self.rng, self.cast
        users = cast["users"]
        first = self._first_day()
        typo, restart, no_auth = cast["typo"], cast["dovecot_restart"], cast["no_auth_client"]
        for user in users:
            client = _Client(user["client"], user["ip"])
            count = user["messages"] if first else max(1, round(user["messages"] * rng.uniform(0.6, 1.3)))
            for _ in range(count):
                self.submission(rng.uniform(7.5 * 3600, 19 * 3600), user["name"], client)
            for _ in range(count // 3):
                self.imap_noise(rng.uniform(7 * 3600, 22 * 3600), user)
        by_name = {user["name"]: user for user in users}
        special = by_name[typo["user"]]
        self.submission(_seconds(typo["at"]) if first else rng.uniform(8 * 3600, 18 * 3600),
                        special["name"], _Client(special["client"], special["ip"]), typo=True)
        special = by_name[restart["user"]]
        if first or rng.random() < 0.2:
            self.submission(_seconds(restart["at"]) if first else rng.uniform(8 * 3600, 18 * 3600),
                            special["name"], _Client(special["client"], special["ip"]), restart=True)
        special = by_name[no_auth["user"]]
        if first or rng.random() < 0.3:
            start = _seconds(no_auth["from"]) if first else rng.uniform(8 * 3600, 18 * 3600)
            for attempt in range(no_auth["attempts"]):
                self.no_auth(start + attempt * 95, special["name"], _Client(special["client"], special["ip"]))
        for attacker in cast["attackers"]:
            if first or rng.random() < 0.85:
                self.attack(attacker)
        remote = cast["remote"]
        for _ in range(remote["inbound_messages"] if first else round(remote["inbound_messages"] * rng.uniform(0.7, 1.3))):
            self.inbound(rng.uniform(0, _DAY - 10))
        for _ in range(remote["relay_attempts"]):
            self.relay_attempt(rng.uniform(0, _DAY - 10))
        for _ in range(remote["blocklisted"]):
            self.blocklisted(rng.uniform(0, _DAY - 10))
        self.lines.sort()
        return self.lines


def _stamp_3164(day: date, t: float) -> str:
    whole = int(t)
    return (f"{_MONTHS[day.month - 1]} {day.day:>2} "
            f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}")


def _stamp_iso(day: date, t: float, offset: str) -> str:
    whole = int(t)
    micro = int((t - whole) * 1_000_000)
    return (f"{day.isoformat()}T{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"
            f".{micro:06d}{offset}")


def sample_lines(*, days: int = 1, form: str = "rfc3164", seed: int = 535,
                 start: date | None = None) -> Iterator[str]:
    """The generated log, line by line (no line ends): ``days`` days from the scenario's start."""
    if form not in FORMS:
        from ..errors import SmtpLessonError

        raise SmtpLessonError(f"unknown log form {form!r}: choose one of {', '.join(FORMS)}",
                              rule="log-form")
    cast = scenario()
    host, offset = cast["server"]["host"], cast["server"]["utc_offset"]
    first = start or date.fromisoformat(cast["server"]["start"])
    for number in range(days):
        when = first + timedelta(days=number)
        day = _Day(cast, random.Random(seed * 1_000_003 + number), number)
        for t, _, text in day.build(when):
            stamp = _stamp_3164(when, t) if form == "rfc3164" else _stamp_iso(when, t, offset)
            yield f"{stamp} {host} {text}"


def write_sample(path: str | Path, *, lines: int | None = None, days: int = 1,
                 form: str = "rfc3164", seed: int = 535) -> Path:
    """Write a generated log to ``path`` (gzip if it ends in .gz): ``lines`` lines, or ``days`` days."""
    path = Path(path)
    with open(path, "wb") as raw:
        # mtime=0 and no file name inside the gzip header: the same log gives the same bytes
        binary = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) if path.suffix == ".gz" else raw
        with io.TextIOWrapper(binary, encoding="utf-8", newline="\n") as out:
            written = 0
            for line in sample_lines(days=days if lines is None else 10**6, form=form, seed=seed):
                out.write(line + "\n")
                written += 1
                if lines is not None and written >= lines:
                    break
    return path


def main() -> None:
    """Write the shipped sample day in both forms into smtplesson/data.

    Run ``python -c "from smtplesson.logs.sample import main; main()"``; tests/test_logs.py checks
    that the shipped files are what the generator writes.
    """
    folder = Path(__file__).resolve().parent.parent / "data"
    for form, name in SAMPLE_FILES.items():
        print(write_sample(folder / name, form=form))

