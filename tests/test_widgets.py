"""Kernel-side widget tests: set values, click buttons, read the HTML a learner would read."""

import pytest

import smtplesson
from smtplesson import ReplyParseError, quiz
from smtplesson.lab import LabServer
from smtplesson.widgets import CodeExplorer, ContrastCard, ExplainBox, LabPanel, Quiz

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
    assert "Must issue a STARTTLS command first" in card.card.value or "530" in card.card.value
    assert card.comparison.curated
    card.second.value = 454
    assert "530" in card.card.value and "454" in card.card.value


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


def test_contrast_card_fallback_is_the_same_card():
    card = ContrastCard(250, 550)
    assert card._repr_mimebundle_()["text/html"] == card.card.value


def test_contrast_card_rejects_bad_codes_with_the_rule():
    with pytest.raises(ReplyParseError):
        ContrastCard(250, 600)


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
    panel.lab.stop()


def test_lab_panel_with_a_lab_someone_stopped_says_so(lab):
    stopped = LabServer()
    panel = LabPanel(stopped, password="wonderland")
    panel.send_button.click()
    assert "not running" in problem_text(panel)


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


def test_quiz_fallback_lists_every_question_with_hidden_answers():
    widget = Quiz(topics=["454-vs-535"])
    html = widget._repr_mimebundle_()["text/html"]
    assert html.count("<details>") == len(widget.asked)
    assert "Show the answer" in html


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
