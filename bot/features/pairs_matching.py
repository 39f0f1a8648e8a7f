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


def _weight(
    a: Candidate, b: Candidate, *, day: date, recent: Collection[frozenset[str]], seed: str
) -> int:
    novel = frozenset((a.member_id, b.member_id)) not in recent
    overlap = overlap_minutes((a, b), day)
    return (NOVELTY if novel else 0) + overlap * SCALE + _jitter(seed, a.member_id, b.member_id)


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
    by_id = {c.member_id: c for c in people}
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(by_id)
    for a, b in combinations(people, 2):
        graph.add_edge(
            a.member_id, b.member_id, weight=_weight(a, b, day=day, recent=recent, seed=seed)
        )
    matched = nx.max_weight_matching(graph, maxcardinality=True)
    groups = [sorted(edge) for edge in matched]
    groups.sort(key=lambda pair: -graph.edges[pair[0], pair[1]]["weight"])
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
            tuple(group): sum(graph.edges[member, other]["weight"] for other in group) // len(group)
            for group in open_groups
        }
        target = max(open_groups, key=lambda group: (gains[tuple(group)], tuple(group)))
        target.append(member)
    return sorted(tuple(sorted(group)) for group in groups)
