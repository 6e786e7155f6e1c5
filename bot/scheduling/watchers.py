"""Who hears that a task changed (was created, ran, was cancelled, paused, resumed, skipped or
edited), so that messages about it can be redrawn. Callbacks are plain and quick: they
schedule work."""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

TaskWatcher = Callable[[int], None]


class TaskWatchers:
    def __init__(self) -> None:
        self._watchers: list[TaskWatcher] = []

    def add(self, watcher: TaskWatcher) -> None:
        self._watchers.append(watcher)

    def changed(self, task_id: int) -> None:
        for watcher in self._watchers:
            try:
                watcher(task_id)
            except Exception:
                log.exception("task %s: a watcher failed", task_id)
