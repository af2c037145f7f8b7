"""HTML and plain-text renderings shared by explanations, comparisons, transcripts and widgets.

Every card is self-contained HTML with inline styles, so it reads the same in JupyterLab, in
nbviewer and on GitHub. The reply class shows by colour *and* by a symbol and words, so it reads
without colour too.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Iterable

from .i18n import t

if TYPE_CHECKING:  # imports for type hints only: cards must not import the modules that use it
    from .catalogue import ReplyCode
    from .compare import Comparison
    from .explain import Explanation
    from .reply import Transcript

#: Per reply class: (symbol, text colour, background). Symbols carry the meaning without colour.
CLASS_STYLE = {
    2: ("✔", "#116329", "#dafbe1"),
    3: ("➜", "#0a3069", "#ddf4ff"),
    4: ("⟳", "#7d4e00", "#fff8c5"),
    5: ("✘", "#a40e26", "#ffebe9"),
}

_BOX = ("font-family:system-ui,-apple-system,'Segoe UI','Noto Sans','Noto Sans Devanagari',"
        "'Lohit Devanagari',sans-serif;line-height:1.55;max-width:60em;")
_CELL = "padding:4px 8px;border:1px solid #d0d7de;vertical-align:top;text-align:left;"


def symbol(code: int) -> str:
    return CLASS_STYLE[code // 100][0]


def wrap(body: str, lang: str, kind: str) -> str:
    """Put a card in its outer box, tagged with its language for fonts and screen readers."""
    return f'<div class="smtplesson smtplesson-{kind}" lang="{lang}" style="{_BOX}">{body}</div>'


def badge(code: int, lang: str) -> str:
    """The code with its class as symbol, words and colour: '✘ 535 · permanent negative completion'."""
    mark, fg, bg = CLASS_STYLE[code // 100]
    label = t(f"class.{code // 100}", lang)
    return (f'<span class="smtplesson-badge smtplesson-class{code // 100}" '
            f'style="color:{fg};background:{bg};border:1px solid {fg};border-radius:4px;'
            f'padding:1px 6px;white-space:nowrap;font-weight:600">'
            f'{mark} {code} · {escape(label)}</span>')


def class_line(code: int, lang: str) -> str:
    """'5yz permanent negative completion: …; x3z unspecified' as plain text."""
    first, second = code // 100, code // 10 % 10
    return t("card.class_line", lang, first=first, reply_class=t(f"class.{first}", lang),
             gist=t(f"gist.{first}", lang), second=second,
             category=t(f"category.{second}", lang))


def _rows(rows: Iterable[tuple[str, str]]) -> str:
    return "".join(
        f'<tr><th style="{_CELL}width:12em">{escape(head)}</th>'
        f'<td style="{_CELL}">{escape(text)}</td></tr>'
        for head, text in rows if text
    )


def code_rows(entry: "ReplyCode", lang: str) -> list[tuple[str, str]]:
    """The facets of one code as (heading, text) pairs, in the lesson's order."""
    rows = [
        (t("facet.description", lang), entry.meaning),
        (t("card.class", lang), class_line(entry.code, lang)),
        (t("facet.when_you_see_it", lang), entry.when_you_see_it),
        (t("facet.how_to_fix", lang), entry.how_to_fix),
        (t("card.related", lang), " ".join(map(str, entry.related))),
        (t("card.note", lang), entry.note),
        (t("card.source", lang), entry.rfc),
    ]
    if entry.lang != lang:
        rows.append((t("card.language", lang), t("card.untranslated", lang)))
    return rows


def code_card_html(entry: "ReplyCode", lang: str) -> str:
    head = f'<p style="margin:4px 0">{badge(entry.code, lang)} <b>{escape(entry.name)}</b></p>'
    table = f'<table style="border-collapse:collapse">{_rows(code_rows(entry, lang))}</table>'
    return wrap(head + table, lang, "code")


def code_card_text(entry: "ReplyCode", lang: str) -> str:
    lines = [f"{entry.code} {entry.name}"]
    lines += [f"  {head}: {text}" for head, text in code_rows(entry, lang) if text]
    return "\n".join(lines)


