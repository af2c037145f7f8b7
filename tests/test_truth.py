"""Facts the lesson stands on, written out here from the primary texts, never read from smtplesson/data.

Sources: RFC 5321 §4.2.1-§4.2.5 and §4.3.2, RFC 4954 §4 and §6, RFC 3207 §4-§4.2, RFC 7504,
RFC 7505 §4.1, RFC 3463 §3, and the IANA "SMTP Enhanced Status Codes" registry (last updated
2024-12-06): its XML as mirrored in github.com/larseggert/iana-assignments
(smtp-enhanced-status-codes/smtp-enhanced-status-codes.xml, last changed in commit 401c01fc,
unchanged up to 51d87d79 of 2026-08-22), cross-checked code by code against an older IANA CSV
export (github.com/janpoltan/email-classify, smtp-enhanced-status-codes-3.csv, 2017, which
ends at X.7.28) and against RFC 4954 §6, RFC 6531 §4.2 and RFC 7505 §6 for the codes they register.
A wrong row in the data files fails here, because nothing below is computed from them.
"""

from __future__ import annotations

import csv
import json
import re
from importlib import resources
from pathlib import Path

import pytest

from smtplesson import ReplyParseError, lookup, lookup_enhanced
from smtplesson.catalogue import COMMANDS, all_codes, registered_enhanced_codes
from smtplesson.digits import category, reply_class

ROOT = Path(__file__).resolve().parents[1]

# --- the digits (RFC 5321 §4.2.1) ----------------------------------------------------------------

CLASSES = {2: "positive completion", 3: "positive intermediate",
           4: "transient negative completion", 5: "permanent negative completion"}
CATEGORIES = {0: "syntax", 1: "information", 2: "connections", 3: "unspecified",
              4: "unspecified", 5: "mail system"}


@pytest.mark.parametrize("first", sorted(CLASSES))
def test_the_four_reply_classes(first):
    for code in (first * 100, first * 100 + 55, first * 100 + 9):
        assert reply_class(code) == CLASSES[first]
        assert lookup(code).reply_class == CLASSES[first]


@pytest.mark.parametrize("second", sorted(CATEGORIES))
def test_the_six_categories(second):
    for code in (200 + second * 10, 500 + second * 10 + 9):
        assert category(code) == CATEGORIES[second]
        assert lookup(code).category == CATEGORIES[second]


# --- the codes the lesson centres on -------------------------------------------------------------

#: code: (words the name must hold, words it must not hold, class, commands it must answer,
#:        commands it must never answer, the only commands it may answer (None: no limit))
KEY_CODES = {
    250: (("requested", "action"), ("auth", "login", "delivered"), 2,
          {"EHLO", "HELO", "MAIL", "RCPT", "END-OF-DATA", "RSET", "NOOP", "VRFY", "EXPN"},
          {"AUTH", "DATA", "QUIT", "CONNECT"}, None),
    235: (("authentication", "succeeded"), ("invalid",), 2, {"AUTH"}, set(), {"AUTH"}),
    334: (("challenge",), (), 3, {"AUTH"}, set(), {"AUTH"}),
    354: (("start", "mail", "input"), (), 3, {"DATA"}, set(), {"DATA"}),
    421: (("not available", "closing"), (), 4, {"ANY"}, set(), None),
    454: (("temporary",), ("invalid",), 4, {"AUTH", "STARTTLS"}, {"MAIL", "END-OF-DATA"}, None),
    530: (("authentication", "required"), ("invalid", "credentials"), 5,
          {"MAIL", "RCPT", "DATA"}, {"EHLO", "QUIT", "NOOP", "STARTTLS"}, None),
    534: (("too weak",), ("invalid",), 5, {"AUTH"}, set(), {"AUTH"}),
    535: (("credentials", "invalid"), ("succeeded", "required"), 5, {"AUTH"}, set(), {"AUTH"}),
    538: (("encryption", "required"), (), 5, {"AUTH"}, set(), {"AUTH"}),
    550: (("mailbox", "unavailable"), (), 5, {"MAIL", "RCPT", "END-OF-DATA"}, {"QUIT"}, None),
    554: (("transaction", "failed"), (), 5, {"CONNECT", "DATA", "END-OF-DATA"}, {"QUIT"}, None),
}


