"""Write the README's generated parts: the command table (from the registry, the same lines
`/help` shows) and the console transcripts (real output of `studybot console`).

`python -m bot.readme` (or `make docs`) rewrites them between their markers;
tests/test_readme.py fails when they drift from what the code does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bot.core.registry import Registry

README = Path(__file__).resolve().parent.parent / "README.md"
COMMANDS = "commands"
# Transcripts: the name in the README's marker → the lines typed into the console.
TRANSCRIPTS = {
    "poll": '/poll "Which topic next?" "Statistics" "Deep learning" "MLOps"\n/press 2\n'
    "/poll close 1\n",
    "checkin": "/checkin open\n/checkin answer\nBackpropagation by hand\n"
    "Attention and transformers\nnone\n4\n/checkin close\n",
    "session": '/session add "Paper club" thu 18:30 Europe/Berlin cap 8\n/press 1\n',
}


def _cell(text: str) -> str:
    # A pipe ends a table cell even inside a code span on GitHub.
    return text.replace("|", "\\|")


def commands_markdown(registry: Registry) -> str:
    rows = ["| command | what it does |", "| --- | --- |"]
    for spec in registry.commands:
        for form in spec.usage_forms:
            role = " (organizers)" if form.organizers_only else ""
            rows.append(f"| `{_cell(form.usage)}` | {_cell(form.summary)}{role} |")
    return "\n".join(rows)


def transcript(name: str) -> str:
    """What a newcomer sees typing the transcript's lines into a fresh console."""
    lines = TRANSCRIPTS[name]
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "HOME": home,
            "XDG_DATA_HOME": f"{home}/data",
            "XDG_CONFIG_HOME": f"{home}/config",
            "XDG_CACHE_HOME": f"{home}/cache",
            "MPLCONFIGDIR": f"{home}/mpl",
            "STUDYBOT_DATABASE_URL": f"sqlite:///{home}/studybot.db",
            "COLUMNS": "80",
        }
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "console"],
            input=lines,
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=120,
        )
        output = result.stdout.replace(home, "/home/you")
    typed = lines.strip().replace("\n", "\\n").replace("'", "'\\''")
    return f"$ printf '{typed}\\n' | studybot console\n{output.rstrip()}"


def _block(name: str, body: str, *, fenced: bool) -> str:
    inner = f"```text\n{body}\n```" if fenced else body
    return f"<!-- generated:{name} -->\n{inner}\n<!-- /generated:{name} -->"


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"<!-- generated:{re.escape(name)} -->\n(?:.*?\n)?<!-- /generated:{re.escape(name)} -->",
        re.DOTALL,
    )


def generated_section(text: str, name: str) -> str | None:
    found = _pattern(name).search(text)
    return found[0] if found else None


def render(text: str, registry: Registry) -> str:
    """The README with every generated section written anew."""
    text = _pattern(COMMANDS).sub(
        lambda _m: _block(COMMANDS, commands_markdown(registry), fenced=False), text
    )
    for name in TRANSCRIPTS:
        key = f"transcript:{name}"
        if generated_section(text, key) is not None:
            block = _block(key, transcript(name), fenced=True)
            text = _pattern(key).sub(lambda _m: block, text)  # noqa: B023 - used at once
    return text


GALLERY = README.parent / "docs" / "charts"


def chart_gallery() -> dict[str, bytes]:
    """The charts studybot draws, with the hard cases (a long title, accents, Cyrillic, CJK,
    an emoji), to be looked at as images: docs/charts/."""
    from bot.features.charts import bar_chart_png, column_chart_png

    weeks = ["05 Oct", "12 Oct", "19 Oct", "26 Oct", "02 Nov", "09 Nov", "16 Nov", "23 Nov"]
    return {
        "poll-results.png": bar_chart_png(
            "Which topic should we study next, now that everyone has finished the first "
            "project? 📈",
            [
                "Statistik für Einsteiger",
                "Глубокое обучение",
                "深層学習 (deep learning)",
                "MLOps 🚀",
            ],
            [3, 5, 2, 0],
        ),
        "group-progress.png": column_chart_png(
            "Members taking part, week by week",
            weeks,
            [2, 4, 5, 5, 3, 6, 7, 6],
            unit="members",
        ),
        "organizer-report.png": column_chart_png(
            "Members taking part, this week and the four before",
            weeks[-5:],
            [5, 3, 6, 7, 4],
            unit="members",
        ),
    }


def write_gallery(folder: Path = GALLERY) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in chart_gallery().items():
        path = folder / name
        path.write_bytes(data)
        written.append(path)
    return written


def main() -> None:
    from bot.features import feature_modules

    registry = Registry.collect(feature_modules())
    README.write_text(render(README.read_text(), registry))
    print(f"wrote {README}")
    for path in write_gallery():
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
