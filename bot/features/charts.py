"""Bar charts as PNG bytes, drawn off-screen (matplotlib's Agg backend, no display needed)."""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)
from matplotlib.ticker import MaxNLocator  # noqa: E402


def bar_chart_png(title: str, labels: list[str], values: list[int]) -> bytes:
    figure = Figure(figsize=(6.4, 0.6 * len(labels) + 1.6), dpi=100)
    axes = figure.subplots()
    wrapped = [textwrap.fill(label, 28) for label in labels]
    positions = list(range(len(labels)))[::-1]
    bars = axes.barh(positions, values, color="#5865F2")
    axes.set_yticks(positions, wrapped)
    axes.set_title(textwrap.fill(title, 60))
    axes.set_xlabel("votes")
    axes.bar_label(bars, padding=3)
    axes.set_xlim(0, max([*values, 1]) * 1.2)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # votes come whole
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
