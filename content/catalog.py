"""Load, merge and cross-check the study content.

Shipped content lives in `content/data/*.toml`. Organizers may point `STUDYBOT_CONTENT_DIR` at a
folder of more TOML files: an entry whose id already exists replaces it, a new id adds an entry.
Every problem is collected (not just the first), each with its file and entry id.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from content.models import ENTRY_KINDS, Aspect, Entry, Question, Resource, Role, Tip, Topic, Week

SHIPPED_DIR = Path(__file__).parent / "data"
REQUIRED_ROLES = ("software", "ml")
MIN_TIPS_PER_TOPIC = 1

E = TypeVar("E", bound=Entry)


@dataclass(frozen=True, kw_only=True)
class Problem:
    file: str
    entry: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file} [{self.entry}]" if self.entry else self.file
        return f"{where}: {self.message}"


class ContentError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(self.describe())

    def describe(self) -> str:
        lines = [f"The study content has {len(self.problems)} problem(s):"]
        lines += [f"  - {problem}" for problem in self.problems]
        return "\n".join(lines)


@dataclass(frozen=True)
class Catalog:
    topics: dict[str, Topic]
    tips: dict[str, Tip]
    weeks: dict[int, Week]
    roles: dict[str, Role]
    aspects: dict[str, Aspect]
    resources: dict[str, Resource]
    questions: dict[str, Question]

    def tips_in(self, topic_id: str) -> list[Tip]:
        return [tip for tip in self.tips.values() if tip.topic == topic_id]

    def questions_in(self, topic_id: str) -> list[Question]:
        return [question for question in self.questions.values() if question.topic == topic_id]

    def resources_for_week(self, week: Week) -> list[Resource]:
        return [self.resources[resource_id] for resource_id in week.resources]

    def resources_in(self, topic_id: str) -> list[Resource]:
        return [resource for resource in self.resources.values() if topic_id in resource.topics]

    def summary(self) -> str:
        """The counts `studybot content check` reports."""
        return (
            f"{len(self.tips)} tips in {len(self.topics)} topics, {self.week_count} roadmap "
            f"weeks, {len(self.resources)} resources, {len(self.questions)} quiz questions, "
            f"{len(self.aspects)} comparison aspects"
        )

    def ordered_aspects(self) -> list[Aspect]:
        return sorted(self.aspects.values(), key=lambda aspect: (aspect.order, aspect.id))

    @property
    def week_count(self) -> int:
        return max(self.weeks, default=0)


def load_catalog(extra_dir: Path | None = None) -> Catalog:
    """The shipped content merged with `extra_dir`; raises ContentError listing every problem."""
    problems: list[Problem] = []
    merged: dict[str, dict[str, Entry]] = defaultdict(dict)
    origins: dict[tuple[str, str], str] = {}
    sources = [SHIPPED_DIR]
    if extra_dir is not None:
        if not extra_dir.is_dir():
            raise ContentError([Problem(file=str(extra_dir), entry=None, message="not a folder")])
        sources.append(extra_dir)
    for folder in sources:
        for path in sorted(folder.glob("*.toml")):
            _load_file(path, merged, origins, problems)
    catalog = Catalog(
        topics=_typed(merged["topics"], Topic),
        tips=_typed(merged["tips"], Tip),
        weeks={week.number: week for week in _typed(merged["weeks"], Week).values()},
        roles=_typed(merged["roles"], Role),
        aspects=_typed(merged["aspects"], Aspect),
        resources=_typed(merged["resources"], Resource),
        questions=_typed(merged["questions"], Question),
    )
    problems += _cross_check(catalog, merged["weeks"].values(), origins)
    if problems:
        raise ContentError(problems)
    return catalog


def _load_file(
    path: Path,
    merged: dict[str, dict[str, Entry]],
    origins: dict[tuple[str, str], str],
    problems: list[Problem],
) -> None:
    name = path.name if path.parent == SHIPPED_DIR else str(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
        problems.append(Problem(file=name, entry=None, message=f"cannot be read: {error}"))
        return
    for kind, raw_entries in document.items():
        model = ENTRY_KINDS.get(kind)
        if model is None:
            known = ", ".join(ENTRY_KINDS)
            problems.append(
                Problem(file=name, entry=None, message=f"unknown section {kind!r} (use {known})")
            )
            continue
        if not isinstance(raw_entries, list):
            problems.append(
                Problem(file=name, entry=None, message=f"{kind!r} must be an array of tables")
            )
            continue
        for position, raw in enumerate(raw_entries, start=1):
            entry_id = _raw_id(raw, kind, position)
            try:
                entry = model.model_validate(raw)
            except ValidationError as error:
                for detail in error.errors():
                    field = ".".join(str(part) for part in detail["loc"]) or "entry"
                    problems.append(
                        Problem(file=name, entry=entry_id, message=f"{field}: {detail['msg']}")
                    )
                continue
            entry_key: str = entry.id  # type: ignore[attr-defined]
            merged[kind][entry_key] = entry
            origins[(kind, entry_key)] = name


def _raw_id(raw: Any, kind: str, position: int) -> str:
    if isinstance(raw, dict) and isinstance(entry_id := raw.get("id"), str):
        return entry_id
    return f"{kind} #{position}"


def _typed(entries: dict[str, Entry], model: type[E]) -> dict[str, E]:
    return {key: entry for key, entry in entries.items() if isinstance(entry, model)}


def _cross_check(
    catalog: Catalog, weeks: Iterable[Entry], origins: dict[tuple[str, str], str]
) -> list[Problem]:
    problems: list[Problem] = []

    def file_of(kind: str, entry_id: str) -> str:
        return origins.get((kind, entry_id), kind)

    for tip in catalog.tips.values():
        if tip.topic not in catalog.topics:
            problems.append(_unknown_topic(file_of("tips", tip.id), tip.id, tip.topic, catalog))
        if tip.resource is not None and tip.resource not in catalog.resources:
            problems.append(_unknown_resource(file_of("tips", tip.id), tip.id, tip.resource))
    for question in catalog.questions.values():
        where = file_of("questions", question.id)
        if question.topic not in catalog.topics:
            problems.append(_unknown_topic(where, question.id, question.topic, catalog))
        if question.resource is not None and question.resource not in catalog.resources:
            problems.append(_unknown_resource(where, question.id, question.resource))
    problems += _check_resources(catalog, file_of)
    by_number: dict[int, list[str]] = defaultdict(list)
    for week in weeks:
        assert isinstance(week, Week)
        by_number[week.number].append(week.id)
        if week.topic not in catalog.topics:
            problems.append(_unknown_topic(file_of("weeks", week.id), week.id, week.topic, catalog))
        for resource_id in week.resources:
            if resource_id not in catalog.resources:
                problems.append(_unknown_resource(file_of("weeks", week.id), week.id, resource_id))
        if len(set(week.resources)) != len(week.resources):
            problems.append(
                Problem(
                    file=file_of("weeks", week.id), entry=week.id, message="lists a resource twice"
                )
            )
    for number, ids in sorted(by_number.items()):
        if len(ids) > 1:
            problems.append(
                Problem(
                    file=", ".join(sorted({file_of("weeks", i) for i in ids})),
                    entry=", ".join(ids),
                    message=f"several weeks claim number {number}",
                )
            )
    expected = set(range(1, catalog.week_count + 1))
    if missing := sorted(expected - set(catalog.weeks)):
        problems.append(
            Problem(file="weeks", entry=None, message=f"roadmap has gaps: weeks {missing} missing")
        )
    if not catalog.weeks:
        problems.append(Problem(file="weeks", entry=None, message="the roadmap has no weeks"))
    for topic in catalog.topics.values():
        if len(catalog.tips_in(topic.id)) < MIN_TIPS_PER_TOPIC:
            problems.append(
                Problem(
                    file=file_of("topics", topic.id), entry=topic.id, message="topic has no tips"
                )
            )
    for role in REQUIRED_ROLES:
        if role not in catalog.roles:
            problems.append(Problem(file="roles", entry=role, message="role is missing"))
    if not catalog.aspects:
        problems.append(Problem(file="aspects", entry=None, message="no comparison aspects"))
    return problems


def _check_resources(catalog: Catalog, file_of: Callable[[str, str], str]) -> list[Problem]:
    """Every resource serves known topics, and no page is listed twice under two ids."""
    problems: list[Problem] = []
    first_with: dict[str, str] = {}
    for resource in catalog.resources.values():
        where = file_of("resources", resource.id)
        for topic in resource.topics:
            if topic not in catalog.topics:
                problems.append(_unknown_topic(where, resource.id, topic, catalog))
        # The same page listed under two ids (a trailing slash or capitals do not make it new).
        page = resource.url.rstrip("/").lower()
        if page in first_with:
            problems.append(
                Problem(
                    file=where,
                    entry=resource.id,
                    message=f"the same URL as resource {first_with[page]!r}",
                )
            )
        else:
            first_with[page] = resource.id
    return problems


def _unknown_resource(file: str, entry_id: str, resource_id: str) -> Problem:
    return Problem(file=file, entry=entry_id, message=f"unknown resource {resource_id!r}")


def _unknown_topic(file: str, entry_id: str, topic: str, catalog: Catalog) -> Problem:
    known = ", ".join(sorted(catalog.topics))
    return Problem(file=file, entry=entry_id, message=f"unknown topic {topic!r} (known: {known})")
