from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from content.catalog import ContentError, load_catalog


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return load_catalog()


MIN_TIPS, MIN_TOPICS, MIN_QUESTIONS = 120, 10, 120


def test_shipped_content_meets_the_brief(catalog) -> None:  # type: ignore[no-untyped-def]
    assert len(catalog.tips) >= MIN_TIPS
    assert len(catalog.topics) >= MIN_TOPICS
    assert len(catalog.questions) >= MIN_QUESTIONS
    assert {"llm-engineering", "responsible-ml"} <= set(catalog.topics)
    per_topic = Counter(tip.topic for tip in catalog.tips.values())
    assert set(per_topic) == set(catalog.topics)
    assert {question.topic for question in catalog.questions.values()} == set(catalog.topics)
    assert sorted(catalog.weeks) == list(range(1, 13))
    required_aspects = {
        "focus",
        "role-landscape",
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


def test_every_topic_has_advanced_tips_and_a_fair_share_overall(catalog) -> None:  # type: ignore[no-untyped-def]
    advanced = [tip for tip in catalog.tips.values() if tip.difficulty.value == "advanced"]
    assert {tip.topic for tip in advanced} == set(catalog.topics)
    assert len(advanced) / len(catalog.tips) >= 0.15


def test_every_week_lists_two_to_four_known_resources(catalog) -> None:  # type: ignore[no-untyped-def]
    for week in catalog.weeks.values():
        resources = catalog.resources_for_week(week)
        assert 2 <= len(resources) <= 4, week.id
        assert all(resource.url.startswith("https://") for resource in resources)


def test_the_roadmap_has_an_llm_week_centred_on_retrieval_and_its_evaluation(catalog) -> None:  # type: ignore[no-untyped-def]
    llm_weeks = [week for week in catalog.weeks.values() if week.topic == "llm-engineering"]
    assert llm_weeks
    text = " ".join(
        " ".join([week.goal, week.exercise, *week.concepts]) for week in llm_weeks
    ).lower()
    assert "retrieval" in text
    assert "evaluat" in text
    assert "recall@5" in text


def test_one_capstone_runs_from_the_first_week_to_the_demo(catalog) -> None:  # type: ignore[no-untyped-def]
    weeks = [catalog.weeks[number] for number in sorted(catalog.weeks)]
    assert "choose" in weeks[0].capstone.lower()
    assert "demo" in weeks[-1].capstone.lower()
    for week in weeks:
        assert week.capstone
        assert week.done_when
        assert 1 <= week.capstone_hours <= 20
    # Each week builds on something an earlier week produced: no "last week's model" from nowhere.
    assert "week 4" in catalog.weeks[6].done_when.lower() or "week-4" in catalog.weeks[6].done_when
    assert 30 <= sum(week.capstone_hours for week in weeks) <= 80


def test_the_review_findings_stay_fixed(catalog) -> None:  # type: ignore[no-untyped-def]
    tips = catalog.tips
    seeds = tips["craft-seed-everything"]
    seeds_text = f"{seeds.action} {seeds.why}".lower()
    assert "several seeds" in seeds_text or "five different seeds" in seeds_text
    assert "gpu" in seeds_text
    assert "deterministic" in seeds_text
    imbalance = tips["data-class-imbalance"]
    assert "precision and recall" in imbalance.action.lower()
    idempotent = f"{tips['data-pipeline-idempotent'].action} {tips['data-pipeline-idempotent'].why}"
    assert "idempotent" in idempotent.lower()
    assert "deterministic" in idempotent.lower()
    assert any("idempotent versus deterministic" in c for c in catalog.weeks[5].concepts)
    finder = tips["dl-learning-rate-finder"].action.lower()
    assert "a little before the loss minimum" not in finder
    assert "ten times below" in finder
    derivative = tips["math-derivative-numerically"].action
    smallest = min(float(step) for step in re.findall(r"1e-\d+", derivative))
    assert smallest <= 1e-10  # small enough for rounding error to show
    drift = f"{tips['mlops-drift-check'].action} {tips['mlops-drift-check'].why}".lower()
    assert "population stability index" in drift
    assert "effect size" in drift
    transfer = tips["dl-transfer-learning"]
    assert "linear probing" in transfer.action.lower()
    assert "lora" in transfer.why.lower()
    ml_role = catalog.roles["ml"].summary.lower()
    assert "research scientists" in ml_role
    daily = catalog.aspects["daily-work"]
    assert "less code" not in f"{daily.ml} {daily.detail}".lower()


def test_the_role_landscape_names_the_neighbouring_roles(catalog) -> None:  # type: ignore[no-untyped-def]
    landscape = catalog.aspects["role-landscape"].detail.lower()
    for role in ("data scientist", "research scientist", "ml platform engineer", "ai engineer"):
        assert role in landscape


def test_every_question_has_one_right_answer_among_four_distinct_options(catalog) -> None:  # type: ignore[no-untyped-def]
    for question in catalog.questions.values():
        assert len(set(question.options)) == 4
        assert question.correct == question.options[question.answer - 1]
    # Authors put the right answer anywhere: not always in the same place.
    assert len({question.answer for question in catalog.questions.values()}) == 4


def test_content_has_no_eight_word_run_from_a_source_text(catalog) -> None:  # type: ignore[no-untyped-def]
    from content.overlap import shared_runs

    tip = catalog.tips["data-profile-first"]
    copied_source = f"As the course puts it: {tip.action} That is all."
    found = shared_runs(catalog, {"course.txt": copied_source, "other.txt": "nothing alike here"})
    assert [(run.entry, run.source) for run in found] == [("tips/data-profile-first", "course.txt")]
    assert len(found[0].words.split()) >= 8
    # Seven shared words in a row are allowed; the check starts at eight.
    seven = " ".join(tip.action.split()[:7])
    assert shared_runs(catalog, {"short.txt": seven}) == []


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
resources = ["d2l-calculus", "mml-book"]
capstone = "c"
capstone_hours = 2
done_when = "d"

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
        "data, deep-learning, evaluation, llm-engineering, math, ml-fundamentals, mlops, "
        "responsible-ml, software-craft)"
    ]


