"""Schedules: weekly nudges, check-ins and polls, delivered exactly once (see its issue)."""
