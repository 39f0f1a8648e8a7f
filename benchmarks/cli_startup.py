"""How long `studybot --help` takes, against importing the two platform SDKs in the same run.

Goal (issue 14): `studybot --help` at most 0.5x the time of `python -c "import discord,
slack_bolt"`. Both are timed as fresh processes, interleaved so a noisy machine slows both
alike; the median of each is compared.

    python benchmarks/cli_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

GOAL = 0.5


def studybot_help() -> list[str]:
    script = shutil.which("studybot") or str(Path(sys.executable).with_name("studybot"))
    if Path(script).exists():
        return [script, "--help"]
    return [sys.executable, "-m", "bot.cli", "--help"]


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    sdks = [sys.executable, "-c", "import discord, slack_bolt"]
    ours = studybot_help()
    timed(sdks)  # warm the file cache for both before measuring
    timed(ours)
    ours_times, sdk_times = [], []
    for _ in range(runs):
        sdk_times.append(timed(sdks))
        ours_times.append(timed(ours))
    ours_median, sdk_median = statistics.median(ours_times), statistics.median(sdk_times)
    ratio = ours_median / sdk_median
    print(f"import discord, slack_bolt : {1000 * sdk_median:6.0f} ms (median of {runs})")
    print(f"studybot --help            : {1000 * ours_median:6.0f} ms (median of {runs})")
    verdict = "met" if ratio <= GOAL else "NOT met"
    print(f"ratio {ratio:.2f}x (goal <= {GOAL}x): {verdict}")


if __name__ == "__main__":
    main()