# --- explanations -------------------------------------------------------------------------------

def _explained_rows(item, lang: str, source: str = "") -> list[tuple[str, str]]:
    """The rows of a one-reply card. With a known provider reply, its meaning and fix replace the
    code's general words: the text says which of the code's causes applies."""
    provider = item.provider
    specific = item.enhanced is not None and bool(getattr(item.enhanced, "advice", ""))
    rows = [(t("card.read_from", lang), source), (t("card.reply", lang), str(item.reply))]
    if item.command:
        rows.append((t("card.answers", lang), command_label(item.command, lang)))
    if provider is not None:
        rows.append((t("card.provider", lang), provider.provider))
        rows.append((t("facet.description", lang), provider.meaning(lang)))
        if not item.entry.defined:  # the code itself: no RFC defines it, its digits still speak
            rows.append((t("card.note", lang), item.entry.meaning))
    elif specific:  # e.g. 535 5.7.13: the detail, not the code's usual cause, says what happened
        rows.append((t("facet.description", lang), item.enhanced.meaning))
    else:
        rows.append((t("facet.description", lang), item.entry.meaning))
    rows.append((t("card.class", lang), class_line(item.reply.code, lang)))
    if item.enhanced is not None:
        rows.append((t("card.enhanced", lang), enhanced_line(item.enhanced, lang, titled=specific)))
    if provider is None:
        rows.append((t("facet.when_you_see_it", lang), item.entry.when_you_see_it))
    rows.append((t("card.next", lang), item.advice or item.entry.how_to_fix))
    rows += [(t("card.note", lang), note) for note in item.notes]
    if item.entry.note and provider is None:
        rows.append((t("card.note", lang), item.entry.note))
    rows.append((t("card.source", lang), item.entry.rfc))
    if provider is not None:
        rows.append((t("card.provider_source", lang), provider.source))
    return rows


def _no_reply_rows(explanation, lang: str) -> list[tuple[str, str]]:
    """The rows of a card for a paste that holds no reply code (or only an enhanced code)."""
    rows = [(t("card.read_from", lang), explanation.source),
            (t("facet.description", lang), explanation.detail)]
    if explanation.enhanced is not None:
        rows.append((t("card.enhanced", lang), enhanced_line(explanation.enhanced, lang)))
    if explanation.provider is not None:
        rows.append((t("card.provider", lang), f"{explanation.provider.provider}: "
                                               f"{explanation.provider.meaning(lang)}"))
    rows.append((t("card.next", lang), explanation.detail_advice))
    rows += [(t("card.note", lang), note) for note in explanation.notes]
    if explanation.provider is not None:
        rows.append((t("card.provider_source", lang), explanation.provider.source))
    return rows


def command_label(command: str | None, lang: str) -> str:
    """The client line a reply answers, with the greeting and the final dot named in ``lang``."""
    from .reply import CONNECTION, END_OF_DATA

    if command == CONNECTION:
        return f"({t('command.CONNECT', lang)})"
    if command == END_OF_DATA:
        return f"({t('command.END-OF-DATA', lang)})"
    return command or ""


def enhanced_line(enhanced, lang: str, titled: bool = False) -> str:
    """The enhanced code decoded; ``titled`` gives its registry title instead of its meaning
    (when the meaning is already the card's description)."""
    meaning = enhanced.title if titled and enhanced.title else enhanced.meaning
    text = t("card.enhanced_line", lang, code=enhanced.code, class_name=enhanced.class_name,
             subject_name=enhanced.subject_name, meaning=meaning, rfc=enhanced.rfc)
    if enhanced.vendor_meaning:
        text += " " + t("card.vendor", lang, vendor=enhanced.vendor,
                        vendor_meaning=enhanced.vendor_meaning)
    return text


def _no_reply_badge(explanation, lang: str) -> str:
    if explanation.enhanced is not None:
        first = int(explanation.enhanced.code[0])
        mark, fg, bg = CLASS_STYLE[first]
        label = f"{mark} {explanation.enhanced.code} · {t('card.enhanced_only', lang)}"
        style = f"color:{fg};background:{bg};border:1px solid {fg};"
    else:
        label = f"⊘ {t('card.no_code', lang)}"
        style = "border:1px solid #57606a;"
    return (f'<span class="smtplesson-badge" style="{style}border-radius:4px;padding:1px 6px;'
            f'font-weight:600">{escape(label)}</span>')


