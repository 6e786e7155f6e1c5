"""Playlist modes, exactly as DESIGN.md section 4 defines them."""

from __future__ import annotations

import itertools
import random

from bot.audio.order import play_order
from bot.voice.play import PlaylistMode

SOUNDS = ["a", "b", "c", "d"]


def _take(mode: PlaylistMode, n: int = 10, **kwargs) -> list[str]:
    return list(itertools.islice(play_order(SOUNDS, mode, **kwargs), n))


def test_continuous_plays_in_order_once() -> None:
    assert _take(PlaylistMode.CONTINUOUS) == SOUNDS


def test_loop_repeats_the_list() -> None:
    assert _take(PlaylistMode.LOOP, 10) == [*SOUNDS, *SOUNDS, "a", "b"]


def test_loop_one_repeats_the_first_sound() -> None:
    assert _take(PlaylistMode.LOOP_ONE, 5) == ["a"] * 5


def test_single_plays_the_first_sound_only() -> None:
    assert _take(PlaylistMode.SINGLE) == ["a"]


def test_random_picks_from_the_list_without_immediate_repeats() -> None:
    picks = _take(PlaylistMode.RANDOM, 200, rng=random.Random(7))

    assert set(picks) == set(SOUNDS)
    assert all(a != b for a, b in itertools.pairwise(picks))
    assert picks == _take(PlaylistMode.RANDOM, 200, rng=random.Random(7))


def test_random_with_one_sound_repeats_it() -> None:
    assert list(itertools.islice(play_order(["x"], PlaylistMode.RANDOM), 3)) == ["x"] * 3


def test_shuffle_shuffles_once_before_the_mode_applies() -> None:
    shuffled = SOUNDS.copy()
    random.Random(3).shuffle(shuffled)
    assert shuffled != SOUNDS

    assert _take(PlaylistMode.CONTINUOUS, shuffle=True, rng=random.Random(3)) == shuffled
    assert _take(PlaylistMode.LOOP, 8, shuffle=True, rng=random.Random(3)) == shuffled * 2
    assert _take(PlaylistMode.LOOP_ONE, 3, shuffle=True, rng=random.Random(3)) == [shuffled[0]] * 3
    assert _take(PlaylistMode.SINGLE, shuffle=True, rng=random.Random(3)) == shuffled[:1]


def test_shuffle_keeps_every_sound_exactly_once() -> None:
    for seed in range(20):
        assert (
            sorted(_take(PlaylistMode.CONTINUOUS, shuffle=True, rng=random.Random(seed))) == SOUNDS
        )


def test_empty_playlist_plays_nothing() -> None:
    for mode in PlaylistMode:
        assert list(play_order([], mode, shuffle=True)) == []
