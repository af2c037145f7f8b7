"""Build a self-contained static copy of the lesson in ``site/`` (``make html``).

Every notebook becomes an HTML page with its saved widget state. The widget renderer
(npm ``@jupyter-widgets/html-manager``) and require.js are copied next to the pages instead of
being loaded from a CDN, so the site reads from a USB stick or an intranet with no internet.
Readers without JavaScript see each widget's static card instead.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
NPM_DIR = ROOT / ".tools" / "site"
PACKAGES = {"@jupyter-widgets/html-manager": "1.0.15", "requirejs": "2.3.8"}
VENDOR = "vendor"


def vendor_files(site: Path) -> None:
    """Install the two npm packages once into the project's tool folder; copy them into the site."""
    manager = NPM_DIR / "node_modules" / "@jupyter-widgets" / "html-manager" / "dist"
    require = NPM_DIR / "node_modules" / "requirejs" / "require.js"
    if not (manager.is_dir() and require.is_file()):
        if shutil.which("npm") is None:
            sys.exit("make html needs npm once, to fetch the widget renderer (or a filled .tools/site)")
        NPM_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(NPM_DIR),
                        *[f"{name}@{version}" for name, version in PACKAGES.items()]], check=True)
    target = site / VENDOR
    shutil.copytree(manager, target / "html-manager", dirs_exist_ok=True)
    shutil.copyfile(require, target / "require.js")
    (target / "no-mathjax.js").write_text("/* the lesson has no formulas: MathJax is not needed */\n")


def page_name(notebook: Path) -> str:
    return notebook.stem + ".html"


def build(site: Path) -> list[Path]:
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    vendor_files(site)
    exporter = HTMLExporter(
        extra_template_basedirs=[str(Path(__file__).parent)], template_name="site_template",
        require_js_url=f"{VENDOR}/require.js", mathjax_url=f"{VENDOR}/no-mathjax.js",
        widget_renderer_url=f"{VENDOR}/html-manager/embed-amd.js",
    )
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
        "<p>A read-only copy of the lesson, with every output stored. It needs no internet: the widget "
        "renderer is in <code>vendor/</code>. To run the lesson yourself, install it "
        "(<code>pip install smtplesson</code>, then <code>smtplesson start</code>).</p>"
        f"<ol start=\"0\">{rows}</ol></body></html>", encoding="utf-8")
    (site / "manifest.json").write_text(json.dumps([page.name for page in pages], indent=1))
    return pages


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site"
    built = build(target)
    print(f"built {len(built)} pages and index.html in {target}")