@pytest.mark.parametrize("code", sorted(KEY_CODES))
def test_key_code_name_class_and_commands(code):
    words, not_words, first, must, never, only = KEY_CODES[code]
    entry = lookup(code)
    name = entry.name.lower()
    for word in words:
        assert word in name, f"{code}'s name {entry.name!r} lacks {word!r}"
    for word in not_words:
        assert word not in name, f"{code}'s name {entry.name!r} says {word!r}"
    assert entry.reply_class == CLASSES[first]
    assert must <= set(entry.commands), f"{code} must answer {must - set(entry.commands)}"
    assert not never & set(entry.commands), f"{code} never answers {never & set(entry.commands)}"
    if only is not None:
        assert set(entry.commands) == only


@pytest.mark.parametrize("code, command, vendor", [
    (454, "RCPT", "Postfix"),     # 454 4.7.1 <addr>: Relay access denied (defer_unauth_destination)
    (550, "AUTH", "Microsoft"),   # 550 5.7.30 Basic authentication is not supported ...
    (553, "AUTH", "Exim"),        # 553 Initial data not expected
])
def test_vendor_uses_of_a_command_are_marked(code, command, vendor):
    entry = lookup(code)
    assert command in entry.commands and command in entry.vendor_commands
    assert f"Vendor-specific ({vendor})" in entry.note or f"Vendor use ({vendor})" in entry.when_you_see_it
    assert vendor in entry.note


def test_smtplib_one_to_three_535s():
    note = lookup(535).note
    assert "CRAM-MD5, PLAIN, LOGIN" in note and "one to three" in note
    assert "PLAIN, then LOGIN, so one bad login shows two" not in note


def test_535_fix_names_each_cause_of_5_7_139():
    fix = lookup(535).how_to_fix
    for cause in ("credentials were incorrect", "basic authentication is disabled",
                  "SmtpClientAuthentication", "security defaults"):
        assert cause in fix
    assert "OAuth" in fix and "Graph" in fix


def test_530_is_decided_by_the_command_not_the_text():
    fix = lookup(530).how_to_fix
    assert "command it answered" in fix and "RFC 5321 §4.2" in fix
    assert "a 530 to AUTH can only mean 'start TLS first'" in fix


def test_after_starttls_ehlo_is_should_and_forgetting_is_must():
    fix = lookup(220).how_to_fix
    assert "must forget" in fix and "should send EHLO again" in fix and "RFC 3207 §4.2" in fix


def test_smtpconnecterror_comes_only_from_the_constructor():
    note = lookup(220).note
    assert "only when its constructor connects" in note and "connect() called on its own" in note


def test_554_covers_greeting_content_and_lack_of_security():
    entry = lookup(554)
    assert "no SMTP service here" in entry.meaning and "content" in entry.meaning
    assert "lack of security" in entry.meaning and "RFC 3207 §4.1" in entry.rfc


def test_exim_bare_auth_plain_depends_on_configuration():
    assert "depends on its configuration" in lookup(535).note
    assert "also sent to a bare 'AUTH PLAIN'" not in lookup(535).note


def test_enhanced_code_given_as_reply_code_points_to_lookup_enhanced():
    with pytest.raises(ReplyParseError) as caught:
        lookup("5.7.8")
    assert "lookup_enhanced" in str(caught.value) and caught.value.rule == "three-digits"


# --- enhanced codes the lesson uses --------------------------------------------------------------

def test_5_7_8_credentials_refused():
    entry = lookup_enhanced("5.7.8")
    assert entry.registered and entry.title == "Authentication credentials invalid"
    assert "credentials" in entry.meaning and "AUTH" in entry.meaning
    assert "succeed" not in entry.meaning.lower() and entry.basic_codes == (535, 554)


def test_5_7_0_generic_security():
    entry = lookup_enhanced("5.7.0")
    assert entry.registered and entry.title == "Other or undefined security status"
    assert "no more detail" in entry.meaning and "530" in entry.meaning


def test_5_7_9_too_weak_and_gmail_fits_it():
    entry = lookup_enhanced("5.7.9")
    assert entry.registered and entry.title == "Authentication mechanism is too weak"
    assert "weaker" in entry.meaning and "fits" in entry.meaning
    assert not entry.vendor, "Google's 5.7.9 fits the registry meaning: not a vendor reuse"
    assert "app password" in entry.advice


def test_5_7_11_needs_encryption():
    entry = lookup_enhanced("5.7.11")
    assert entry.registered and "encrypted" in entry.meaning and 538 in entry.basic_codes
    assert "STARTTLS" in entry.advice


