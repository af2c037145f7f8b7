"""The line families read_log understands: a cheap test, one RE2 pattern, and what the line means.

Postfix's wording comes from its sources (postfix/src/smtpd/smtpd.c, smtpd_check.c,
smtpd_sasl_proto.c, smtpd_sasl_glue.c, smtp/smtp_proto.c, postscreen/), Dovecot's from
src/auth/auth-request.c, Exim's from src/smtp_in.c. Postfix logs a
refused login only as a warning; smtpd_sasl_proto.c hands every AUTH to smtpd_sasl_glue.c, which
logs the warning and then sends "535 5.7.8 Error: authentication failed: <reason>" (or 454 4.7.0
when the SASL backend failed for the time being), so read_log records the 535 the client saw. Every pattern is RE2 syntax (pyarrow.compute runs them); a pattern
only names the groups read_log keeps: ip, username, mechanism, command, text, reply, qid.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The events a row can carry, in the order the lesson meets them.
EVENTS = ("connect", "auth_failed", "auth_ok", "reject", "sent", "bounced", "deferred",
          "disconnect", "other")

# Postfix writes a client as name[address], optionally :port (smtpd_client_port_logging).
_CLIENT = r"[^\[ ]*\[(?P<ip>[^\]]*)\](?::\d+)?"


@dataclass(frozen=True)
class Family:
    """Lines that start with ``prefix`` (and contain ``needle``) and match ``pattern``."""

    name: str
    event: str
    prefix: str
    pattern: str
    needle: str = ""
    tail: str = ""  # if set: the pattern reads the part before it, the part after is the text
    code: int | None = None  # the reply the server sent, when the line implies it
    enhanced: str | None = None


# --- Postfix lines without a queue ID ------------------------------------------------------------
POSTFIX = (
    Family("connect", "connect", "connect from ", r"^connect from " + _CLIENT),
    Family("disconnect", "disconnect", "disconnect from ", r"^disconnect from " + _CLIENT),
    # smtpd_sasl_glue.c: msg_warn("%s: SASL %.100s authentication failed: %s, sasl_username=%.100s")
    # after which smtpd sends "535 5.7.8 Error: authentication failed: <reason>" (or 454 4.7.0
    # for a temporary failure: see TEMPORARY_REASONS).
    Family("sasl-failed", "auth_failed", "warning: ",
           r"^warning: " + _CLIENT + r": SASL (?P<mechanism>[^ ]+)$",
           needle=" authentication failed: ", tail=" authentication failed: ", code=535, enhanced="5.7.8"),
    # smtpd_sasl_glue.c: the client sent "*": "501 5.7.0 Authentication aborted".
    Family("sasl-aborted", "auth_failed", "warning: ",
           r"^warning: " + _CLIENT + r": SASL (?P<mechanism>\S+) authentication aborted",
           needle=" authentication aborted", code=501, enhanced="5.7.0"),
    # postscreen: "CONNECT from [addr]:port to [addr]:port" and "DISCONNECT [addr]:port"
    Family("postscreen-connect", "connect", "CONNECT from [", r"^CONNECT from \[(?P<ip>[^\]]*)\]"),
    Family("postscreen-disconnect", "disconnect", "DISCONNECT [", r"^DISCONNECT \[(?P<ip>[^\]]*)\]"),
    # smtpd.c: "lost connection after AUTH from ...", "timeout after ...", "too many errors after ..."
    Family("after", "other", "", r"^[a-z][a-z ]* after (?P<command>[A-Z][A-Z-]*)(?: \([^)]*\))? from "
           + _CLIENT, needle=" after "),
    # smtpd_chat.c with debug_peer_list: "> name[addr]: 250 2.0.0 Ok" and "< name[addr]: MAIL FROM:<>"
    Family("chat-reply", "other", "> ", r"^> " + _CLIENT + r": (?P<reply>\d{3}[ -].*)$"),
    Family("chat-command", "other", "< ", r"^< " + _CLIENT + r": (?P<command>\S+)"),
)

#: A line that starts with a queue ID (or NOQUEUE) and ": ".
QUEUE_ID = r"^(?:[0-9A-F]{6,20}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10,20}|NOQUEUE)$"

# --- Postfix lines after "<queue id>: " ----------------------------------------------------------
QUEUED = (
    # smtpd.c: "%s: client=%s, sasl_method=%s, sasl_username=%s" once the client's MAIL is taken.
    # With sasl_method, the client had logged in: smtpd_sasl_glue.c answered "235 2.7.0".
    Family("client", "other", "client=",
           r"^client=" + _CLIENT + r"(?:, sasl_method=(?P<mechanism>[^,]*))?"
           r"(?:, sasl_username=(?P<username>[^,]*))?"),
    # smtpd_check.c log_whatsup: "%s: reject: %s from %s: %s; from=<%s> to=<%s> proto=%s helo=<%s>"
    Family("reject", "reject", "", r"^(?:milter-)?reject: (?P<command>\S+) from " + _CLIENT
           + r": (?P<reply>.*?)(?:;(?: from=<| to=<| proto=| helo=<).*)?$", needle="reject: "),
    # cleanup header/body checks: "reject: header ... from name[addr]; from=<> ...: 5.7.1 text"
    Family("cleanup-reject", "reject", "", r"^(?:milter-)?reject: (?P<command>header|body|"
           r"END-OF-MESSAGE|CONNECT|HELO|MAIL|RCPT|DATA) .* from " + _CLIENT
           + r";.*?: (?P<reply>[245]\.\d{1,3}\.\d{1,3}.*)$", needle="reject: "),
    # delivery agents (smtp, lmtp, local, virtual, pipe, error):
    # "%s: to=<%s>, relay=%s, delay=%s, delays=%s, dsn=%s, status=%s (%s)"
    Family("delivery", "", "to=<",
           r"^to=<[^>]*>,(?: orig_to=<[^>]*>,)? relay=[^,]*,.*? dsn=(?P<dsn>[^,]*), "
           r"status=(?P<status>[a-z]+)(?: \((?P<text>.*)\))?$"),
)

#: smtp_proto.c / smtp_trouble.c: "host %s said: %s (in reply to %s command)".
REMOTE_REPLY = r"^host (?P<host>\S+) said: (?P<reply>.*?)(?: \(in reply to (?P<command>.*) command\))?$"

#: Reasons for which Postfix answers 454 4.7.0 (RFC 4954 §6, temporary failure), not 535:
#: smtpd_sasl_glue.c sends 454 when the SASL backend returns XSASL_AUTH_TEMP, which
#: xsasl_dovecot_server.c does with the first two reasons and xsasl_cyrus_server.c for
#: SASL_FAIL, SASL_NOMEM, SASL_TRYAGAIN and SASL_UNAVAIL (Cyrus's sasl_errstring wording).
TEMPORARY_REASONS = (
    "Connection lost to authentication server",
    "Can't connect to authentication server",
    "generic failure",
    "no memory available",
    "transient failure (e.g., weak key)",
    "remote authentication server unavailable",
)

# --- Dovecot's auth process (auth_verbose = yes) --------------------------------------------------
# "auth: passwd-file(alice,192.0.2.1,<sess>): Password mismatch" (2.3) and
# "auth: passwd-file(alice,192.0.2.1,sasl:plain)<sess>: Password mismatch" (2.4)
DOVECOT_AUTH = (
    # the common 2.3 form, read cheaply: a short pattern before "): ", the verdict after it
    Family("dovecot-auth-fast", "auth_failed", "auth: ",
           r"^auth: (?:Info: )?[\w-]+\((?P<username>[^,()]*),(?P<ip>[^,()]*)(?:,sasl:(?P<mechanism>[\w-]+))?"
           r"[^()]*$", tail="): "),
    Family("dovecot-auth", "auth_failed", "auth",
           r"^auth(?:-worker\(\d+\))?: (?:Info: )?[\w-]+\((?P<username>[^,()]*),(?P<ip>[^,()]*)"
           r"(?:,sasl:(?P<mechanism>[\w-]+))?[^)]*\)(?:<[^>]*>)*: (?:request \[\d+\]: )?"
           r"(?:[\w-]+: )?(?P<text>Password mismatch|unknown user|pam_authenticate\(\) failed: .*)$"),
)
#: What Dovecot's auth process says when it refuses a login.
DOVECOT_VERDICTS = ("Password mismatch", "unknown user", "pam_authenticate() failed")
#: Dovecot services whose lines concern SMTP or SASL; lines of the others (imap, pop3, ...) are skipped.
DOVECOT_SMTP = ("auth", "submission", "lmtp")

# --- Exim's main log -------------------------------------------------------------------------------
#: "2025-11-20 02:13:05[.123] [+0100] [[1234]] rest"
EXIM_LINE = (r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [+-]\d{4})?(?: \[(?P<pid>\d+)\])?"
             r"(?: (?P<rest>.*))?$")
EXIM = (
    # smtp_in.c: "%s authenticator failed for %s: %s", the reply being
    # "535 Incorrect authentication data (set_id=...)" or "435 Unable to authenticate at present"
    Family("exim-auth", "auth_failed", "", r"^(?P<mechanism>\S+) authenticator failed for "
           r"(?:[^\[]*)\[(?P<ip>[^\]]+)\](?::\d+)?(?: I=\S+)?: (?P<reply>\d{3} .*?)"
           r"(?: \(set_id=(?P<username>[^)]*)\))?$", needle=" authenticator failed for "),
    Family("exim-connect", "connect", "SMTP connection from ",
           r"^SMTP connection from (?:[^\[]*)\[(?P<ip>[^\]]+)\].* \(TCP/IP connection count"),
    Family("exim-disconnect", "disconnect", "SMTP connection from ",
           r"^SMTP connection from (?:[^\[]*)\[(?P<ip>[^\]]+)\].* (?:closed by QUIT|lost|closed by DROP)"),
    Family("exim-reject", "reject", "", r"^H=(?:[^\[]*)\[(?P<ip>[^\]]+)\].* rejected "
           r"(?P<command>[A-Z]+)(?: <[^>]*>)?: (?P<text>.*)$", needle=" rejected "),
    # "<id> <= sender H=... [ip] ... A=dovecot_plain:alice ..." (A= only after a successful AUTH)
    Family("exim-received", "other", "",
           r"^(?P<qid>[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}) <= \S+ .*?H=(?:[^\[]*)\[(?P<ip>[^\]]+)\]"
           r"(?:.* A=(?P<mechanism>[^: ]+)(?::(?P<username>\S+))?)?", needle=" <= "),
    # deliveries: "=>" / "->" delivered, "**" failed, "==" deferred
    Family("exim-delivery", "", "",
           r"^(?P<qid>[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}) (?P<status>=>|->|\*>|\*\*|==) (?P<text>.*)$"),
)
#: A line about one message starts with its Exim message ID (old 16-character or new 23-character form).
EXIM_MESSAGE = r"^[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4} "
#: The reply inside an Exim delivery line.
EXIM_CONFIRMED = r' C="(?P<reply>[^"]*)"'
EXIM_ERROR = r"SMTP error from remote mail server after (?P<command>.*?): (?P<reply>\d{3}[ -].*)$"
EXIM_STATUS = {"=>": "sent", "->": "sent", "*>": "sent", "**": "bounced", "==": "deferred"}
