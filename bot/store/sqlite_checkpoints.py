"""SQLite's WAL checkpoints, moved off the event loop and out of bursts.

With statements inline on the loop (bot/store/sqlite_inline.py), SQLite's automatic checkpoint
runs inside whichever commit crosses 1,000 pages of WAL: it copies the WAL into the database and
fsyncs, several milliseconds during which the loop answers nothing. Under a burst of Slack
interactions that was a checkpoint every few hundred inbox commits, each holding up every
acknowledgement in flight (the slowest 1 % of acks went from about 1.1x bare bolt's to 1.4-1.9x).
A checkpoint on a thread every second fixed the stalls but still cost a burst 20 % of its
throughput on a 2-core machine: the copy and the fsync take a core the burst was using.

So the engine's connection turns the automatic checkpoint off, and a PASSIVE checkpoint runs on
a thread of its own with a connection of its own (the sqlite3 module releases the GIL while
SQLite works) when the database has been quiet for QUIET_SECONDS after a commit, or at once if
the WAL has grown past MAX_WAL_BYTES (a load that never pauses still keeps the WAL bounded).
PASSIVE never waits for readers or writers: it copies what it can, and the next one copies the
rest. A checkpointed WAL is reused from its start and trimmed to MAX_WAL_BYTES, and the last
connection to close checkpoints it all, as SQLite always does.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

log = logging.getLogger(__name__)

QUIET_SECONDS = 0.25
# An acknowledged interaction writes about 5 KB of WAL (the row and its indexes' pages), so a
# burst of 4,000 stays under it and is not interrupted by a checkpoint.
MAX_WAL_BYTES = 64 * 1024 * 1024
# The WAL's size is looked at every so many commits (a stat call), not at each.
SIZE_CHECK_EVERY = 64

# One thread for every database of the process: checkpoints are short and rare.
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-checkpoint")


class BackgroundCheckpoints:
    """Checkpoints one database file's WAL from a thread once its commits pause."""

    def __init__(
        self,
        path: str,
        *,
        quiet: float = QUIET_SECONDS,
        max_wal_bytes: int = MAX_WAL_BYTES,
    ) -> None:
        self.path = path
        self.quiet = quiet
        self.max_wal_bytes = max_wal_bytes
        self.completed = 0
        self._wal = f"{path}-wal"
        self._commits = 0  # since the last checkpoint started
        self._last_commit = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._running = False

    def after_commit(self) -> None:
        """Called on the loop after each commit of the engine's connection."""
        self._commits += 1
        self._last_commit = time.monotonic()
        if self._running:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # a synchronous caller (migrations at start): the next commit arms it
        if self._commits % SIZE_CHECK_EVERY == 0 and self._wal_bytes() > self.max_wal_bytes:
            self._start(loop)
        elif self._timer is None:
            self._timer = loop.call_later(self.quiet, self._when_quiet, loop)

    def _when_quiet(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        if self._running or self._commits == 0:
            return
        waited = time.monotonic() - self._last_commit
        if waited < self.quiet:
            self._timer = loop.call_later(self.quiet - waited, self._when_quiet, loop)
            return
        self._start(loop)

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._running = True
        self._commits = 0
        loop.run_in_executor(_executor, self._checkpoint).add_done_callback(self._finished)

    def _finished(self, _future: asyncio.Future[None]) -> None:
        self._running = False

    def _wal_bytes(self) -> int:
        try:
            return os.stat(self._wal).st_size
        except OSError:
            return 0

    def _checkpoint(self) -> None:
        # mode=rw: never create a database that was removed meanwhile (a test's temporary one).
        try:
            connection = sqlite3.connect(
                f"{Path(self.path).resolve().as_uri()}?mode=rw", uri=True, timeout=0
            )
        except sqlite3.Error as error:
            log.debug("no WAL checkpoint: cannot open the database (%s)", error)
            return
        try:
            connection.execute(f"PRAGMA journal_size_limit={self.max_wal_bytes}")
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.completed += 1
        except sqlite3.Error as error:
            # Busy or locked: another checkpoint or a writer's WAL reset; the next one catches up.
            log.debug("WAL checkpoint skipped (%s)", error)
        finally:
            connection.close()


def connection_pragmas() -> tuple[str, ...]:
    """What a connection whose WAL is checkpointed in the background sets."""
    return ("PRAGMA wal_autocheckpoint=0", f"PRAGMA journal_size_limit={MAX_WAL_BYTES}")