def test_5_7_13_account_disabled_is_not_a_password_problem():
    entry = lookup_enhanced("5.7.13")
    assert entry.registered and entry.title == "User Account Disabled"
    assert "disabled" in entry.meaning and entry.basic_codes == (525,)
    assert "re-enables" in entry.advice and "Do not ask for the password again" in entry.advice


def test_5_7_14_is_a_google_reuse():
    entry = lookup_enhanced("5.7.14")
    assert entry.registered and entry.title == "Trust relationship required"
    assert entry.vendor == "Google" and "reuses" in entry.vendor_meaning
    assert entry.rfc.startswith("RFC 5248 §2.4")


def test_5_7_139_is_microsoft_only_with_several_meanings():
    entry = lookup_enhanced("5.7.139")
    assert not entry.registered and entry.listed and entry.vendor == "Microsoft"
    assert "Not in the IANA registry" in entry.meaning and entry.title == ""
    for cause in ("credentials were incorrect", "basic authentication is disabled",
                  "SmtpClientAuthentication", "security defaults"):
        assert cause in entry.vendor_meaning and cause in entry.advice
    assert "server's own" not in entry.meaning


def test_5_7_30_is_requiretls_and_microsofts_login_reuse():
    entry = lookup_enhanced("5.7.30")
    assert entry.registered and "REQUIRETLS" in entry.title and entry.vendor == "Microsoft"
    assert "Basic authentication" in entry.vendor_meaning


# --- the whole IANA registry ---------------------------------------------------------------------