def test_missing_folder_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="not a folder"):
        load_catalog(tmp_path / "nope")


def _write(folder: Path, text: str) -> None:
    (folder / "extra.toml").write_text(text, encoding="utf-8")


RESOURCE = """
[[resources]]
id = "{id}"
title = "A page"
url = "{url}"
kind = "{kind}"
minutes = 20
cost = "free"
topics = ["math"]
"""


def test_resources_must_be_https_well_formed_of_a_known_kind_and_listed_once(
    tmp_path: Path,
) -> None:
    shipped_url = load_catalog().resources["d2l-calculus"].url
    _write(
        tmp_path,
        RESOURCE.format(id="plain-http", url="http://example.org/a", kind="video")
        + RESOURCE.format(id="no-host", url="https://localhost/page", kind="video")
        + RESOURCE.format(id="spaces", url="https://example.org/a b", kind="video")
        + RESOURCE.format(id="odd-kind", url="https://example.org/b", kind="podcast")
        + RESOURCE.format(id="again", url=shipped_url + "/", kind="book-chapter"),
    )
    with pytest.raises(ContentError) as caught:
        load_catalog(tmp_path)
    report = "\n".join(str(problem) for problem in caught.value.problems)
    assert "[plain-http]: url: Value error, must start with https://" in report
    assert "[no-host]: url: Value error, needs a host name" in report
    assert "[spaces]: url: Value error, must not contain spaces" in report
    assert "[odd-kind]: kind:" in report
    assert "[again]: the same URL as resource 'd2l-calculus'" in report


def test_weeks_tips_and_questions_must_name_known_resources(tmp_path: Path) -> None:
    _write(
        tmp_path,
        """
[[tips]]
id = "math-vectors-by-hand"
topic = "math"
title = "Vectors"
action = "Do it."
minutes = 20
why = "Because."
difficulty = "beginner"
resource = "no-such-page"

[[questions]]
id = "q-math-dot-product"
topic = "math"
prompt = "Which?"
options = ["a", "b", "c", "d"]
answer = 2
explanation = "One sentence. Two sentences."
difficulty = "beginner"
resource = "missing-too"
""",
    )
    with pytest.raises(ContentError) as caught:
        load_catalog(tmp_path)
    report = [str(problem) for problem in caught.value.problems]
    extra = str(tmp_path / "extra.toml")
    assert f"{extra} [math-vectors-by-hand]: unknown resource 'no-such-page'" in report
    assert f"{extra} [q-math-dot-product]: unknown resource 'missing-too'" in report


def test_a_question_needs_four_distinct_options_a_valid_answer_and_two_sentences(
    tmp_path: Path,
) -> None:
    _write(
        tmp_path,
        """
[[questions]]
id = "q-bad-answer"
topic = "math"
prompt = "Which?"
options = ["a", "b", "c", "d"]
answer = 5
explanation = "One. Two."
difficulty = "beginner"

[[questions]]
id = "q-same-options"
topic = "math"
prompt = "Which?"
options = ["a", "A", "c", "d"]
answer = 1
explanation = "One. Two."
difficulty = "beginner"

[[questions]]
id = "q-three-options"
topic = "math"
prompt = "Which?"
options = ["a", "b", "c"]
answer = 1
explanation = "One. Two."
difficulty = "beginner"

[[questions]]
id = "q-one-sentence"
topic = "math"
prompt = "Which?"
options = ["a", "b", "c", "d"]
answer = 1
explanation = "Only one sentence here."
difficulty = "beginner"
""",
    )
    with pytest.raises(ContentError) as caught:
        load_catalog(tmp_path)
    report = "\n".join(str(problem) for problem in caught.value.problems)
    assert "[q-bad-answer]: answer:" in report
    assert "[q-same-options]: options: Value error, two options are the same" in report
    assert "[q-three-options]: options:" in report
    assert (
        "[q-one-sentence]: entry: Value error, explanation must be exactly two sentences" in report
    )


def test_organizers_can_add_and_replace_resources_and_questions_by_id(tmp_path: Path) -> None:
    _write(
        tmp_path,
        RESOURCE.format(id="d2l-calculus", url="https://example.org/our-calculus", kind="video")
        + RESOURCE.format(id="our-notes", url="https://example.org/notes", kind="documentation")
        + """
[[questions]]
id = "q-math-dot-product"
topic = "math"
prompt = "Our own dot product question?"
options = ["w", "x", "y", "z"]
answer = 3
explanation = "Ours. Really ours."
difficulty = "beginner"
resource = "our-notes"
""",
    )
    shipped = load_catalog()
    merged = load_catalog(tmp_path)
    assert merged.resources["d2l-calculus"].url == "https://example.org/our-calculus"
    assert merged.resources["our-notes"].kind.label == "documentation"
    assert len(merged.resources) == len(shipped.resources) + 1
    assert merged.questions["q-math-dot-product"].correct == "y"
    assert len(merged.questions) == len(shipped.questions)
