"""Bar charts as PNG bytes, drawn off-screen (matplotlib's Agg backend, no display needed).

matplotlib is imported when the first chart is drawn, not at start-up: it costs about 40 MB of
resident memory and a good part of the start-up time, and many processes never draw a chart.
"""

from __future__ import annotations

import io
import textwrap


def bar_chart_png(title: str, labels: list[str], values: list[int]) -> bytes:
    # The object-oriented Figure API draws with the Agg canvas and never touches pyplot's
    # global backend state, so no `matplotlib.use()` is needed.
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

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
