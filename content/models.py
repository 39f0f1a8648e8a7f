"""The shape of study content, validated on load so a typo fails `content check`, not a chat."""

from __future__ import annotations

import re
from enum import StrEnum
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
Slug = Field(pattern=SLUG_PATTERN, max_length=64)

OptionalSlug = Field(default=None, pattern=SLUG_PATTERN, max_length=64)
# A quiz option is a button label, and Slack cuts those at 75 characters: it must fit whole.
MAX_OPTION = 75


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Difficulty(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Topic(Entry):
    id: str = Slug
    name: str = Field(min_length=1, max_length=80)
    description: str = Field(min_length=1, max_length=400)


class ResourceKind(StrEnum):
    COURSE_CHAPTER = "course-chapter"
    DOCUMENTATION = "documentation"
    BOOK_CHAPTER = "book-chapter"
    PAPER = "paper"
    VIDEO = "video"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")


class Cost(StrEnum):
    FREE = "free"
    PAID = "paid"


class Resource(Entry):
    """Something to read or watch: a course chapter, a documentation page, a book chapter…"""

    id: str = Slug
    title: str = Field(min_length=1, max_length=160)
    url: str = Field(min_length=12, max_length=400)
    kind: ResourceKind
    minutes: int = Field(ge=5, le=600)
    cost: Cost
    # The tip topics it serves, for `/resources <topic>`.
    topics: tuple[str, ...] = Field(min_length=1, max_length=4)

    @field_validator("url")
    @classmethod
    def _https_url(cls, url: str) -> str:
        """Members click these: only https, a real host name, and nothing a chat would mangle."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme != "https":
            raise ValueError("must start with https://")
        if "." not in host or not re.fullmatch(r"[a-z0-9.-]+", host):
            raise ValueError("needs a host name such as example.org")
        if re.search(r"[\s<>\"|`]", url):
            raise ValueError("must not contain spaces, quotes, <, >, | or backticks")
        return url


class Tip(Entry):
    id: str = Slug
    topic: str = Slug
    title: str = Field(min_length=1, max_length=120)
    # One concrete thing to do, small enough for one sitting.
    action: str = Field(min_length=1, max_length=600)
    minutes: int = Field(ge=5, le=60)
    why: str = Field(min_length=1, max_length=600)
    difficulty: Difficulty
    resource: str | None = OptionalSlug


class Week(Entry):
    id: str = Slug
    number: int = Field(ge=1, le=52)
    title: str = Field(min_length=1, max_length=120)
    goal: str = Field(min_length=1, max_length=600)
    topic: str = Slug
    concepts: tuple[str, ...] = Field(min_length=1, max_length=10)
    exercise: str = Field(min_length=1, max_length=900)
    checkin_question: str = Field(min_length=1, max_length=300)
    resources: tuple[str, ...] = Field(min_length=2, max_length=4)
    # The capstone project runs through every week: this week's step, its hours and the artefact
    # that shows it is done.
    capstone: str = Field(min_length=1, max_length=600)
    capstone_hours: int = Field(ge=1, le=20)
    done_when: str = Field(min_length=1, max_length=400)


class Role(Entry):
    id: str = Slug
    name: str = Field(min_length=1, max_length=80)
    summary: str = Field(min_length=1, max_length=900)


class Aspect(Entry):
    id: str = Slug
    title: str = Field(min_length=1, max_length=80)
    order: int = 0
    software: str = Field(min_length=1, max_length=900)
    ml: str = Field(min_length=1, max_length=900)
    detail: str = Field(min_length=1, max_length=1800)
    for_your_move: str = Field(min_length=1, max_length=900)


class Question(Entry):
    """A multiple-choice practice question: four options, one right, a short why."""

    id: str = Slug
    topic: str = Slug
    prompt: str = Field(min_length=1, max_length=300)
    options: tuple[str, ...] = Field(min_length=4, max_length=4)
    # 1-based, as the buttons are numbered.
    answer: int = Field(ge=1, le=4)
    explanation: str = Field(min_length=1, max_length=500)
    difficulty: Difficulty
    resource: str | None = OptionalSlug

    @field_validator("options")
    @classmethod
    def _distinct_short_options(cls, options: tuple[str, ...]) -> tuple[str, ...]:
        if any(not option or len(option) > MAX_OPTION for option in options):
            raise ValueError(f"each option needs 1 to {MAX_OPTION} characters (a button label)")
        if len({option.lower() for option in options}) != len(options):
            raise ValueError("two options are the same")
        return options

    @model_validator(mode="after")
    def _two_sentences(self) -> Question:
        if len(SENTENCE_END.findall(self.explanation)) != 2:
            raise ValueError("explanation must be exactly two sentences")
        return self

    @property
    def correct(self) -> str:
        return self.options[self.answer - 1]


SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


# Top-level TOML array name → entry model. A content file may hold any of these arrays.
ENTRY_KINDS: dict[str, type[Entry]] = {
    "topics": Topic,
    "tips": Tip,
    "weeks": Week,
    "roles": Role,
    "aspects": Aspect,
    "resources": Resource,
    "questions": Question,
}
