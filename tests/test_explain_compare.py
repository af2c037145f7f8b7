"""explain() is forgiving about what a paste adds; compare() covers the five facets for any pair."""

import dataclasses
import smtplib

import pytest

from smtplesson import EnhancedCode, ReplyParseError, compare, explain, lookup, parse_transcript

GMAIL = ("535-5.7.8 Username and Password not accepted. For more information, go to\n"
         "535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1b2c3 - gsmtp")


def test_the_learners_paste():
    result = explain(GMAIL)
    assert result.reply.code == 535 and result.reply.multiline
    text = str(result)
    assert "permanent negative completion" in text
    assert "5.7.8" in text and "Authentication credentials invalid" in text
    assert "app password" in text            # what to do next
    html = result._repr_html_()
    assert "✘ 535" in html and "535-5.7.8 Username" in html


@pytest.mark.parametrize("paste", [
    "   535 5.7.8 Authentication credentials invalid   \n\n",
    '"535 5.7.8 Authentication credentials invalid"',
    "    535-5.7.8 first\n    535 5.7.8 second\n",
    "535 5.7.8 Authentication credentials invalid\r\n",
])
def test_paste_artifacts_are_trimmed(paste):
    assert explain(paste).reply.code == 535


def test_smtplib_string_form():
    result = explain("(535, b'5.7.8 Username and Password not accepted. Learn more at\\n"
                     "5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp')")
    assert result.kind == "smtplib"
    assert result.reply.code == 535 and len(result.reply.lines) == 2
    assert result.reply.enhanced == "5.7.8"


def test_smtplib_exception_and_tuple():
    error = smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid")
    assert explain(error).reply.enhanced == "5.7.8"
    assert explain((535, b"5.7.8 Authentication credentials invalid")).reply.code == 535


def test_bytes_and_bytes_literal():
    assert explain(b"250 OK\r\n").reply.code == 250
    assert explain("b'535 5.7.8 Authentication credentials invalid\\r\\n'").reply.code == 535


@pytest.mark.parametrize("code", [535, "535", " 250 "])
def test_bare_codes(code):
    assert explain(code).reply.code == int(str(code))


def test_transcript_explanation_gives_the_verdict():
    transcript = ("S: 220 mail.example ESMTP\nC: EHLO me\nS: 250 mail.example\n"
                  "C: AUTH PLAIN AGFsaWNlAHdyb25n\nS: 535 5.7.8 Authentication credentials invalid\n"
                  "C: QUIT\nS: 221 Bye")
    result = explain(transcript)
    assert result.kind == "transcript"
    assert "Authentication failed" in result.verdict and "535" in result.verdict
    assert "base64 → \\0alice\\0wrong" in result._repr_html_()


def test_accepted_message_verdict():
    transcript = ("S: 220 x\nC: MAIL FROM:<a@b>\nS: 250 OK\nC: RCPT TO:<c@d>\nS: 250 OK\n"
                  "C: DATA\nS: 354 go\nC: hi\nC: .\nS: 250 OK\nC: QUIT\nS: 221 Bye")
    assert "accepted" in explain(transcript).verdict


def test_enhanced_class_mismatch_is_explained_not_hidden():
    result = explain("250 5.7.8 odd server")
    assert result.reply.enhanced is None
    assert any("does not match" in note for note in result.items[0].notes)


def test_vendor_code_shows_the_vendor_use():
    text = str(explain("535 5.7.139 Authentication unsuccessful, basic authentication is disabled."))
    assert "Microsoft" in text and "Not in the IANA registry" in text


def test_undefined_code_is_explained_by_digits():
    assert "No RFC defines 435" in str(explain("435 Unable to authenticate at present"))


@pytest.mark.parametrize("bad, rule", [
    ("", "empty"),
    ("A" * 1_000_000, "too-long"),
    ("\x00\x01\x02binary", "three-digits"),
    ("5.7.8 Username and Password not accepted", "three-digits"),
    ("(535, b'\\xff')", "text-characters"),
    ("(535, b'unterminated)", "three-digits"),
    (None, "explain-type"),
    (3.5, "explain-type"),
])
def test_bad_input_raises_a_named_rule(bad, rule):
    with pytest.raises(ReplyParseError) as caught:
        explain(bad)
    assert caught.value.rule == rule


# --- compare -----------------------------------------------------------------------------------

FIVE = ["Description", "When you see it", "How to fix", "Key difference", "When to use which"]


def test_250_vs_535_on_five_facets():
    card = compare(250, 535)
    assert [facet.heading for facet in card.facets] == FIVE
    assert card.curated
    assert card.facet("description").a == card.a.meaning
    assert card.facet("how_to_fix").b == card.b.how_to_fix
    assert "235" in card.facet("key_difference").a
    html = card._repr_html_()
    assert "✔ 250" in html and "✘ 535" in html          # class readable without colour
    assert "positive completion" in html and "permanent negative completion" in html
    for heading in FIVE:
        assert heading in html


@pytest.mark.parametrize("a, b", [(530, 535), (454, 535), (250, 550), (535, 534), (538, 535)])
def test_pairs_learners_confuse_are_curated(a, b):
    card = compare(a, b)
    assert card.curated and card.a.code == a and card.b.code == b
    assert card.facet("key_difference").a and card.facet("when_to_use_which").a


def test_any_other_pair_is_worked_out_from_the_digits():
    card = compare(221, 559)
    assert not card.curated
    assert "first digit" in card.facet("key_difference").a
    same = compare(550, 553)
    assert "both are permanent negative completion" in same.facet("key_difference").a


def test_comparison_as_a_frame():
    frame = compare(250, 535).to_frame()
    assert list(frame.columns) == [250, 535] and list(frame.index) == FIVE


