"""Run one lesson notebook in many fresh kernels at once, as a classroom on one machine would."""

from __future__ import annotations

import asyncio
import copy
import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
LIVE_LAB = ROOT / "notebooks" / "02-a-whole-conversation.ipynb"
# A result, not print(): under load a kernel's stdout can arrive after the cell has finished.
PEAK_RSS_CELL = ("import re\n"
                 "'peak-rss-kib ' + re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)")


def _outputs_text(notebook) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.extend(str(value) for value in output.get("data", {}).values())
    return "\n".join(parts)


async def run_many(count: int, notebook_path: Path = LIVE_LAB, timeout: int = 600) -> list[dict]:
    """Execute ``count`` copies at once, each in its own kernel; report errors, ports, peak RSS."""
    template = nbformat.read(notebook_path, as_version=4)
    template.cells.append(nbformat.v4.new_code_cell(PEAK_RSS_CELL))

    async def one(index: int) -> dict:
        notebook = copy.deepcopy(template)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        client = NotebookClient(notebook, kernel_name="python3", timeout=timeout,
                                resources={"metadata": {"path": str(notebook_path.parent)}})
        error = None
        try:
            await client.async_execute()
        except Exception as exc:  # noqa: BLE001 - reported per learner, asserted by the caller
            error = f"{type(exc).__name__}: {str(exc)[-500:]}"
        text = _outputs_text(notebook)
        ports = re.findall(r"LabServer running on 127\.0\.0\.1:(\d+)", text)
        peak = re.search(r"peak-rss-kib (\d+)", text)
        return {"learner": index, "error": error, "ports": ports,
                "peak_rss_kib": int(peak.group(1)) if peak else None, "text": text}

    return await asyncio.gather(*(one(index) for index in range(count)))


def run_many_sync(count: int, **kwargs) -> list[dict]:
    return asyncio.run(run_many(count, **kwargs))
