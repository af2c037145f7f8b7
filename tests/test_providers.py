"""providers.json: every entry is well formed, sourced, translated, and matched by a real-shaped paste."""

from __future__ import annotations

import json
import re
import unicodedata
from importlib import resources

import pytest

from smtplesson import explain, parse_reply
from smtplesson.providers import KINDS, match_enhanced, match_provider, providers
from test_pastes import PASTES

ROWS = json.loads(resources.files("smtplesson").joinpath("data", "providers.json").read_text("utf-8"))
ENTRIES = providers()
IDS = [entry.id for entry in ENTRIES]


def _matched_ids() -> set[str]:
    found = set()
    for paste in PASTES:
        result = explain(paste.text)
        found |= {item.provider.id for item in result.items if item.provider is not None}
        if result.provider is not None:
            found.add(result.provider.id)
    return found


def test_at_least_thirty_entries_with_unique_ids_in_file_order():
    assert len(ENTRIES) >= 30
    assert len(set(IDS)) == len(IDS)
    assert IDS == [row["id"] for row in ROWS["providers"]]


def test_the_providers_the_lesson_promises_are_there():
    names = {entry.provider for entry in ENTRIES}
    for name in ("Gmail", "Microsoft 365", "Amazon SES", "SendGrid", "Mailgun", "Postfix", "Exim",
                 "Zoho Mail", "Yahoo Mail", "iCloud Mail", "Fastmail", "Brevo"):
        assert name in names, name


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_entry_is_well_formed(entry):
    assert entry.source.startswith("https://") and " " not in entry.source
    assert entry.kind in KINDS
    assert all(200 <= code <= 599 for code in entry.codes)
    assert entry.enhanced in (None, "") or re.fullmatch(r"[245]\.\d{1,3}\.\d{1,3}", entry.enhanced)
    if entry.enhanced and entry.codes:  # RFC 2034 §4: the classes agree
        assert {code // 100 for code in entry.codes} == {int(entry.enhanced[0])}
    assert entry.text is not None or entry.context is not None or entry.enhanced, \
        "an entry must match on more than the code"
    for lang in ("en", "hi"):
        for words in (entry.meaning(lang), entry.fix(lang)):
            assert len(words) > 40 and unicodedata.normalize("NFC", words) == words
    assert entry.meaning("hi") != entry.meaning("en") and entry.fix("hi") != entry.fix("en")
    assert re.search("[\u0900-\u097f]", entry.fix("hi"))
    # Hindi sentences end with a danda, never an ASCII full stop after Devanagari.
    assert not re.search("[\u0900-\u097f]\\.", entry.meaning("hi") + entry.fix("hi"))


def test_every_entry_is_matched_by_at_least_one_paste():
    missing = set(IDS) - _matched_ids()
    assert not missing, f"entries no test paste reaches: {sorted(missing)}"


def test_the_issue_named_replies_are_covered():
    wanted = {
        "gmail-app-password-required": "534 5.7.9 Application-specific password required. a1 - gsmtp",
        "gmail-bad-credentials": "535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1 - gsmtp",
        "gmail-too-many-logins": "454 4.7.0 Too many login attempts, please try again later. a1 - gsmtp",
        "gmail-starttls-first": "530 5.7.0 Must issue a STARTTLS command first. a1 - gsmtp",
        "ms-smtp-auth-disabled-tenant": "535 5.7.139 Authentication unsuccessful, "
                                        "SmtpClientAuthentication is disabled for the Tenant.",
        "ms-basic-auth-disabled": "535 5.7.139 Authentication unsuccessful, basic authentication is "
                                  "disabled.",
        "ms-credentials-incorrect": "535 5.7.139 Authentication unsuccessful, the user credentials "
                                    "were incorrect.",
        "ms-security-defaults": "535 5.7.139 Authentication unsuccessful, user is locked by your "
                                "organization's security defaults policy.",
        "ms-5-7-3-unsuccessful": "535 5.7.3 Authentication unsuccessful",
        "ms-client-not-authenticated": "530 5.7.57 Client not authenticated to send mail.",
        "ms-basic-auth-retired": "550 5.7.30 Basic authentication is not supported for Client Submission.",
        "ses-smtp-credentials": "535 Authentication Credentials Invalid",
        "postfix-relay-deferred": "454 4.7.1 <bob@example.org>: Relay access denied",
    }
    for entry_id, reply in wanted.items():
        assert match_provider(parse_reply(reply)).id == entry_id, entry_id


def test_general_entries_come_after_the_specific_ones():
    position = {entry.id: index for index, entry in enumerate(ENTRIES)}
    for entry in ENTRIES:
        if entry.enhanced == "5.7.139" and entry.id != "ms-5-7-139-other":
            assert position[entry.id] < position["ms-5-7-139-other"]
    assert position["postfix-dovecot-wrong-mechanism"] < position["postfix-sasl-failed"]


def test_a_reply_that_fits_no_entry_gets_no_provider():
    for reply in ("250 OK", "535 5.7.8 Authentication credentials invalid", "221 Bye",
                  "530 Must issue a STARTTLS command first"):  # the lab's aiosmtpd replies
        assert match_provider(parse_reply(reply)) is None, reply


def test_enhanced_code_alone_can_still_name_the_provider():
    assert match_enhanced("5.7.139", "5.7.139 Authentication unsuccessful, basic authentication is "
                                     "disabled.").id == "ms-basic-auth-disabled"
    assert match_enhanced("5.1.1", "5.1.1 nothing known") is None


def test_context_entries_need_the_host_in_the_paste():
    reply = parse_reply("535 5.7.8 Authentication failed")
    assert match_provider(reply) is None
    assert match_provider(reply, "server smtp.mail.me.com[17.0.0.1] said: 535 5.7.8 "
                                 "Authentication failed").id == "icloud-app-specific-password"