#: Every enumerated code of the registry: (code, sample text, associated basic codes, references).
REGISTRY = [
    ("X.0.0", "Other undefined Status", (), ("RFC 3463",)),
    ("X.1.0", "Other address status", (), ("RFC 3463",)),
    ("X.1.1", "Bad destination mailbox address", (451, 550), ("RFC 3463",)),
    ("X.1.2", "Bad destination system address", (), ("RFC 3463",)),
    ("X.1.3", "Bad destination mailbox address syntax", (501,), ("RFC 3463",)),
    ("X.1.4", "Destination mailbox address ambiguous", (), ("RFC 3463",)),
    ("X.1.5", "Destination address valid", (250,), ("RFC 3463",)),
    ("X.1.6", "Destination mailbox has moved, No forwarding address", (), ("RFC 3463",)),
    ("X.1.7", "Bad sender's mailbox address syntax", (), ("RFC 3463",)),
    ("X.1.8", "Bad sender's system address", (451, 501), ("RFC 3463",)),
    ("X.1.9", "Message relayed to non-compliant mailer", (), ("RFC 3886",)),
    ("X.1.10", "Recipient address has null MX", (556,), ("RFC 7505", "RFC 7504")),
    ("X.2.0", "Other or undefined mailbox status", (), ("RFC 3463",)),
    ("X.2.1", "Mailbox disabled, not accepting messages", (), ("RFC 3463",)),
    ("X.2.2", "Mailbox full", (552,), ("RFC 3463",)),
    ("X.2.3", "Message length exceeds administrative limit", (552,), ("RFC 3463",)),
    ("X.2.4", "Mailing list expansion problem", (450, 452), ("RFC 3463",)),
    ("X.3.0", "Other or undefined mail system status", (221, 250, 421, 451, 550, 554), ("RFC 3463",)),
    ("X.3.1", "Mail system full", (452,), ("RFC 3463",)),
    ("X.3.2", "System not accepting network messages", (453, 521), ("RFC 3463", "RFC 7504")),
    ("X.3.3", "System not capable of selected features", (), ("RFC 3463",)),
    ("X.3.4", "Message too big for system", (552, 554), ("RFC 3463",)),
    ("X.3.5", "System incorrectly configured", (), ("RFC 3463",)),
    ("X.3.6", "Requested priority was changed", (250, 251), ("RFC 6710",)),
    ("X.4.0", "Other or undefined network or routing status", (), ("RFC 3463",)),
    ("X.4.1", "No answer from host", (451,), ("RFC 3463",)),
    ("X.4.2", "Bad connection", (421,), ("RFC 3463",)),
    ("X.4.3", "Directory server failure", (451, 550), ("RFC 3463",)),
    ("X.4.4", "Unable to route", (), ("RFC 3463",)),
    ("X.4.5", "Mail system congestion", (451,), ("RFC 3463",)),
    ("X.4.6", "Routing loop detected", (), ("RFC 3463",)),
    ("X.4.7", "Delivery time expired", (), ("RFC 3463",)),
    ("X.5.0", "Other or undefined protocol status",
     (220, 250, 251, 252, 253, 451, 452, 454, 458, 459, 501, 502, 503, 554), ("RFC 3463",)),
    ("X.5.1", "Invalid command", (430, 500, 501, 503, 530, 550, 554, 555), ("RFC 3463",)),
    ("X.5.2", "Syntax error", (500, 501, 502, 550, 555), ("RFC 3463",)),
    ("X.5.3", "Too many recipients", (451,), ("RFC 3463",)),
    ("X.5.4", "Invalid command arguments", (451, 501, 502, 503, 504, 550, 555), ("RFC 3463",)),
    ("X.5.5", "Wrong protocol version", (), ("RFC 3463",)),
    ("X.5.6", "Authentication Exchange line is too long", (500,), ("RFC 4954",)),
    ("X.6.0", "Other or undefined media error", (), ("RFC 3463",)),
    ("X.6.1", "Media not supported", (), ("RFC 3463",)),
    ("X.6.2", "Conversion required and prohibited", (), ("RFC 3463",)),
    ("X.6.3", "Conversion required but not supported", (554,), ("RFC 3463",)),
    ("X.6.4", "Conversion with loss performed", (250,), ("RFC 3463",)),
    ("X.6.5", "Conversion Failed", (), ("RFC 3463",)),
    ("X.6.6", "Message content not available", (554,), ("RFC 4468",)),
    ("X.6.7", "Non-ASCII addresses not permitted for that sender/recipient", (553, 550), ("RFC 6531",)),
    ("X.6.8", "UTF-8 string reply is required, but not permitted by the SMTP client",
     (252, 553, 550), ("RFC 6531",)),
    ("X.6.9", "UTF-8 header message cannot be transferred to one or more recipients, so the "
              "message must be rejected", (550,), ("RFC 6531",)),
    ("X.6.10", "", (), ("RFC 6531",)),  # the registry gives no text: a deprecated duplicate of X.6.8
    ("X.7.0", "Other or undefined security status",
     (220, 235, 450, 454, 500, 501, 503, 504, 530, 535, 550), ("RFC 3463",)),
    ("X.7.1", "Delivery not authorized, message refused", (451, 454, 502, 503, 533, 550, 551), ("RFC 3463",)),
    ("X.7.2", "Mailing list expansion prohibited", (550,), ("RFC 3463",)),
    ("X.7.3", "Security conversion required but not possible", (), ("RFC 3463",)),
    ("X.7.4", "Security features not supported", (504,), ("RFC 3463",)),
    ("X.7.5", "Cryptographic failure", (), ("RFC 3463",)),
    ("X.7.6", "Cryptographic algorithm not supported", (), ("RFC 3463",)),
    ("X.7.7", "Message integrity failure", (), ("RFC 3463",)),
    ("X.7.8", "Authentication credentials invalid", (535, 554), ("RFC 4954",)),
    ("X.7.9", "Authentication mechanism is too weak", (534,), ("RFC 4954",)),
    ("X.7.10", "Encryption Needed", (523,), ("RFC 5248",)),
    ("X.7.11", "Encryption required for requested authentication mechanism", (524, 538), ("RFC 4954",)),
    ("X.7.12", "A password transition is needed", (422, 432), ("RFC 4954",)),
    ("X.7.13", "User Account Disabled", (525,), ("RFC 5248",)),
    ("X.7.14", "Trust relationship required", (535, 554), ("RFC 5248",)),
    ("X.7.15", "Priority Level is too low", (450, 550), ("RFC 6710",)),
    ("X.7.16", "Message is too big for the specified priority", (552,), ("RFC 6710",)),
    ("X.7.17", "Mailbox owner has changed", (), ("RFC 7293",)),
    ("X.7.18", "Domain owner has changed", (), ("RFC 7293",)),
    ("X.7.19", "RRVS test cannot be completed", (), ("RFC 7293",)),
    ("X.7.20", "No passing DKIM signature found", (550,), ("RFC 7372", "RFC 6376")),
    ("X.7.21", "No acceptable DKIM signature found", (550,), ("RFC 7372", "RFC 6376")),
    ("X.7.22", "No valid author-matched DKIM signature found", (550,), ("RFC 7372", "RFC 6376")),
    ("X.7.23", "SPF validation failed", (550,), ("RFC 7372", "RFC 7208")),
    ("X.7.24", "SPF validation error", (451, 550), ("RFC 7372", "RFC 7208")),
    ("X.7.25", "Reverse DNS validation failed", (550,), ("RFC 7372",)),
    ("X.7.26", "Multiple authentication checks failed", (550,), ("RFC 7372",)),
    ("X.7.27", "Sender address has null MX", (550,), ("RFC 7505",)),
    ("X.7.28", "Mail flood detected", (), ("draft-levine-mailbomb-header-00",)),
    ("X.7.29", "ARC validation failure", (550,), ("RFC 8617",)),
    ("X.7.30", "REQUIRETLS support required", (550,), ("RFC 8689",)),
]

