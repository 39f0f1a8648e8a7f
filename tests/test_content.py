from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from content.catalog import ContentError, load_catalog


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return load_catalog()


def test_shipped_content_meets_the_brief(catalog) -> None:  # type: ignore[no-untyped-def]
    assert len(catalog.tips) >= 60
    assert len(catalog.topics) >= 8
    per_topic = Counter(tip.topic for tip in catalog.tips.values())
    assert set(per_topic) == set(catalog.topics)
    assert sorted(catalog.weeks) == list(range(1, 13))
    required_aspects = {
        "focus",
        "daily-work",
        "success",
        "uncertainty",
        "deliverables",
        "skills",
        "tools",
        "overlap",
    }
    assert required_aspects <= set(catalog.aspects)
    assert all(tip.minutes <= 60 for tip in catalog.tips.values())


def _all_text(catalog) -> str:  # type: ignore[no-untyped-def]
    pieces: list[str] = []
    for group in (catalog.roles, catalog.aspects, catalog.tips, catalog.topics):
        for entry in group.values():
            pieces += [str(value) for value in entry.model_dump().values()]
    for week in catalog.weeks.values():
        pieces += [str(value) for value in week.model_dump().values()]
    return re.sub(r"\s+", " ", " ".join(pieces)).lower()


FACTS = [
    # Software engineers: what they build and how.
    [
        "designs, builds and maintains software systems",
        "reliable and scale",
        "mobile apps",
        "web development",
        "operating systems",
        "enterprise software",
    ],
    [
        "implementing new functionality against clear goals and priorities",
        "much of the day is writing code",
        "works without bugs",
        "tests pass or fail",
    ],
    [
        "recommendation systems",
        "natural language processing",
        "predictive maintenance",
        "model what users prefer",
        "research and design new ai applications",
    ],
    ["work is experimental", "failed experiment is as valuable as studying a success"],
    [
        "problem, its scope and the constraints of the system",
        "data pipelines efficient",
        "integrate them into larger software systems",
        "test and validate",
    ],
    [
        "continuous learning",
        "online master's programmes in applied ai",
        "ethics and social responsibility",
        "science, mathematics, engineering, statistics, healthcare or technology",
        "hands-on projects",
        "different data sets",
    ],
    [
        "machine learning, programming languages, software development and mathematics",
        "non-technical stakeholders",
        "continued education",
        "adapt",
    ],
]


@pytest.mark.parametrize("phrases", FACTS, ids=[f"fact-{i}" for i in range(1, len(FACTS) + 1)])
def test_every_fact_from_the_source_article_is_carried(catalog, phrases) -> None:  # type: ignore[no-untyped-def]
    text = _all_text(catalog)
    missing = [phrase for phrase in phrases if phrase not in text]
    assert missing == []


def test_override_folder_adds_and_replaces_by_id(tmp_path: Path) -> None:
    (tmp_path / "ours.toml").write_text(
        """
[[tips]]
id = "math-vectors-by-hand"
topic = "math"
title = "Our own take on vectors"
action = "Do the vectors exercise from our meetup."
minutes = 20
why = "Because our group asked for it."
difficulty = "beginner"

[[topics]]
id = "interviews"
name = "Interviews"
description = "Preparing for ML engineering interviews."

[[tips]]
id = "interviews-mock"
topic = "interviews"
title = "Run a mock ML system design interview"
action = "Pair up and design a recommender in 45 minutes."
minutes = 45
why = "System design rounds are common for ML engineers."
difficulty = "intermediate"
""",
        encoding="utf-8",
    )
    shipped = load_catalog()
    merged = load_catalog(tmp_path)
    assert merged.tips["math-vectors-by-hand"].title == "Our own take on vectors"
    assert merged.tips["interviews-mock"].topic == "interviews"
    assert len(merged.tips) == len(shipped.tips) + 1


def test_every_problem_is_reported_with_file_and_entry(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text(
        """
[[tips]]
id = "no-action"
topic = "math"
title = "Missing its action"
minutes = 20
why = "x"
difficulty = "beginner"

[[tips]]
id = "too-long"
topic = "nowhere"
title = "Takes all day"
action = "Everything."
minutes = 600
why = "x"
difficulty = "impossible"

[[weeks]]
id = "week-02b"
number = 2
title = "A second week two"
goal = "g"
topic = "math"
concepts = ["c"]
exercise = "e"
checkin_question = "q"

[[recipes]]
id = "pasta"
""",
        encoding="utf-8",
    )
    (tmp_path / "garbled.toml").write_text("[[tips]\nid = ", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_catalog(tmp_path)
    report = [str(problem) for problem in caught.value.problems]
    broken = str(tmp_path / "broken.toml")
    assert f"{broken} [no-action]: action: Field required" in report
    assert any(line.startswith(f"{broken} [too-long]: minutes") for line in report)
    assert any(line.startswith(f"{broken} [too-long]: difficulty") for line in report)
    assert any("unknown section 'recipes'" in line for line in report)
    assert any(line.startswith(str(tmp_path / "garbled.toml")) for line in report)
    assert any("several weeks claim number 2" in line for line in report)


def test_unknown_topic_is_reported_after_merge(tmp_path: Path) -> None:
    (tmp_path / "t.toml").write_text(
        '[[tips]]\nid = "orphan"\ntopic = "astrology"\ntitle = "t"\naction = "a"\n'
        'minutes = 10\nwhy = "w"\ndifficulty = "beginner"\n',
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as caught:
        load_catalog(tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 't.toml'} [orphan]: unknown topic 'astrology' (known: communication, "
        "data, deep-learning, evaluation, math, ml-fundamentals, mlops, software-craft)"
    ]


def test_missing_folder_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="not a folder"):
        load_catalog(tmp_path / "nope")
