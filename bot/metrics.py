"""Prometheus metrics, served at GET /metrics (prometheus-client's text format).

Module-level, in prometheus-client's default registry, as the library intends: every part of the
process counts into the same series. Names follow Prometheus conventions (`_total`, `_seconds`).
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

HANDLED = Counter(
    "studybot_handled_total",
    "Commands and button presses handled, by name and outcome.",
    ["kind", "name", "outcome"],
)
REPLY_SECONDS = Histogram(
    "studybot_reply_seconds",
    "Time from a command or press reaching the dispatcher to its reply being ready.",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
SCHEDULED_POSTS = Counter(
    "studybot_scheduled_posts_total",
    "Scheduled posts by kind and final outcome (sent, failed, unknown).",
    ["kind", "outcome"],
)
PLATFORM_RETRIES = Counter(
    "studybot_platform_retries_total",
    "Requests re-sent to a platform, by reason (rate_limited, refused, no_answer).",
    ["platform", "reason"],
)
CONTENT_TYPE = CONTENT_TYPE_LATEST


def handled(kind: str, name: str, outcome: str, seconds: float) -> None:
    """The dispatcher's observer: one command or press done."""
    HANDLED.labels(kind=kind, name=name, outcome=outcome).inc()
    REPLY_SECONDS.labels(kind=kind).observe(seconds)


def exposition() -> bytes:
    return generate_latest()