#: Where each code is defined, section included, read from the RFC texts (RFC 3463 §3.1-§3.8 by
#: subject; the others from the registering document). Codes missing here follow RFC 3463.
DEFINED_IN = {
    "X.1.9": "RFC 3886 §3.3.4", "X.1.10": "RFC 7505 §4.1", "X.3.6": "RFC 6710",
    "X.5.6": "RFC 4954 §6", "X.6.6": "RFC 4468 §5", "X.6.7": "RFC 6531 §3.5",
    "X.6.8": "RFC 6531 §3.7.4.2", "X.6.9": "RFC 6531 §3.5", "X.6.10": "RFC 6531 §4.2",
    "X.7.8": "RFC 4954 §6", "X.7.9": "RFC 4954 §6", "X.7.10": "RFC 5248 §2.4",
    "X.7.11": "RFC 4954 §6", "X.7.12": "RFC 4954 §6", "X.7.13": "RFC 5248 §2.4",
    "X.7.14": "RFC 5248 §2.4", "X.7.15": "RFC 6710", "X.7.16": "RFC 6710", "X.7.17": "RFC 7293",
    "X.7.18": "RFC 7293", "X.7.19": "RFC 7293", "X.7.20": "RFC 7372 §3.1",
    "X.7.21": "RFC 7372 §3.1", "X.7.22": "RFC 7372 §3.1", "X.7.23": "RFC 7372 §3.2",
    "X.7.24": "RFC 7372 §3.2", "X.7.25": "RFC 7372 §3.3", "X.7.26": "RFC 7372 §3.4",
    "X.7.27": "RFC 7505 §4.1", "X.7.28": "draft-levine-mailbomb-header-00", "X.7.29": "RFC 8617",
    "X.7.30": "RFC 8689",
}
RFC3463_SECTION = {str(subject): f"RFC 3463 §3.{subject + 1}" for subject in range(8)}


def test_registry_list_is_whole():
    assert len(REGISTRY) == 81 and len({code for code, *_ in REGISTRY}) == 81


@pytest.mark.parametrize("code, title, basic, references", REGISTRY, ids=[r[0] for r in REGISTRY])
def test_every_registered_code_is_in_the_catalogue(code, title, basic, references):
    for klass in (2, 4, 5):
        entry = lookup_enhanced(code.replace("X", str(klass), 1))
        assert entry.registered and entry.listed, f"{code} is missing"
        assert entry.registry_code == code
        assert entry.title == title
        assert entry.basic_codes == basic
        assert entry.meaning.strip() and "server's own" not in entry.meaning
        assert entry.rfc.startswith(references[0]), f"{code} cites {entry.rfc}, registry {references}"
        defined = DEFINED_IN.get(code) or RFC3463_SECTION[code.split(".")[1]]
        assert defined in entry.rfc, f"{code} should cite {defined}, not {entry.rfc}"


def test_the_catalogue_registers_no_code_the_registry_lacks():
    assert set(registered_enhanced_codes()) == {code for code, *_ in REGISTRY}


@pytest.mark.parametrize("code", ["5.7.139", "5.7.57", "5.7.60", "5.2.252"])
def test_microsoft_codes_outside_the_registry_stay_vendor_only(code):
    entry = lookup_enhanced(code)
    assert not entry.registered and entry.listed and entry.vendor == "Microsoft"
    assert entry.meaning.startswith("Not in the IANA registry") and entry.advice


@pytest.mark.parametrize("code", ["5.7.99", "4.4.8", "2.9.1", "5.1.11", "5.7.31"])
def test_only_unregistered_codes_are_the_servers_own(code):
    entry = lookup_enhanced(code)
    assert not entry.registered and not entry.listed
    assert "not in the IANA registry" in entry.meaning and "server's own" in entry.meaning


# --- each catalogue row's references exist for that code (issue 12 §5) ---------------------------

_R5321 = {211, 214, 220, 221, 250, 251, 252, 354, 421, 450, 451, 452, 455,
          500, 501, 502, 503, 504, 550, 551, 552, 553, 554, 555}
