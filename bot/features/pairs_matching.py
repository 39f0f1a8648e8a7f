"""Matching accountability partners: who overlaps in their free hours, and who has not met lately.

A maximum-weight matching (networkx) over every two opted-in members, with maximum cardinality so
nobody is left out: a pair that did not meet in the last rounds weighs more than any overlap can,
so a repeat-free matching wins whenever one exists, and among those the one with the most shared
free minutes. An odd member joins the group where they add the most. Ties are broken by a small
deterministic jitter seeded by the round, so a round is reproducible and tests can assert pairs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

import networkx as nx

from bot.core.hours import Hours

DEFAULT_HOURS = Hours(start=time(8, 0), end=time(22, 0))
# Greater than any day's overlap in minutes (1,440) times the weight scale: novelty first.
NOVELTY = 1_000_000
SCALE = 100  # overlap minutes are scaled so the jitter (0-99) only ever breaks ties


@dataclass(frozen=True, kw_only=True)
class Candidate:
    member_id: str
    zone: ZoneInfo
    hours: Hours | None = None

    @property
    def window(self) -> Hours:
        return self.hours or DEFAULT_HOURS


Interval = tuple[datetime, datetime]


def free_intervals(candidate: Candidate, day: date) -> list[Interval]:
    """The member's free hours that touch `day` (UTC), as aware instants: their window on the
    local days around it, so a window past midnight or a far zone is not cut off."""
    window, zone = candidate.window, candidate.zone
    out: list[Interval] = []
    for offset in (-1, 0, 1):
        local_day = day + timedelta(days=offset)
        start = datetime.combine(local_day, window.start, tzinfo=zone)
        end_day = local_day if window.start < window.end else local_day + timedelta(days=1)
        end = datetime.combine(end_day, window.end, tzinfo=zone)
        out.append((start, end))
    return out


def shared_intervals(members: Sequence[Candidate], day: date) -> list[Interval]:
    """When every one of `members` is free, on and around `day`, earliest first."""
    shared = free_intervals(members[0], day)
    for other in members[1:]:
        shared = [
            (max(a_start, b_start), min(a_end, b_end))
            for a_start, a_end in shared
            for b_start, b_end in free_intervals(other, day)
            if max(a_start, b_start) < min(a_end, b_end)
        ]
    utc = ZoneInfo("UTC")
    day_start = datetime.combine(day, time(0), tzinfo=utc)
    day_end = day_start + timedelta(days=1)
    clipped = [(max(s, day_start), min(e, day_end)) for s, e in shared]
    return sorted((s, e) for s, e in clipped if s < e)


def overlap_minutes(members: Sequence[Candidate], day: date) -> int:
    return sum(
        int((end - start).total_seconds() // 60) for start, end in shared_intervals(members, day)
    )


def _jitter(seed: str, a: str, b: str) -> int:
    first, second = sorted((a, b))
    digest = hashlib.sha256(f"{seed}|{first}|{second}".encode()).digest()
    return digest[0] % SCALE


def _overlap_minutes(first: list[Interval], second: list[Interval], day_span: Interval) -> int:
    """Minutes both are free within the UTC day, from each one's precomputed windows."""
    total = 0.0
    for a_start, a_end in first:
        for b_start, b_end in second:
            start = max(a_start, b_start, day_span[0])
            end = min(a_end, b_end, day_span[1])
            if start < end:
                total += (end - start).total_seconds()
    return int(total // 60)


def match(
    candidates: Sequence[Candidate],
    *,
    day: date,
    recent: Collection[frozenset[str]] = (),
    size: int = 2,
    seed: str = "",
) -> list[tuple[str, ...]]:
    """Groups of `size` (2 or 3) covering every candidate, each sorted by member id, the list
    sorted too. `recent` holds the pairs of the last rounds. Fewer than two candidates: none."""
    people = sorted(candidates, key=lambda c: c.member_id)
    if len(people) < 2:
        return []
    if len(people) > CHUNK:
        return _match_in_chunks(people, day=day, recent=recent, size=size, seed=seed)
    by_id = {c.member_id: c for c in people}
    # Each member's windows once (not once per pair: that was most of the time for 500).
    windows = {c.member_id: free_intervals(c, day) for c in people}
    day_start = datetime.combine(day, time(0), tzinfo=ZoneInfo("UTC"))
    day_span = (day_start, day_start + timedelta(days=1))
    weights = {
        (a.member_id, b.member_id): (
            (0 if frozenset((a.member_id, b.member_id)) in recent else NOVELTY)
            + _overlap_minutes(windows[a.member_id], windows[b.member_id], day_span) * SCALE
            + _jitter(seed, a.member_id, b.member_id)
        )
        for a, b in combinations(people, 2)
    }

    def weight(a: str, b: str) -> int:
        return weights[(a, b)] if a < b else weights[(b, a)]

    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(by_id)
    for (a, b), value in _strongest_edges(weights, len(people)).items():
        graph.add_edge(a, b, weight=value)
    matched = nx.max_weight_matching(graph, maxcardinality=True)
    groups = [sorted(edge) for edge in matched]
    groups.sort(key=lambda pair: -weight(pair[0], pair[1]))
    spare = [m for m in by_id if all(m not in group for group in groups)]
    if size == 3:
        # Keep the strongest third of the pairs as cores; everyone else joins one of them.
        cores = max(1, len(people) // 3)
        spare += [member for pair in groups[cores:] for member in pair]
        groups = groups[:cores]
    for member in sorted(spare):
        # Groups of three first; a group of four only when every group already has three.
        open_groups = [group for group in groups if len(group) < 3] or groups
        gains = {
            tuple(group): sum(weight(member, other) for other in group) // len(group)
            for group in open_groups
        }
        target = max(open_groups, key=lambda group: (gains[tuple(group)], tuple(group)))
        target.append(member)
    return sorted(tuple(sorted(group)) for group in groups)


# Past CHUNK members, neighbours in time (members sorted by when their day starts in UTC) are
# matched in chunks: networkx's blossom algorithm took 1.3 s for 200 members and 40 s for 1,000
# even with few edges (measured), and pairs across far-apart zones overlap little anyway.
CHUNK = 200


def _match_in_chunks(
    people: list[Candidate],
    *,
    day: date,
    recent: Collection[frozenset[str]],
    size: int,
    seed: str,
) -> list[tuple[str, ...]]:
    def day_starts(candidate: Candidate) -> datetime:
        return datetime.combine(day, candidate.window.start, tzinfo=candidate.zone)

    ordered = sorted(people, key=lambda c: (day_starts(c), c.member_id))
    chunks = -(-len(ordered) // CHUNK)
    step = -(-len(ordered) // chunks)
    step += step % 2  # even chunks: an odd member only in the last
    groups: list[tuple[str, ...]] = []
    for start in range(0, len(ordered), step):
        groups += match(ordered[start : start + step], day=day, recent=recent, size=size, seed=seed)
    return sorted(groups)


# The blossom algorithm is cubic: with every pair of 200 members as an edge it took 4.4 s
# (measured). Past this size each member keeps only their strongest partners, which leaves a
# perfect matching all but certain and the best pairs untouched.
ALL_EDGES_UP_TO = 60
PARTNERS_KEPT = 24
PARTNERS_KEPT_LARGE = 10  # past LARGE members
LARGE = 200


def _strongest_edges(weights: dict[tuple[str, str], int], count: int) -> dict[tuple[str, str], int]:
    if count <= ALL_EDGES_UP_TO:
        return weights
    best: dict[str, list[tuple[int, tuple[str, str]]]] = {}
    for edge, value in weights.items():
        for member in edge:
            best.setdefault(member, []).append((value, edge))
    keep = PARTNERS_KEPT if count <= LARGE else PARTNERS_KEPT_LARGE
    kept: dict[tuple[str, str], int] = {}
    for options in best.values():
        for value, edge in sorted(options, reverse=True)[:keep]:
            kept[edge] = value
    return kept