def explanation_html(explanation: "Explanation") -> str:
    lang = explanation.lang
    if explanation.transcript is not None:
        lines = [f'<p style="margin:6px 0"><b>{escape(t("card.verdict", lang))}:</b> '
                 f'{escape(explanation.verdict)}</p>']
        if explanation.source:
            lines.append(f'<p style="margin:4px 0">{escape(t("card.read_from", lang))}: '
                         f'{escape(explanation.source)}</p>')
        deciding = explanation.deciding
        if deciding.provider is not None:
            lines.append(f'<p style="margin:4px 0"><b>{escape(t("card.provider", lang))}:</b> '
                         f'{escape(deciding.provider.provider)}: '
                         f'{escape(deciding.provider.meaning(lang))}</p>')
        lines.append(f'<p style="margin:4px 0"><b>{escape(t("card.next", lang))}:</b> '
                     f'{escape(explanation.advice)}</p>')
        lines += [f'<p style="margin:4px 0">{escape(t("card.note", lang))}: {escape(note)}</p>'
                  for note in deciding.notes]
        body = transcript_table(explanation.transcript, lang, explained=explanation.items)
        return wrap("".join(lines) + body, lang, "explanation")
    if not explanation.items:
        head = f'<p style="margin:4px 0">{_no_reply_badge(explanation, lang)}</p>'
        rows = _no_reply_rows(explanation, lang)
    else:
        item = explanation.items[-1]
        head = (f'<p style="margin:4px 0">{badge(item.reply.code, lang)} '
                f'<b>{escape(item.entry.name)}</b></p>')
        rows = _explained_rows(item, lang, explanation.source)
    table = f'<table style="border-collapse:collapse">{_rows(rows)}</table>'
    return wrap(head + table, lang, "explanation")


def explanation_text(explanation: "Explanation") -> str:
    lang = explanation.lang
    if explanation.transcript is not None:
        lines = [f"{t('card.verdict', lang)}: {explanation.verdict}"]
        if explanation.source:
            lines.append(f"{t('card.read_from', lang)}: {explanation.source}")
        for item in explanation.items:
            lines.append(f"  {command_label(item.command, lang):<28} -> {item.summary(lang)}")
        deciding = explanation.deciding
        if deciding.provider is not None:
            lines.append(f"{t('card.provider', lang)}: {deciding.provider.provider}: "
                         f"{deciding.provider.meaning(lang)}")
        lines.append(f"{t('card.next', lang)}: {explanation.advice}")
        lines += [f"{t('card.note', lang)}: {note}" for note in deciding.notes]
        return "\n".join(lines)
    if not explanation.items:
        if explanation.enhanced is not None:
            head = f"{symbol(int(explanation.enhanced.code[0]) * 100)} {explanation.enhanced.code} " \
                   f"({t('card.enhanced_only', lang)})"
        else:
            head = f"⊘ {t('card.no_code', lang)}"
        return "\n".join([head] + [f"  {h}: {text}" for h, text in _no_reply_rows(explanation, lang)
                                   if text])
    item = explanation.items[-1]
    lines = [f"{symbol(item.reply.code)} {item.reply.code} {item.entry.name}"]
    lines += [f"  {head}: {text}" for head, text in _explained_rows(item, lang, explanation.source)
              if text and head != t("card.reply", lang)]
    return "\n".join(lines)


# --- comparisons --------------------------------------------------------------------------------

