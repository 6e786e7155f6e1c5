"""How a front end names a task: members by its number in their server, the HTTP API and
the buttons by its global id."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TaskNumber:
    """A task's number in its server, as members see it ("#3")."""

    value: int

    def __str__(self) -> str:
        return f"#{self.value}"


# A plain int is the task's global id.
TaskRef = int | TaskNumber


def shown_id(ref: TaskRef) -> int:
    """The number an error text shows after "#": the one the caller gave."""
    return ref.value if isinstance(ref, TaskNumber) else ref
