"""Bar charts as PNG bytes, drawn off-screen (matplotlib's Agg backend, no display needed).

matplotlib is imported when the first chart is drawn, not at start-up: it costs about 40 MB of
resident memory and a good part of the start-up time, and many processes never draw a chart.

Text: matplotlib falls back through the fonts below that are installed (DejaVu Sans ships with
it and covers Latin, Greek and Cyrillic; Noto covers the rest where the system has it, e.g. the
Debian packages fonts-noto-core and fonts-noto-cjk). A character none of them has (most emoji:
Agg cannot draw colour fonts) is left out of the chart rather than drawn as an empty box; the
message around the chart still carries it. Charts are drawn at 2x for high-density screens.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

FONT_FAMILIES = (
    "DejaVu Sans",
    "Noto Sans",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans Arabic",
    "Noto Sans Devanagari",
    "Noto Sans Hebrew",
    "Noto Sans Thai",
)
DPI = 200  # 2x: a 6.4-inch chart is 1,280 pixels wide
WIDTH_INCHES = 6.4
BAR_COLOUR = "#5865F2"


@cache
def _fonts() -> tuple[tuple[str, str], ...]:
    """(family, file) of each family above that is installed, in order."""
    from matplotlib import font_manager

    files = {entry.name: entry.fname for entry in font_manager.fontManager.ttflist}
    return tuple((family, files[family]) for family in FONT_FAMILIES if family in files)


@cache
def _has_glyph(character: str) -> bool:
    from matplotlib.ft2font import FT2Font

    if character.isspace() or ord(character) < 128:
        return True
    return any(FT2Font(path).get_char_index(ord(character)) for _, path in _fonts())


def drawable(text: str) -> str:
    """`text` without the characters no installed font can draw, tidied."""
    kept = "".join(character for character in text if _has_glyph(character))
    return " ".join(kept.split())


def _figure(height_inches: float) -> Any:
    # The object-oriented Figure API draws with the Agg canvas and never touches pyplot's
    # global backend state, so no `matplotlib.use()` is needed.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, height_inches), dpi=DPI)
    figure.set_layout_engine("tight")
    return figure


def _finish(figure: Any, axes: Any, title: str) -> bytes:
    # Over the whole figure, not the axes: long labels push the axes right, and a title centred
    # on them would run off the edge.
    figure.suptitle(textwrap.fill(drawable(title), 60))
    axes.spines[["top", "right"]].set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


@contextmanager
def _font_family() -> Iterator[None]:
    """Fallback fonts for the duration of one drawing (rcParams are global)."""
    from matplotlib import rcParams

    saved = rcParams["font.family"]
    rcParams["font.family"] = [family for family, _ in _fonts()] or ["sans-serif"]
    try:
        yield
    finally:
        rcParams["font.family"] = saved


def bar_chart_png(
    title: str, labels: list[str], values: list[int], *, unit: str = "votes"
) -> bytes:
    """Horizontal bars, one per option (long labels wrap): a poll's results."""
    from matplotlib.ticker import MaxNLocator

    with _font_family():
        figure = _figure(0.6 * len(labels) + 1.6)
        axes = figure.subplots()
        wrapped = [textwrap.fill(drawable(label), 28) for label in labels]
        positions = list(range(len(labels)))[::-1]
        bars = axes.barh(positions, values, color=BAR_COLOUR)
        axes.set_yticks(positions, wrapped)
        axes.set_xlabel(unit)
        axes.bar_label(bars, padding=3)
        axes.set_xlim(0, max([*values, 1]) * 1.2)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts come whole
        return _finish(figure, axes, title)


def column_chart_png(title: str, labels: list[str], values: list[int], *, unit: str) -> bytes:
    """Vertical bars, one per week left to right: a group's weeks."""
    from matplotlib.ticker import MaxNLocator

    with _font_family():
        figure = _figure(3.4)
        axes = figure.subplots()
        positions = list(range(len(labels)))
        bars = axes.bar(positions, values, color=BAR_COLOUR)
        axes.set_xticks(positions, [drawable(label) for label in labels])
        axes.set_ylabel(unit)
        axes.bar_label(bars, padding=2)
        axes.set_ylim(0, max([*values, 1]) * 1.25)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        if len(labels) > 6:
            axes.tick_params(axis="x", labelrotation=45)
        return _finish(figure, axes, title)
