"""Build a self-contained static copy of the lesson in ``site/`` (``make html``).

Every notebook becomes an HTML page (nbconvert's ``lab`` template). The notebooks store each
widget as the static card it showed when its cell ran (``make notebooks``), so a page needs no
widget renderer and no script at all: it reads the same with JavaScript on or off, from a USB
stick or an intranet with no internet. The template's script slots point at one local stub.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
#: The one script file a page links (the template's require.js and MathJax slots): a stub.
STUB = "static-page.js"


def page_name(notebook: Path) -> str:
    return notebook.stem + ".html"


def build(site: Path) -> list[Path]:
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    (site / STUB).write_text("/* The lesson's pages need no script: widgets are stored as cards. */\n")
    exporter = HTMLExporter(template_name="lab", require_js_url=STUB, mathjax_url=STUB)
    pages, entries = [], []
    for notebook_path in notebooks:
        notebook = nbformat.read(notebook_path, as_version=4)
        body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": notebook_path.stem}})
        # links between notebooks point at the pages instead
        body = re.sub(r'href="(\d\d-[\w-]+)\.ipynb', r'href="\1.html', body)
        page = site / page_name(notebook_path)
        page.write_text(body, encoding="utf-8")
        pages.append(page)
        first = notebook.cells[0].source.splitlines()
        time = next((line for line in first if line.startswith("**Time:**")), "")
        entries.append((page.name, first[0].lstrip("# ").strip(), time.replace("**Time:**", "").strip()))
    rows = "".join(f'<li><a href="{html.escape(name)}">{html.escape(title)}</a> <small>({html.escape(time)})'
                   "</small></li>" for name, title, time in entries)
    (site / "index.html").write_text(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>smtplesson</title>"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\"></head>"
        "<body style=\"font-family:system-ui,sans-serif;max-width:46em;margin:2em auto;line-height:1.5\">"
        "<h1>SMTP reply codes: 250 versus 535</h1>"
        "<p>A read-only copy of the lesson, with every output stored as the learner saw it. It needs "
        "no internet and no JavaScript. To run the lesson yourself, see the README of the "
        "repository (<code>make lab</code>).</p>"
        f"<ol start=\"0\">{rows}</ol></body></html>", encoding="utf-8")
    (site / "manifest.json").write_text(json.dumps([page.name for page in pages], indent=1))
    return pages


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site"
    built = build(target)
    print(f"built {len(built)} pages and index.html in {target}")
