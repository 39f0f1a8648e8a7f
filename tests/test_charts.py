"""Charts: the gallery in docs/charts is the set the code draws, at 2x, and text no font can
draw is left out instead of appearing as empty boxes."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.image

from bot.features.charts import drawable
from bot.readme import GALLERY, chart_gallery


def size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_the_gallery_is_what_the_code_draws() -> None:
    charts = chart_gallery()
    committed = {path.name for path in Path(GALLERY).glob("*.png")}
    assert committed == set(charts), "run `make docs` and commit docs/charts"
    for name, png in charts.items():
        width, height = size(png)
        assert width == 1280, name  # 2x
        assert height >= 600, name
        pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
        assert pixels.std() > 0.05, name  # something is drawn
        assert (GALLERY / "README.md").read_text().count(f"({name})") == 1


def test_text_keeps_what_fonts_can_draw_and_drops_the_rest() -> None:
    assert drawable("Statistik für Einsteiger") == "Statistik für Einsteiger"
    assert drawable("Глубокое обучение") == "Глубокое обучение"
    assert drawable("MLOps 🚀") == "MLOps"  # Agg draws no colour emoji
