"""Kernel-side widget tests: set values, click buttons, read the HTML a learner would read."""

import dataclasses
from html import escape

import pytest

import smtplesson
from smtplesson import ReplyParseError, i18n, quiz
from smtplesson.lab import LabServer, Outcome, send_mail
from smtplesson.widgets import CodeExplorer, ContrastCard, ExplainBox, LabPanel, Quiz
from test_facts import card_rows

HINDI_HEADINGS = ["विवरण", "जब आप इसे देखें", "कैसे ठीक करें", "मुख्य अंतर", "कब किसका उपयोग करें"]
ENGLISH_HEADINGS = ["Description", "When you see it", "How to fix", "Key difference", "When to use which"]


@pytest.fixture(autouse=True)
def english_again():
    yield
    smtplesson.set_language("en")


@pytest.fixture(scope="module")
def lab():
    with LabServer() as server:
        yield server


def problem_text(widget):
    return widget.problem.value


# --- CodeExplorer -------------------------------------------------------------------------------

def test_explorer_filters_by_class_category_command_and_text():
    explorer = CodeExplorer()
    total = len(explorer.matches())
    assert total == len(smtplesson.codes())
    explorer.reply_class.value = 5
    assert all(entry.code // 100 == 5 for entry in explorer.matches())
    explorer.category.value = 3
    assert [e.code for e in explorer.matches()] == [530, 534, 535, 538]
    explorer.reply_class.value = 0
    explorer.category.value = -1
    explorer.command.value = "AUTH"
    after_auth = [e.code for e in explorer.matches()]
    assert {235, 334, 535, 538, 454, 421, 500} <= set(after_auth) and 250 not in after_auth
    explorer.command.value = ""
    explorer.search.value = "app password"
    assert 535 in [e.code for e in explorer.matches()]
    assert "535" in explorer.table.value and "Codes that match" in explorer.count.value


def test_explorer_marks_commands_only_some_servers_answer_with_a_code():
    explorer = CodeExplorer()
    explorer.search.value = "Requested action done"  # 250's name
    row = next(r for r in explorer.table.value.split("<tr>") if "250 ·" in r)
    assert "the final dot of DATA" in row and "HELP (some servers)" in row  # aiosmtpd's 250 to HELP
    assert "EHLO (some servers)" not in row


def test_explorer_choosing_a_code_shows_its_card():
    explorer = CodeExplorer()
    explorer.code.value = 535
    assert "Authentication credentials invalid" in explorer.card.value
    assert "RFC 4954" in explorer.card.value
    assert repr(explorer) == "CodeExplorer(535, en)"


def test_explorer_with_no_match_says_so_inside():
    explorer = CodeExplorer()
    explorer.search.value = "no such words anywhere"
    assert "No code matches" in explorer.table.value and explorer.card.value == ""
    explorer.search.value = "x" * 1_000_000
    assert "too long" in problem_text(explorer)
    explorer.search.value = "535"
    assert problem_text(explorer) == "" and "535" in explorer.card.value


def test_explorer_fallback_has_the_table_and_the_card():
    explorer = CodeExplorer(code=535)
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/plain"] == "CodeExplorer(535, en)"
    html = bundle["text/html"]
    assert html.count("smtplesson-badge") >= len(smtplesson.codes())
    assert "Authentication credentials invalid" in html


# --- ContrastCard --------------------------------------------------------------------------------

def test_contrast_card_defaults_to_250_vs_535_on_five_facets():
    card = ContrastCard()
    html = card.card.value
    for heading in ENGLISH_HEADINGS:
        assert heading in html
    assert "✔ 250 · positive completion" in html and "✘ 535 · permanent negative completion" in html


def test_contrast_card_dropdowns_change_the_pair():
    card = ContrastCard()
    card.first.value = 530
    assert repr(card) == "ContrastCard(530 vs 535, en)"
    rows = card_rows(card.card.value)
    header, shared = rows[0], rows[4]                   # the codes, then the key difference
    assert header[1][2].startswith("✘ 530 · permanent negative completion")
    assert header[1][2].endswith("Authentication or TLS required first")
    assert header[2][2].startswith("✘ 535 · permanent negative completion")
    assert shared[0][2] == "Key difference" and shared[1][1] == 2      # one cell across both codes
    assert shared[1][2].startswith("530 means the client skipped a required step")
    assert "'Must issue a STARTTLS command first'" in shared[1][2]
    assert "535 answers AUTH itself and means the credentials were checked and refused" in shared[1][2]
    assert card.comparison.curated
    card.second.value = 454
    rows = card_rows(card.card.value)
    assert rows[0][1][2].startswith("✘ 530 · permanent negative completion")
    assert rows[0][2][2].startswith("⟳ 454 · transient negative completion")
    assert rows[4][1][2].startswith("530 and 454 differ in their first digit, so in their class.")
    assert "454 is transient negative completion: not done this time" in rows[4][1][2]


def test_contrast_card_language_toggle_and_set_language():
    card = ContrastCard()
    card.language.value = "hi"
    for heading in HINDI_HEADINGS:
        assert heading in card.card.value
    assert 'lang="hi"' in card.card.value
    other = ContrastCard()
    smtplesson.set_language("hi")
    assert other.language.value == "hi" and "विवरण" in other.card.value
    smtplesson.set_language("en")
    assert "Description" in other.card.value


def test_contrast_card_static_card_is_the_card_on_screen_under_a_saved_copy_line():
    card = ContrastCard(250, 550)
    html = card._repr_mimebundle_()["text/html"]
    on_screen = smtplesson.compare(250, 550)._repr_html_()     # built apart from the widget
    assert html.endswith(on_screen)
    head = html[: len(html) - len(on_screen)]
    assert "saved copy of the widget" in head and "run this cell" in head
    rows = card_rows(on_screen)
    assert [row[0][2] for row in rows[1:]] == ENGLISH_HEADINGS
    assert rows[0][1][2].startswith("✔ 250 · positive completion")
    assert rows[0][2][2].startswith("✘ 550 · permanent negative completion")
    first, second = ([row[column][2] for row in rows[1:4]] for column in (1, 2))
    assert first[0].startswith("The everyday positive reply") and first[2].startswith("Nothing to fix")
    assert "the mailbox was not found" in second[0]                      # 550's column: its words
    assert "'550 5.7.30 Basic authentication is not supported" in second[1]
    assert second[2].startswith("Do not resend unchanged.")


def test_contrast_card_rejects_bad_codes_with_the_rule():
    with pytest.raises(ReplyParseError) as caught:
        ContrastCard(250, 600)
    assert caught.value.rule == "first-digit"
    assert str(caught.value).startswith("600: the first digit must be 2, 3, 4 or 5")
    with pytest.raises(ReplyParseError) as caught:
        ContrastCard("5.7.8", 535)
    assert caught.value.rule == "three-digits"


def test_undefined_codes_can_be_compared():
    card = ContrastCard(435, 535)
    assert "No RFC defines 435" in card.card.value


# --- LabPanel ------------------------------------------------------------------------------------

def test_lab_panel_real_session_535_then_250(lab):
    panel = LabPanel(lab)
    assert "Press Send" in panel.result.value
    panel.password.value = "wrong"
    panel.send_button.click()
    assert panel.outcome.code == 535
    html = panel.result.value
    assert "smtplesson-verdict" in html and "✘ 535" in html
    assert "535 5.7.8 Authentication credentials invalid" in html
    assert html.count("Authentication credentials invalid") >= 2  # both attempts, explained
    panel.password.value = "wonderland"
    panel.send_button.click()
    assert panel.outcome.code == 250 and "✔ 250" in panel.result.value
    assert "accepted" in panel.result.value
    assert "✔ 250" in panel._repr_mimebundle_()["text/html"]


def test_lab_panel_starttls_toggle():
    with LabServer(require_tls=True) as tls_lab:
        panel = LabPanel(tls_lab, password="wonderland")
        panel.send_button.click()
        assert panel.outcome.code is None and "STARTTLS" in panel.result.value
        panel.starttls.value = True
        panel.send_button.click()
        assert panel.outcome.code == 250


@pytest.mark.parametrize("user, password, shows", [
    ("", "", "535"),
    ("alice", "x" * 1_000_000, "500"),
    ("alice", "wünderland", "ASCII"),
    ("ä" * 10, "wonderland", "ASCII"),
])
def test_lab_panel_bad_input_is_shown_inside(lab, user, password, shows):
    panel = LabPanel(lab, user=user, password=password)
    panel.send_button.click()
    assert shows in panel.result.value
    assert problem_text(panel) == ""
    panel.user.value, panel.password.value = "alice", "wonderland"
    panel.send_button.click()
    assert panel.outcome.code == 250  # still alive


def test_lab_panel_owns_and_restarts_its_lab():
    panel = LabPanel(password="wonderland")
    panel.lab.stop()
    panel.send_button.click()
    assert panel.outcome.code == 250
    assert f"port {panel.lab.port}" in panel.notice.value
    panel.lab.stop()


def test_lab_panel_handed_a_stopped_lab_restarts_it_and_says_so_in_one_line():
    stopped = LabServer()
    try:
        panel = LabPanel(stopped, password="wonderland")
        panel.send_button.click()
        assert stopped.running and panel.outcome.code == 250
        assert problem_text(panel) == ""
        notice = panel.notice.value
        assert "The lab had stopped, so Send started it again" in notice
        assert f"127.0.0.1 port {stopped.port}" in notice and notice.count("<p") == 1
        panel.send_button.click()  # running now: nothing to say any more
        assert panel.notice.value == "" and panel.outcome.code == 250
    finally:
        stopped.stop()


def test_after_run_all_stops_the_lab_send_clears_the_stale_verdict_and_works():
    """Issue 11: a 250 on screen, then a later cell stops the lab; Send must not show the old 250."""
    with LabServer() as own:
        panel = LabPanel(own, password="wonderland")
        panel.send_button.click()
        assert "✔ 250" in panel.result.value
        own.stop()  # what Run All's last cell does
        panel.password.value = "not-the-password"
        panel.send_button.click()
        assert panel.outcome.code == 535
        assert "✘ 535" in panel.result.value and "✔ 250" not in panel.result.value
        assert "earlier verdict was cleared" in panel.notice.value


def test_lab_panel_that_cannot_restart_its_lab_clears_the_verdict_and_says_why():
    with LabServer() as holder:
        fixed = LabServer(port=holder.port)  # a fixed port someone else holds
        panel = LabPanel(fixed, password="wonderland")
        panel.outcome = send_mail(holder, "alice", "wonderland")  # a verdict from earlier
        panel.refresh()
        assert "✔ 250" in panel.result.value
        panel.send_button.click()
        assert "port" in problem_text(panel) and not fixed.running
        assert "✔ 250" not in panel.result.value and "Press Send" in panel.result.value


def test_lab_panel_redraws_its_verdict_in_the_new_language(lab):
    """Issue 16.3: the verdict sentence on screen follows the language toggle."""

    class Described(Outcome):
        def describe(self, lang):
            return {"en": "ENGLISH VERDICT", "hi": "हिन्दी फ़ैसला"}[lang]

    panel = LabPanel(lab, password="nope")
    panel.send_button.click()
    real = panel.outcome
    panel.outcome = Described(**{f.name: getattr(real, f.name) for f in dataclasses.fields(Outcome)})
    panel.refresh()
    assert "ENGLISH VERDICT" in panel.result.value
    panel.language.value = "hi"
    assert "हिन्दी फ़ैसला" in panel.result.value and "ENGLISH VERDICT" not in panel.result.value
    assert "स्थायी" in panel.result.value  # the class words of the 535 badge
    assert "भेजें" in panel.send_button.description
    smtplesson.set_language("en")
    assert "ENGLISH VERDICT" in panel.result.value
    if hasattr(Outcome, "describe"):  # the lab's own sentence, once the lab offers it
        panel.outcome = real
        panel.language.value = "hi"
        assert real.describe("hi") in panel.result.value


# --- Quiz ----------------------------------------------------------------------------------------

def test_quiz_has_at_least_twenty_questions_with_reasons_for_every_option():
    asked = quiz.questions()
    assert len(asked) >= 20
    for question in asked:
        assert sum(option.correct for option in question.options) == 1
        assert all(option.why.strip() for option in question.options)
    topics = quiz.all_topics()
    for needed in ("classify", "fix", "530-vs-535", "454-vs-535"):
        assert needed in topics


def test_quiz_wrong_then_right_with_feedback_and_score():
    widget = Quiz(topics=["530-vs-535"])
    question = widget.current
    wrong = next(i for i, option in enumerate(question.options) if not option.correct)
    widget.choice.value = wrong
    widget.check.click()
    feedback = widget.feedback.value
    assert "Not quite" in feedback
    for option in question.options:
        assert option.why.replace("'", "&#x27;").replace('"', "&quot;")[:40] in feedback
    assert "Score: 0 right of 1 answered" in widget.score.value
    widget.choice.value = question.answer
    widget.check.click()
    assert "Right." in widget.feedback.value
    assert "Score: 1 right of 1 answered" in widget.score.value


def test_quiz_needs_a_pick_and_moves_around():
    widget = Quiz(ids=["classify-gmail-535-multiline"] + [q.id for q in quiz.questions()[1:3]])
    widget.check.click()
    assert "Pick an answer" in problem_text(widget)
    first = widget.current.id
    widget.next.click()
    assert widget.current.id != first and widget.choice.value is None
    widget.previous.click()
    assert widget.current.id == first


def test_quiz_static_card_shows_every_question_and_folds_each_answer_and_reason():
    widget = Quiz()
    html = widget._repr_mimebundle_()["text/html"]
    assert "saved copy of the widget" in html
    assert html.count("<details>") == len(widget.asked) == len(quiz.questions())
    assert html.count("Show the answer") == len(widget.asked)
    folded = html.split("<details>")[1:]
    for question, inside in zip(widget.asked, folded):
        inside = inside.split("</details>")[0]
        assert f"<b>{chr(65 + question.answer)}</b>" in inside  # the answer, by letter
        for option in question.options:  # and the reason for every option
            assert escape(option.why) in inside
    for question in widget.asked:
        assert escape(question.prompt) in html


def test_quiz_static_card_shows_answered_questions_with_their_feedback():
    widget = Quiz(topics=["454-vs-535"])
    widget.choice.value = widget.current.answer
    widget.check.click()
    html = widget.fallback_html()
    assert "Right." in html and "Score: 1 right of 1 answered" in html
    assert html.count("<details>") == len(widget.asked) - 1


def test_quiz_unknown_topic_is_a_clear_error():
    with pytest.raises(ValueError, match="no quiz topic"):
        Quiz(topics=["nope"])


# --- ExplainBox ----------------------------------------------------------------------------------

def test_explain_box_starts_with_gmails_535():
    box = ExplainBox()
    assert "✘ 535" in box.result.value and "5.7.8" in box.result.value


@pytest.mark.parametrize("paste, message", [
    ("", "Paste a reply first"),
    ("A" * 1_000_000, "1,000,000 characters"),
    ("\x00\x01\x02\x1b[31m", "three-digit"),
    ("\x89PNG\r\n\x1a\n\x00\x00", "three-digit"),
    ("999 nope", "first digit"),
])
def test_explain_box_bad_input_is_a_message_inside(paste, message):
    box = ExplainBox()
    box.text.value = paste
    assert message in problem_text(box)
    assert box.result.value == ""
    box.text.value = "250 2.1.5 Ok"
    assert problem_text(box) == "" and "✔ 250" in box.result.value  # not a dead widget


def test_explain_box_transcript_and_fallback():
    box = ExplainBox("S: 220 x\nC: AUTH PLAIN AGFsaWNlAHdyb25n\nS: 535 5.7.8 no")
    assert "Authentication failed" in box.result.value
    assert "Authentication failed" in box._repr_mimebundle_()["text/html"]


def test_explain_box_in_hindi():
    box = ExplainBox(lang="hi")
    assert 'lang="hi"' in box.result.value and "विवरण" in box.result.value


# --- all widgets ---------------------------------------------------------------------------------

def every_widget(lab):
    return [CodeExplorer(), ContrastCard(), LabPanel(lab), Quiz(), ExplainBox()]


def test_every_widget_has_a_language_toggle_and_a_fallback(lab):
    for widget in every_widget(lab):
        assert [value for _, value in widget.language.options] == ["en", "hi"]
        bundle = widget._repr_mimebundle_()
        assert bundle["text/plain"] == repr(widget)
        assert "application/vnd.jupyter.widget-view+json" in bundle
        assert bundle["text/html"].strip()


def test_labels_are_never_cut_off(lab):
    import ipywidgets

    for widget in every_widget(lab):
        widget.language.value = "hi"
        stack = list(widget.children)
        while stack:
            child = stack.pop()
            stack.extend(getattr(child, "children", ()))
            if isinstance(child, (ipywidgets.Dropdown, ipywidgets.Text)) and child.description:
                assert child.style.description_width == "initial", child.description
            if isinstance(child, ipywidgets.Button):
                assert child.layout.width == "auto", child.description


def test_no_lesson_widget_hides_an_ipywidgets_member(lab):
    """A child or method named like an ipywidgets member (send, _send, keys…) silently breaks sync."""
    import ipywidgets

    allowed = {"__init__", "__repr__", "__module__", "__doc__", "__qualname__", "_repr_mimebundle_",
               "__firstlineno__", "__static_attributes__", "__annotations__",
               # written into every HasTraits subclass by traitlets' metaclass
               "_all_trait_default_generators", "_descriptors", "_instance_inits",
               "_static_immutable_initial_values", "_trait_default_generators", "_traits"}
    base = set(dir(ipywidgets.VBox))
    for widget in every_widget(lab):
        mine = set(vars(widget)) | {name for klass in type(widget).__mro__
                                    if klass.__module__ == "smtplesson.widgets" for name in vars(klass)}
        clashes = sorted((mine & base) - allowed)
        assert clashes == [], f"{type(widget).__name__} hides {clashes}"


def test_every_lesson_widget_sends_its_children_to_the_front_end(lab):
    """What JupyterLab draws comes from the synced state: children and classes must be in it."""
    for widget in every_widget(lab):
        state = widget.get_state()
        assert len(state["children"]) >= 3, type(widget).__name__
        assert "smtplesson-widget" in state["_dom_classes"]


# --- construction, language listeners and values a learner types (issue 15.1, 15.6) -------------

@pytest.mark.parametrize("build", [
    lambda: ContrastCard(250, "abc"),
    lambda: CodeExplorer(999),
    lambda: Quiz(topics=["nope"]),
    lambda: LabPanel(lab="str"),
    lambda: ExplainBox(["535"]),
    lambda: ContrastCard(lang="fr"),
], ids=["ContrastCard(250, 'abc')", "CodeExplorer(999)", "Quiz(topics=['nope'])",
        "LabPanel(lab='str')", "ExplainBox(['535'])", "ContrastCard(lang='fr')"])
def test_a_widget_that_fails_to_build_never_follows_set_language(build):
    card = ContrastCard()
    listeners = i18n.listener_count()
    with pytest.raises(smtplesson.SmtpLessonError):
        build()
    assert i18n.listener_count() == listeners
    smtplesson.set_language("hi")  # the bug: AttributeError '_pair', and widgets in mixed languages
    assert "विवरण" in card.card.value and card.language.value == "hi"


def test_one_broken_listener_never_stops_the_others(caplog):
    def broken(lang):
        raise AttributeError("'ContrastCard' object has no attribute '_pair'")

    first = ContrastCard()
    i18n.on_language_change(broken)
    second = ContrastCard()
    smtplesson.set_language("hi")
    assert "विवरण" in first.card.value and "विवरण" in second.card.value
    assert "a language listener failed and was dropped" in caplog.text
    caplog.clear()
    smtplesson.set_language("en")  # dropped: it is not called again
    assert caplog.text == "" and "Description" in second.card.value


@pytest.mark.parametrize("typed, meant", [(535, 535), ("535", 535), (" 530 ", 530), (235.0, 235)])
def test_a_code_control_takes_an_int_or_its_text(typed, meant):
    card = ContrastCard()
    card.first.value = typed
    assert card.first.value == meant and problem_text(card) == ""
    assert repr(card) == f"ContrastCard({meant} vs 535, en)"


def test_other_controls_take_the_forms_a_learner_types(lab):
    explorer = CodeExplorer()
    explorer.command.value = "auth"
    explorer.reply_class.value = "5"
    explorer.search.value = 535
    found = [e.code for e in explorer.matches()]
    assert 535 in found and all(code // 100 == 5 for code in found) and problem_text(explorer) == ""
    widget = Quiz(topics=["530-vs-535"])
    widget.choice.value = "B"
    assert widget.choice.value == 1
    panel = LabPanel(lab)
    panel.starttls.value = "no"
    panel.password.value = 12345
    assert panel.starttls.value is False and panel.password.value == "12345"
    card = ContrastCard()
    card.language.value = "हिन्दी"
    assert card.language.value == "hi" and "विवरण" in card.card.value


def test_a_value_not_offered_is_a_message_inside_naming_the_choices():
    card = ContrastCard()
    card.first.value = 299  # what a learner types after "card.first.value = 235"
    message = problem_text(card)
    assert "299 is not one of the choices here. Choose one of: 211, 214, 220" in message
    assert "535" in message and "Traceback" not in message
    assert card.first.value == 250 and "✔ 250" in card.card.value  # unchanged, still alive
    card.language.value = "hi"  # the message follows the language too
    assert "299 यहाँ के विकल्पों में नहीं है" in problem_text(card)
    card.first.value = 235
    assert problem_text(card) == "" and "235" in card.card.value


def test_a_message_on_screen_is_redrawn_in_the_new_language():
    widget = Quiz(topics=["530-vs-535"])
    widget.check.click()
    assert "Pick an answer first" in problem_text(widget)
    smtplesson.set_language("hi")
    assert "पहले कोई जवाब चुनें" in problem_text(widget)  # the learner's answer is जवाब (glossary)
    explorer = CodeExplorer()
    explorer.search.value = "x" * 500
    smtplesson.set_language("en")
    assert "too long" in problem_text(explorer) and "पहले" not in problem_text(widget)


def test_every_static_card_says_it_is_a_saved_copy_in_its_language(lab):
    for widget in every_widget(lab):
        assert "This is a saved copy of the widget. To use it, open the notebook in JupyterLab " \
               "and run this cell." in widget.fallback_html(), type(widget).__name__
        widget.language.value = "hi"
        html = widget.fallback_html()
        assert "यह विजेट की सहेजी गई प्रति है" in html and "यह सेल चलाएँ" in html
        assert html.count('<p class="smtplesson-saved-copy"') == 1


def test_a_failure_halfway_through_building_closes_every_part_and_subscribes_nothing(monkeypatch):
    from ipywidgets.widgets.widget import _instances

    def broken(self):
        raise RuntimeError("a bug halfway through building")

    monkeypatch.setattr(ContrastCard, "_relabel", broken)
    listeners, parts = i18n.listener_count(), set(_instances)
    with pytest.raises(RuntimeError):
        ContrastCard()
    assert i18n.listener_count() == listeners
    assert [type(_instances[key]).__name__ for key in set(_instances) - parts] == []
