"""How long matching accountability partners takes, against plain networkx in the same run.

The baseline is what the matcher did first: every pair of members an edge, one blossom
matching over all of them. Ours keeps each member's strongest partners past 60 members and
matches neighbours in time in chunks of 200. Printed as seconds and as a ratio to the baseline.

    python benchmarks/pairs_matching.py [--sizes 100 200 400]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date
from datetime import time as clock
from itertools import combinations
from zoneinfo import ZoneInfo

import networkx as nx

from bot.core.hours import Hours
from bot.features.pairs_matching import Candidate, match, overlap_minutes

ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Asia/Kolkata", "Australia/Sydney")
DAY = date(2026, 3, 2)


def people(count: int) -> list[Candidate]:
    rng = random.Random(count)
    return [
        Candidate(
            member_id=f"m{n:04d}",
            zone=ZoneInfo(rng.choice(ZONES)),
            hours=Hours(start=clock(rng.randint(6, 10)), end=clock(rng.randint(18, 23))),
        )
        for n in range(count)
    ]


def baseline(candidates: list[Candidate]) -> int:
    graph: nx.Graph[str] = nx.Graph()
    for a, b in combinations(candidates, 2):
        graph.add_edge(a.member_id, b.member_id, weight=overlap_minutes((a, b), DAY))
    return len(nx.max_weight_matching(graph, maxcardinality=True))


def timed(work: object) -> float:
    started = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 400])
    args = parser.parse_args()
    print("members  baseline s  ours s  ours/baseline")
    for size in args.sizes:
        group = people(size)
        before = timed(lambda g=group: baseline(g))
        after = timed(lambda g=group: match(g, day=DAY, seed="bench"))
        print(f"{size:7d}  {before:10.2f}  {after:6.2f}  {after / before:13.2f}x")


if __name__ == "__main__":
    main()
