"""Exceptions the core raises; the app-command error handler maps each to an ephemeral reply."""

from __future__ import annotations


class CarillonError(Exception):
    """Base class: the message is safe to show to a member as it is."""


class InvalidInput(CarillonError):
    """Input a member or admin can correct; the message says how."""


class NotFound(CarillonError):
    """A task, sound, playlist or member that does not exist (or is not theirs to see)."""


class NotPermitted(CarillonError):
    """The caller may not do this."""


class LimitReached(CarillonError):
    """A per-member or per-server limit stops the action."""


class ConfigError(CarillonError):
    """The configuration is invalid; the message names the key as the file spells it.

    ``key`` is dotted (``scheduler.max_retries``, ``discord.owner_ids[0]``) and shown as
    ``[scheduler] max_retries``; ``where`` replaces it in the message (the file's path).
    """

    def __init__(self, key: str, problem: str, *, where: str | None = None) -> None:
        section, _, name = key.partition(".")
        shown = where or (f"[{section}] {name}" if name else f"[{section}]")
        super().__init__(f"config: {shown}: {problem}")
        self.key = key
        self.problem = problem


class TaskFailure(CarillonError):
    """A task run failed: ``PermanentTaskFailure`` or ``TransientTaskFailure`` (retried)."""


class PermanentTaskFailure(TaskFailure):
    """A failure that retrying cannot fix (sound deleted, channel gone, no credits...).

    ``ends_task`` false: this occurrence fails but a recurring task keeps its later runs.
    """

    def __init__(self, message: str, *, ends_task: bool = True) -> None:
        super().__init__(message)
        self.ends_task = ends_task


class RunSkipped(TaskFailure):
    """This occurrence is not played, by the task's own rule (``skip_if_empty``): recorded as
    skipped, charged nothing, later runs kept."""


class InsufficientCredits(PermanentTaskFailure, LimitReached):
    """The payer's balance does not cover the cost; later runs may find it recharged."""

    def __init__(self, message: str, *, balance: int, cost: int) -> None:
        super().__init__(message, ends_task=False)
        self.balance = balance
        self.cost = cost


class TransientTaskFailure(TaskFailure):
    """A failure worth retrying (voice connect timeout, Discord 5xx...)."""


EXIT_TRANSIENT = 1
# sysexits' EX_CONFIG: a restart alone cannot fix it (service managers are told not to retry).
EXIT_NEEDS_OPERATOR = 78


class StartupFailure(CarillonError):
    """The bot cannot start; the message is one paragraph telling the operator what to fix.

    ``lasting``: trying again will not help until someone changes something (a refused token,
    an intent switched off, a database from a newer version, a folder it may not write).
    """

    def __init__(self, message: str, *, lasting: bool = False) -> None:
        super().__init__(message)
        self.exit_status = EXIT_NEEDS_OPERATOR if lasting else EXIT_TRANSIENT
