"""Find runs of words the study content shares with a source text.

Our content is written in our own words: no run of `RUN` (8) or more consecutive words may match
a source it draws on. `studybot content check --against DIR` compares every entry with each
`.txt` file in DIR (paste a course page, an article or a chapter there) and names each shared run.
Words are compared lower-cased with punctuation dropped, so a copied sentence cannot hide
behind different quotes or capitals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from content.catalog import Catalog
from content.models import Entry

RUN = 8
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@dataclass(frozen=True, kw_only=True)
class SharedRun:
    entry: str  # e.g. "tips/data-profile-first"
    source: str
    words: str


def words_of(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("’", "'"))


def runs(words: list[str], length: int = RUN) -> Iterator[tuple[str, ...]]:
    for start in range(len(words) - length + 1):
        yield tuple(words[start : start + length])


def entry_texts(catalog: Catalog) -> dict[str, str]:
    """Every piece of prose in the catalog, one text per entry, keyed "kind/id"."""
    groups: dict[str, Iterable[Entry]] = {
        "topics": catalog.topics.values(),
        "tips": catalog.tips.values(),
        "weeks": catalog.weeks.values(),
        "roles": catalog.roles.values(),
        "aspects": catalog.aspects.values(),
        "questions": catalog.questions.values(),
    }
    texts: dict[str, str] = {}
    for kind, entries in groups.items():
        for entry in entries:
            dumped = entry.model_dump()
            pieces = [_prose(value) for key, value in dumped.items() if key not in {"id", "url"}]
            texts[f"{kind}/{dumped['id']}"] = "\n".join(pieces)
    return texts


def _prose(value: object) -> str:
    if isinstance(value, (list, tuple)):
        # Each item on its own line: a run must not bridge two options or two concepts.
        return "\n".join(str(item) for item in value)
    return str(value)


def shared_runs(
    catalog: Catalog, sources: Mapping[str, str], *, length: int = RUN
) -> list[SharedRun]:
    """Every maximal run of at least `length` words that an entry shares with a source."""
    found: list[SharedRun] = []
    source_runs = {name: set(runs(words_of(text), length)) for name, text in sources.items()}
    for entry, text in entry_texts(catalog).items():
        for line in text.split("\n"):
            words = words_of(line)
            for name, known in source_runs.items():
                found += _maximal(entry, name, words, known, length)
    return found


def _maximal(
    entry: str, source: str, words: list[str], known: set[tuple[str, ...]], length: int
) -> list[SharedRun]:
    """Merge overlapping matches into one run each, so a copied sentence is reported once."""
    matches = [i for i, run in enumerate(runs(words, length)) if run in known]
    merged: list[SharedRun] = []
    start = end = -1
    for index in matches:
        if index <= end - length + 1:
            end = index + length
            continue
        if start >= 0:
            merged.append(SharedRun(entry=entry, source=source, words=" ".join(words[start:end])))
        start, end = index, index + length
    if start >= 0:
        merged.append(SharedRun(entry=entry, source=source, words=" ".join(words[start:end])))
    return merged