#: (RFC, section) -> the reply codes that section really defines or uses, read from the RFC texts.
SECTIONS = {
    ("RFC 5321", "3.1"): {220, 503, 554},           # 554 instead of 220, 503 to what follows
    ("RFC 5321", "3.4"): {251, 551},
    ("RFC 5321", "3.5.3"): {250, 252},
    ("RFC 5321", "3.8"): {221, 421},
    ("RFC 5321", "4.2"): {220, 221, 251, 421, 551},  # the Greeting ABNF and the codes whose text counts
    ("RFC 5321", "4.2.2"): _R5321,
    ("RFC 5321", "4.2.3"): _R5321,
    ("RFC 5321", "4.2.4"): {500, 502},
    ("RFC 5321", "4.2.5"): {250},
    ("RFC 5321", "4.3.2"): _R5321,                   # every one of them appears in the table
    ("RFC 5321", "4.5.3.1.10"): {452, 552},
    ("RFC 4954", "4"): {235, 334, 501, 503, 504, 535},
    ("RFC 4954", "4.1"): {235, 334},
    ("RFC 4954", "6"): {235, 432, 454, 500, 530, 534, 535, 538},
    ("RFC 4954", "8"): {334},
    ("RFC 3207", "4"): {220, 454, 501, 530},
    ("RFC 3207", "4.1"): {554},
    ("RFC 3207", "4.2"): {220},
    ("RFC 7504", "3"): {521},
    ("RFC 7504", "4"): {556},
    ("RFC 7505", "4.1"): {556},
}


def _references(rfc: str) -> list[tuple[str, str]]:
    pairs = []
    for part in rfc.split(";"):
        match = re.fullmatch(r"\s*(RFC \d+)\s+(§.*?)\s*", part)
        assert match, f"cannot read reference {part!r}"
        for section in re.findall(r"§([\d.]+)", match.group(2)):
            pairs.append((match.group(1), section))
    return pairs


@pytest.mark.parametrize("entry", all_codes(), ids=lambda e: str(e.code))
def test_each_reference_names_a_section_that_defines_the_code(entry):
    pairs = _references(entry.rfc)
    assert pairs, f"{entry.code} names no section"
    for pair in pairs:
        assert pair in SECTIONS, f"{entry.code}: {pair} is not in the reference table"
        assert entry.code in SECTIONS[pair], f"{entry.code}: {pair[0]} §{pair[1]} does not define it"


#: Which commands each code answers under the RFCs (RFC 5321 §4.3.2, RFC 4954 §4/§6,
#: RFC 3207 §4/§4.1, RFC 7504 §3/§4), in the catalogue's command tokens.
_EVERY = set(COMMANDS) - {"ANY"}
RFC_COMMANDS: dict[int, set[str]] = {}
for _command, _codes in {
    "CONNECT": {220, 554}, "EHLO": {250, 504, 550, 502}, "HELO": {250, 504, 550, 502},
    "MAIL": {250, 552, 451, 452, 550, 553, 503, 455, 555},
    "RCPT": {250, 251, 550, 551, 552, 553, 450, 451, 452, 503, 455, 555},
    "DATA": {354, 503, 554}, "END-OF-DATA": {250, 552, 554, 451, 452, 450, 550},
    "RSET": {250}, "VRFY": {250, 251, 252, 550, 551, 553, 502, 504},
    "EXPN": {250, 252, 550, 500, 502, 504}, "HELP": {211, 214, 502, 504}, "NOOP": {250},
    "QUIT": {221}, "ANY": {500, 501, 421},
    "AUTH": {235, 334, 432, 454, 500, 501, 503, 504, 534, 535, 538},   # RFC 4954 §4, §6
    "STARTTLS": {220, 501, 454},                                        # RFC 3207 §4
}.items():
    for _code in _codes:
        RFC_COMMANDS.setdefault(_code, set()).add(_command)
RFC_COMMANDS[530] = (_EVERY - {"CONNECT", "END-OF-DATA"}) - {"EHLO", "NOOP", "STARTTLS", "QUIT"}  # RFC 3207 §4
RFC_COMMANDS[530] |= _EVERY - {"CONNECT", "END-OF-DATA", "AUTH", "EHLO", "HELO", "NOOP", "RSET", "QUIT"}  # 4954 §6
RFC_COMMANDS[554] |= _EVERY - {"QUIT"}                                      # RFC 3207 §4.1
RFC_COMMANDS[521] = {"CONNECT"}                                             # RFC 7504 §3
RFC_COMMANDS[556] = {"RCPT"}                                                # RFC 7504 §4