def test_compare_rejects_bad_codes():
    with pytest.raises(ReplyParseError) as caught:
        compare(250, 600)
    assert caught.value.rule == "first-digit" and "600" in str(caught.value)
    with pytest.raises(ReplyParseError) as caught:
        compare("25", 535)
    assert caught.value.rule == "three-digits"


def test_quoted_smtplib_form_is_still_recognised():
    assert explain('"(535, b\'5.7.8 Authentication credentials invalid\')"').kind == "smtplib"


# --- issue 14/15: repr of an empty reply, notebook errors, advice from the enhanced code --------------

def test_a_reply_without_text_prints_as_the_bare_code():
    from smtplesson import parse_reply

    assert str(parse_reply("421")) == "421"
    assert str(parse_reply("421 ")) == "421"
    assert str(parse_reply("334 ")) == "334 "  # RFC 4954 §4: continue-req = "334" SP [base64]
    assert str(parse_reply("250-a\n250")) == "250-a\n250"


def test_a_dialogue_that_starts_at_the_334_prompts_is_an_auth_failure():
    transcript = parse_transcript("S: 334 VXNlcm5hbWU6\nC: YWxpY2U=\nS: 334 UGFzc3dvcmQ6\n"
                                  "C: d3Jvbmc=\nS: 535 5.7.8 Authentication credentials invalid")
    assert transcript.auth_outcome == "failure"
    assert [exchange.verb for exchange in transcript.exchanges] == ["AUTH", "AUTH", "AUTH"]
    assert "Authentication failed" in explain(transcript).verdict
    assert parse_transcript("S: 235 2.7.0 Authentication successful").auth_outcome == "success"
    assert parse_transcript("S: 250 OK").exchanges[0].command is None  # not a greeting


def test_a_notebook_cell_shows_the_error_in_one_line_not_a_traceback(capsys):
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    try:
        shell.run_cell("from smtplesson import parse_reply\nparse_reply('hello')")
    finally:
        InteractiveShell.clear_instance()
    captured = capsys.readouterr()
    shown = (captured.out + captured.err).strip()
    assert shown == ("ReplyParseError: line 1 does not start with a three-digit reply code: it starts "
                     "'hello' (RFC 5321 §4.2)  (rule: three-digits)")


def test_advice_comes_from_the_enhanced_code_when_no_provider_knows_the_text(monkeypatch):
    import importlib
    import types

    module = importlib.import_module("smtplesson.explain")
    real = module._lookup_enhanced
    advice = "The account is disabled: it stays refused until an administrator enables it again."

    def with_advice(code, lang):
        entry = real(code, lang)
        return types.SimpleNamespace(**{**vars(entry), "advice": advice if code == "5.7.13" else ""})

    monkeypatch.setattr(module, "_lookup_enhanced", with_advice)
    result = explain("535 5.7.13 User account disabled")
    assert result.advice == advice and f"What to do next: {advice}" in str(result)
    assert result.items[0].provider is None
    assert explain("535 5.7.8 Authentication credentials invalid").advice == lookup(535).how_to_fix


@pytest.mark.skipif("advice" not in {field.name for field in dataclasses.fields(EnhancedCode)},
                    reason="needs EnhancedCode.advice from the truth stream (issue 12)")
def test_535_5_7_13_tells_to_get_the_account_enabled_not_to_retype_the_password():
    result = explain("535 5.7.13 User account disabled")
    assert "admin" in result.advice.lower()
    assert result.advice != lookup(535).how_to_fix


# --- which refusal the verdict names --------------------------------------------------------------

def _dialogue(*pairs: str) -> str:
    return "S: 220 lab.example ready\nC: EHLO me.example\nS: 250 lab.example\n" + "\n".join(pairs) + "\n"


def test_verdict_names_the_first_refusal_when_every_recipient_is_refused():
    text = _dialogue("C: MAIL FROM:<a@me.example>", "S: 250 ok", "C: RCPT TO:<b@x.example>",
                     "S: 554 5.7.1 Relay access denied", "C: RCPT TO:<c@x.example>",
                     "S: 550 5.1.1 User unknown", "C: DATA", "S: 554 5.5.1 Error: no valid recipients")
    explanation = explain(text)
    assert "554" in explanation.verdict and "RCPT TO:<b@x.example>" in explanation.verdict
    assert explanation.deciding.command == "RCPT TO:<b@x.example>"


def test_a_command_sent_again_is_judged_by_its_later_reply():
    text = _dialogue("C: AUTH PLAIN AGFsaWNlAHdyb25n", "S: 538 5.7.11 Encryption required",
                     "C: STARTTLS", "S: 220 go ahead", "C: EHLO me.example", "S: 250 lab.example",
                     "C: AUTH PLAIN AGFsaWNlAHdyb25n", "S: 535 5.7.8 Authentication credentials invalid")
    explanation = explain(text)
    assert "535" in explanation.verdict and "538" not in explanation.verdict
    recovered = text.rsplit("S: 535", 1)[0] + "S: 235 2.7.0 Authentication successful\n"
    assert "235" in explain(recovered).verdict


def test_only_a_later_rcpt_to_the_same_address_takes_a_refusals_place():
    refused_then_other = _dialogue("C: MAIL FROM:<a@me.example>", "S: 250 ok",
                                   "C: RCPT TO:<b@x.example>", "S: 450 4.2.0 Greylisted",
                                   "C: RCPT TO:<c@x.example>", "S: 250 ok")
    assert "450" in explain(refused_then_other).verdict
    retried = refused_then_other.replace("RCPT TO:<c@x.example>", "RCPT TO:<B@x.example>")
    assert "450" not in explain(retried).verdict
