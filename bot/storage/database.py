"""The database handle: one async engine and session factory for SQLite or PostgreSQL.

SQLite takes one writer at a time; left to itself, a second writer waits in SQLite's busy
handler (holding a thread and a pooled connection) and fails after the timeout. So on
SQLite the app's transactions queue for a lock here first, in arrival order, except that
storing inbound messages (which webhooks wait for) goes first; reading sessions are not
queued (WAL lets readers run beside the writer)."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

IDLE_PING_S = 2.0  # a PostgreSQL connection idle longer is checked before use


class Database:
    """Owns the engine; `transaction()` yields a session that commits or rolls back."""

    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        options: dict[str, Any] = {"echo": echo}
        if url.startswith("sqlite"):  # connections kept, not reopened (a thread each)
            options.update(pool_size=12, max_overflow=0)
        else:  # more than the turns answered at once, so webhooks never wait for one
            options.update(pool_size=10, max_overflow=30)
        self.engine: AsyncEngine = create_async_engine(url, **options)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            _ping_when_idle(self.engine)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writer = _WriteLock() if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @asynccontextmanager
    async def transaction(self, urgent: bool = False) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction, committed when the block ends without error;
        on SQLite an `urgent` one goes before the others waiting to write."""
        if self._writer is None:
            async with self.sessions() as session, session.begin():
                yield session
            return
        async with self._writer.hold(urgent), self.sessions() as session, session.begin():
            yield session

    async def ping(self) -> bool:
        """Return whether the database answers a trivial query."""
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def close(self) -> None:
        await self.engine.dispose()


class _WriteLock:
    """Who writes next on SQLite: one task at a time, urgent ones (storing inbound
    messages, which webhooks wait for) before the others, each in arrival order. The
    holding task may open another transaction inside its own without waiting for itself."""

    def __init__(self) -> None:
        self._owner: asyncio.Task[Any] | None = None
        self._held = False
        self._queues: tuple[deque[asyncio.Future[None]], ...] = (deque(), deque())

    @asynccontextmanager
    async def hold(self, urgent: bool = False) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if self._held and task is not None and task is self._owner:
            yield
            return
        if self._held or any(self._queues):
            turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._queues[0 if urgent else 1].append(turn)
            try:
                await turn  # the releasing task hands the lock over
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self._release()  # handed over just as we gave up: pass it on
                raise
        self._held, self._owner = True, task
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        self._held, self._owner = False, None
        for queue in self._queues:
            while queue:
                turn = queue.popleft()
                if not turn.done():
                    self._held = True  # reserved for the woken task
                    turn.set_result(None)
                    return


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Check a pooled connection before use only if it sat idle for IDLE_PING_S (a server
    restart or an idle timeout may have closed it); SQLAlchemy's `pool_pre_ping` checks on
    every checkout, a round trip (and a socket write's CPU) five to seven times per
    message. A connection that fails the check is replaced; one cut while in use fails its
    statement, which the intake retries and a webhook answers with a 5xx."""
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    def returned(_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checked_out(connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_S:
            return
        try:
            alive = dialect.do_ping(connection)
        except Exception as error:
            raise DisconnectionError(f"pooled connection failed its check: {error}") from error
        if not alive:
            raise DisconnectionError("pooled connection failed its check")

    event.listen(pool, "checkin", returned)
    event.listen(pool, "checkout", checked_out)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
