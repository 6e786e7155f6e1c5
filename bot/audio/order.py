"""The order a playlist plays in, per ``PlaylistMode`` (DESIGN.md section 4)."""

from __future__ import annotations

import enum
import itertools
import random
from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


class PlaylistMode(enum.StrEnum):
    CONTINUOUS = "continuous"  # in order, once
    LOOP = "loop"  # repeat the list
    LOOP_ONE = "loop_one"  # repeat the first/current sound
    RANDOM = "random"  # random picks
    SINGLE = "single"  # first sound only


def play_order(
    items: Sequence[T],
    mode: PlaylistMode,
    *,
    shuffle: bool = False,
    rng: random.Random | None = None,
) -> Iterator[T]:
    """Yield the items in play order; ``loop``, ``loop_one`` and ``random`` never end.

    ``shuffle`` shuffles the list once, before the mode applies. ``random`` picks with
    replacement but avoids playing the same item twice in a row when there is a choice.
    The caller ends infinite orders (``max_playback_seconds`` or ``/stop``).
    """
    rng = rng or random.Random()
    order = list(items)
    if not order:
        return iter(())
    if shuffle:
        rng.shuffle(order)
    match mode:
        case PlaylistMode.CONTINUOUS:
            return iter(order)
        case PlaylistMode.LOOP:
            return itertools.cycle(order)
        case PlaylistMode.LOOP_ONE:
            return itertools.repeat(order[0])
        case PlaylistMode.SINGLE:
            return iter(order[:1])
        case PlaylistMode.RANDOM:
            return _random_picks(order, rng)
    raise ValueError(f"unknown playlist mode {mode!r}")


def _random_picks(order: list[T], rng: random.Random) -> Iterator[T]:
    last: int | None = None
    while True:
        choices = [i for i in range(len(order)) if i != last] or [0]
        last = rng.choice(choices)
        yield order[last]