@pytest.mark.parametrize("entry", all_codes(), ids=lambda e: str(e.code))
def test_commands_follow_the_rfc_tables_and_vendor_uses_are_marked(entry):
    rfc = RFC_COMMANDS[entry.code]
    listed = set(entry.commands)
    vendor = set(entry.vendor_commands)
    assert vendor <= listed
    assert listed - vendor <= rfc, f"{entry.code} claims {listed - vendor - rfc} without an RFC"
    assert not vendor & rfc, f"{entry.code} marks RFC commands {vendor & rfc} as vendor use"
    if vendor:
        assert re.search(r"Vendor-specific|Vendor use|In practice", entry.note + entry.when_you_see_it)
    table_5321 = {c for c, codes in {"CONNECT": {220, 554}, "QUIT": {221}, "DATA": {354}}.items()
                  if entry.code in codes}
    assert table_5321 <= listed


# --- texts never contradict the catalogue on which commands a code answers (issue 12 §5) ----------

_COMMAND_WORDS = [
    (r"MAIL FROM", "MAIL"), (r"RCPT TO", "RCPT"),
    (r"(?:the )?final dot|(?:the )?end of DATA|the lone dot|the dot", "END-OF-DATA"),
    (r"the greeting|the opening of the connection|the connection opening", "CONNECT"),
    (r"any command", "ANY"),
    (r"STARTTLS", "STARTTLS"), (r"AUTH", "AUTH"), (r"EHLO", "EHLO"), (r"HELO", "HELO"),
    (r"DATA", "DATA"), (r"RSET", "RSET"), (r"NOOP", "NOOP"), (r"VRFY", "VRFY"), (r"EXPN", "EXPN"),
    (r"HELP", "HELP"), (r"QUIT", "QUIT"), (r"MAIL", "MAIL"), (r"RCPT", "RCPT"),
]
_COMMAND_RE = re.compile("|".join(f"(?P<c{i}>{pattern})(?![A-Z-])"
                                  for i, (pattern, _) in enumerate(_COMMAND_WORDS)))
_JOINER = re.compile(r"\s*(?:,|\band\b|\bor\b|\balso\b|\bthe\b|\bcommands?\b|\bitself\b)\s*")
_CODE = r"(?<![\d.])(?P<code>[2-5]\d\d)(?![\d.])"
_BRIDGE = r"(?P<bridge>(?:\s+\d\.\d{1,3}\.\d{1,3})?[^.;:!?\d'\"]{0,60}?)"
_CLAIM = re.compile(_CODE + _BRIDGE + r"\b(?P<verb>answers|answer|comes\s+(?:only\s+)?after)\s+"
                    r"(?P<only>only\s+(?:ever\s+)?|exactly one,?\s+)?")
_PAIR = re.compile(r"(?<![\d.])([2-5]\d\d) and ([2-5]\d\d) (never|can|both)?\s*answers? the same command")


def _command_run(text: str) -> tuple[list[str], str]:
    """The commands named at the start of ``text`` (joined by commas, and, or), and what follows."""
    found, pos = [], 0
    while True:
        joiner = _JOINER.match(text, pos)
        start = joiner.end() if joiner else pos
        match = _COMMAND_RE.match(text, start)
        if not match:
            return found, text[pos:]
        index = int(match.lastgroup[1:])
        found.append(_COMMAND_WORDS[index][1])
        pos = match.end()


def claims(sentence: str) -> list[tuple[str, int, set[str]]]:
    """The claims a sentence makes about which commands a code answers: (kind, code, commands).

    kind is "answers" (each named command), "only" (exactly these), "never" (none of these),
    "same" or "disjoint" (for "X and Y (never) answer the same command").
    """
    text = re.sub(r"\s*\([^()]*\)", "", sentence.replace("`", "").replace("*", ""))
    found = []
    for match in _PAIR.finditer(text):
        kind = "disjoint" if match.group(3) == "never" else "same"
        found.append((kind, int(match.group(1)), {match.group(2)}))
    for match in _CLAIM.finditer(text):
        bridge = match.group("bridge")
        if re.search(r"\b(that|which|when|where|if|as|than|to|of|the server|client)\b", bridge):
            continue  # the code is not the subject of the verb
        commands, after = _command_run(text[match.end():])
        if not commands:
            continue
        negative = re.search(r"\b(never|not)\b", bridge)
        exclusive = (match.group("only") or re.search(r"\bonly\b", bridge)
                     or re.match(r"\s*only\b", after))
        kind = "never" if negative else "only" if exclusive else "answers"
        found.append((kind, int(match.group("code")), set(commands)))
    return found


