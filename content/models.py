"""The shape of study content, validated on load so a typo fails `content check`, not a chat."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

Slug = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)


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


class Tip(Entry):
    id: str = Slug
    topic: str = Slug
    title: str = Field(min_length=1, max_length=120)
    # One concrete thing to do, small enough for one sitting.
    action: str = Field(min_length=1, max_length=600)
    minutes: int = Field(ge=5, le=60)
    why: str = Field(min_length=1, max_length=600)
    difficulty: Difficulty


class Week(Entry):
    id: str = Slug
    number: int = Field(ge=1, le=52)
    title: str = Field(min_length=1, max_length=120)
    goal: str = Field(min_length=1, max_length=600)
    topic: str = Slug
    concepts: tuple[str, ...] = Field(min_length=1, max_length=10)
    exercise: str = Field(min_length=1, max_length=900)
    checkin_question: str = Field(min_length=1, max_length=300)


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


# Top-level TOML array name → entry model. A content file may hold any of these arrays.
ENTRY_KINDS: dict[str, type[Entry]] = {
    "topics": Topic,
    "tips": Tip,
    "weeks": Week,
    "roles": Role,
    "aspects": Aspect,
}
