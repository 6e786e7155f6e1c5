"""Wake-ups across processes on PostgreSQL: a task created, edited, cancelled, paused, resumed
or skipped in one process wakes the dispatchers of the others at once (``LISTEN/NOTIFY`` on
one channel, the task's guild in the payload; each listener wakes only for the guilds its
shards hold), and the process keeping a message about the task true redraws it (the task and
the process that changed it are in the payload too). With SQLite there is one process, and
the service wakes its own dispatcher directly."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.shard_locks import asyncpg_dsn

_log = logging.getLogger(__name__)

CHANNEL = "carillon_tasks"
RECONNECT_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class TaskChange:
    """What a process tells the others about a task it changed. ``None``: unknown (a
    ``guild_id`` of None wakes every process; a system task has none either)."""

    guild_id: int | None = None
    due_at: datetime | None = None
    task_id: int | None = None
    # The changing process's identity: it has already told its own watchers.
    origin: str | None = None


OnChange = Callable[[TaskChange], None]


async def announce(session: AsyncSession, change: TaskChange) -> None:
    """Tell the other processes, when this transaction commits, that a task changed."""
    bind = session.bind
    if bind is None or bind.dialect.name != "postgresql":
        return
    payload = json.dumps(
        {
            "guild": change.guild_id,
            "due": change.due_at.isoformat() if change.due_at is not None else None,
            "task": change.task_id,
            "from": change.origin,
        }
    )
    await session.execute(select(func.pg_notify(CHANNEL, payload)))


def parse(payload: str) -> TaskChange:
    data = json.loads(payload)
    due = data.get("due")
    guild, task, origin = data.get("guild"), data.get("task"), data.get("from")
    if not all(v is None or isinstance(v, int) for v in (guild, task)):
        raise TypeError("guild and task are integers")
    return TaskChange(
        guild,
        datetime.fromisoformat(due) if due else None,
        task,
        origin if isinstance(origin, str) else None,
    )


class TaskWakeups:
    """Listens on its own connection for as long as it runs; reconnects when it is lost."""

    def __init__(self, url: str, on_change: OnChange) -> None:
        self.dsn = asyncpg_dsn(url)
        self.on_change = on_change
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(
            self._listen(), name="carillon-task-wakeups"
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), 10)

    async def _listen(self) -> None:
        while True:
            lost = asyncio.Event()
            try:
                connection = await asyncpg.connect(self.dsn)
            except (OSError, asyncpg.PostgresError) as exc:
                _log.warning("cannot listen for task changes (%s); retrying", exc)
                await asyncio.sleep(RECONNECT_SECONDS)
                continue
            connection.add_termination_listener(lambda _, lost=lost: lost.set())
            await connection.add_listener(CHANNEL, self._on_notification)
            self._listening.set()
            # A change announced while no one listened is caught up on by a full look.
            self.on_change(TaskChange())
            try:
                await lost.wait()
            finally:
                with contextlib.suppress(Exception):
                    await connection.close()
            _log.warning("lost the connection listening for task changes; reconnecting")
            await asyncio.sleep(RECONNECT_SECONDS)

    def _on_notification(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            change = parse(payload)
        except (ValueError, TypeError, AttributeError):
            _log.warning("ignored a malformed task change notice: %r", payload)
            return
        self.on_change(change)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