def contradictions(sentence: str) -> list[str]:
    """What in ``sentence`` contradicts the catalogue's commands column, in words."""
    problems = []
    for kind, code, named in claims(sentence):
        entry = lookup(code)
        if not entry.defined:
            continue
        answers = set(entry.commands)
        if kind in ("same", "disjoint"):
            other = set(lookup(int(next(iter(named)))).commands)
            overlap = answers & other
            if (kind == "same") != bool(overlap):
                problems.append(f"{code} and {next(iter(named))} {kind}: catalogue overlap {overlap}")
        elif kind == "answers" and not (named <= answers or "ANY" in answers):
            problems.append(f"{code} does not answer {named - answers} (catalogue: {sorted(answers)})")
        elif kind == "only" and named != answers:
            problems.append(f"{code} answers {sorted(answers)}, not only {sorted(named)}")
        elif kind == "never" and named & answers:
            problems.append(f"{code} does answer {named & answers}")
    return problems


def _sentences(text: str) -> list[str]:
    parts = []
    for line in text.splitlines():
        parts += re.split(r"(?<=[.!?])\s+(?=[A-Z0-9`*'\"(])", line.strip(" -#>"))
    return [part for part in parts if part]


def _sources() -> dict[str, list[str]]:
    """Every English text that makes claims: contrasts, the quiz's true statements, codes.csv,
    and the markdown of each notebook present now."""
    data = resources.files("smtplesson").joinpath("data")
    texts: dict[str, list[str]] = {}
    contrasts = json.loads(data.joinpath("contrasts.json").read_text("utf-8"))
    texts["contrasts.json"] = [v for pair in contrasts.values() for v in pair["en"].values()]
    quiz = json.loads(data.joinpath("quiz.json").read_text("utf-8"))
    quiz_texts = []
    for question in quiz["questions"]:
        quiz_texts += [question.get("prompt", ""), question.get("explanation", "")]
        for option in question["options"]:
            quiz_texts.append(option.get("why", ""))
            if option.get("correct"):          # a wrong option is wrong on purpose
                quiz_texts.append(option["text"])
    texts["quiz.json"] = quiz_texts
    rows = csv.DictReader(data.joinpath("codes.csv").read_text("utf-8").splitlines())
    texts["codes.csv"] = [row[key] for row in rows
                          for key in ("meaning", "when_you_see_it", "how_to_fix", "note")]
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text("utf-8"))["cells"]
        texts[path.name] = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown"]
    return texts


def _findings(texts: list[str]) -> list[str]:
    return [f"{sentence!r}: {problem}" for text in texts for sentence in _sentences(text)
            for problem in contradictions(sentence)]


@pytest.mark.parametrize("source", sorted(_sources()))
def test_texts_agree_with_the_catalogue_on_commands(source):
    findings = _findings(_sources()[source])
    assert not findings, "\n".join(findings)


@pytest.mark.parametrize("sentence, bad", [
    ("535 answers only AUTH.", False),
    ("535 is a 5yz permanent negative completion that answers only AUTH: the credentials were refused.", False),
    ("250 answers many commands; 535 answers exactly one, AUTH.", False),
    ("530 usually answers MAIL FROM, RCPT TO or DATA; 535 only ever answers AUTH.", False),
    ("250 and 535 never answer the same command.", False),
    ("421 can answer any command.", False),
    ("530 usually answers MAIL FROM, RCPT TO or DATA; 535 only ever answers AUTH.", False),
    ("454 answers only AUTH (temporary authentication failure) or STARTTLS (TLS not available), "
     "and the server does not announce that it is closing.", True),
    ("The code that answers the same command as 535 is 235.", False),
    ("535 answers MAIL FROM when the password is wrong.", True),
    ("454 answers only AUTH or STARTTLS.", True),
    ("250 and 550 never answer the same command.", True),
    ("235 answers EHLO.", True),
    ("550 never answers AUTH.", True),
    ("354 comes only after RCPT TO.", True),
])
def test_the_checker_flags_false_claims_and_passes_true_ones(sentence, bad):
    assert bool(contradictions(sentence)) is bad, claims(sentence)


def test_the_checker_reads_real_claims_today():
    found = [claim for texts in _sources().values() for text in texts
             for sentence in _sentences(text) for claim in claims(sentence)]
    assert len(found) >= 10, found