def comparison_html(comparison: "Comparison") -> str:
    lang = comparison.lang
    a, b = comparison.a, comparison.b
    header = (f'<tr><th style="{_CELL}"></th>'
              f'<th style="{_CELL}">{badge(a.code, lang)}<br><b>{escape(a.name)}</b></th>'
              f'<th style="{_CELL}">{badge(b.code, lang)}<br><b>{escape(b.name)}</b></th></tr>')
    rows = []
    for facet in comparison.facets:
        head = f'<th style="{_CELL}width:11em">{escape(facet.heading)}</th>'
        if facet.shared:
            rows.append(f'<tr>{head}<td colspan="2" style="{_CELL}">{escape(facet.a)}</td></tr>')
        else:
            rows.append(f'<tr>{head}<td style="{_CELL}width:40%">{escape(facet.a)}</td>'
                        f'<td style="{_CELL}width:40%">{escape(facet.b)}</td></tr>')
    table = f'<table style="border-collapse:collapse;width:100%">{header}{"".join(rows)}</table>'
    return wrap(table, lang, "comparison")


def comparison_text(comparison: "Comparison") -> str:
    a, b = comparison.a, comparison.b
    versus = t("compare.versus", comparison.lang)
    lines = [f"{symbol(a.code)} {a.code} {a.name}  {versus}  {symbol(b.code)} {b.code} {b.name}"]
    for facet in comparison.facets:
        lines.append(f"{facet.heading}:")
        if facet.shared:
            lines.append(f"  {facet.a}")
        else:
            lines.append(f"  {a.code}: {facet.a}")
            lines.append(f"  {b.code}: {facet.b}")
    return "\n".join(lines)


# --- transcripts --------------------------------------------------------------------------------

def transcript_table(transcript: "Transcript", lang: str, explained=None,
                     highlight: int | None = None) -> str:
    """Every line of a dialogue; each reply's last line gets a one-line explanation.

    ``highlight`` marks the reply at that index in ``transcript.exchanges`` (the verdict).
    """
    from .catalogue import lookup

    if explained is None:
        explained = [None] * len(transcript.exchanges)
    index = 0
    rows = []
    for side, text, note in transcript.annotated():
        style = _CELL + "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
        explain_cell = ""
        if side == "S" and text[3:4] != "-":
            exchange = transcript.exchanges[index]
            item = explained[index]
            entry = item.entry if item is not None else lookup(exchange.reply.code, lang)
            explain_cell = f"{symbol(exchange.reply.code)} {entry.name}"
            if index == highlight:
                mark, fg, bg = CLASS_STYLE[exchange.reply.code // 100]
                style += f"background:{bg};color:{fg};font-weight:700;"
            index += 1
        who = t("card.server", lang) if side == "S" else t("card.client", lang)
        rows.append(
            f'<tr><td style="{_CELL}">{escape(who)}</td>'
            f'<td style="{style}">{escape(side)}: {escape(text)}</td>'
            f'<td style="{_CELL}">{escape(note)}</td>'
            f'<td style="{_CELL}">{escape(explain_cell)}</td></tr>'
        )
    head = (f'<tr><th style="{_CELL}">{escape(t("card.who", lang))}</th>'
            f'<th style="{_CELL}">{escape(t("card.line", lang))}</th>'
            f'<th style="{_CELL}">{escape(t("card.decoded", lang))}</th>'
            f'<th style="{_CELL}">{escape(t("card.meaning", lang))}</th></tr>')
    return f'<table style="border-collapse:collapse">{head}{"".join(rows)}</table>'


def transcript_text(transcript: "Transcript") -> str:
    """The dialogue as text, with decoded base64 beside AUTH lines."""
    out = []
    for side, text, note in transcript.annotated():
        line = f"{side}: {text}"
        out.append(f"{line:<48}  # {note}" if note else line)
    return "\n".join(out)


def outcome_html(outcome, lang: str) -> str:
    """A lab session: the verdict first (code, class, plain words), then every line."""
    if outcome.code is not None:
        head = badge(outcome.code, lang)
    else:
        head = ('<span class="smtplesson-badge" style="border:1px solid #57606a;border-radius:4px;'
                f'padding:1px 6px;font-weight:600">⊘ {escape(t("card.no_code", lang))}</span>')
    verdict = (f'<p class="smtplesson-verdict" style="margin:6px 0;font-size:110%">'
               f'<b>{escape(t("card.verdict", lang))}:</b> {head} {escape(outcome.message)}</p>')
    table = transcript_table(outcome.transcript, lang, highlight=outcome.verdict_index)
    return wrap(verdict + table, lang, "outcome")
