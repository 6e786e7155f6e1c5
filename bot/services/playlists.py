"""Playlists of each server: ordered lists of the server's sounds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audio.store import PlayableSound
from bot.clock import Clock
from bot.errors import InvalidInput, LimitReached, NotFound, NotPermitted
from bot.models.sound import Playlist, PlaylistItem, Sound
from bot.repositories._search import name_key
from bot.repositories.playlists import PlaylistRepository
from bot.repositories.sounds import SoundRepository
from bot.services._names import clean_name, quoted
from bot.services.ids import parse_id
from bot.services.sounds import Deletion, SoundService, TaskUse

MAX_PLAYLIST_ITEMS = 100


@dataclass(frozen=True, slots=True)
class PlaylistView:
    """A playlist with its sounds in order (position n is ``sounds[n - 1]``)."""

    playlist: Playlist
    sounds: Sequence[Sound]

    @property
    def duration_seconds(self) -> float:
        return sum(s.duration_seconds for s in self.sounds)


class PlaylistService:
    def __init__(
        self,
        session_factory: Callable[[], AsyncSession],
        sounds: SoundService,
        clock: Clock,
    ) -> None:
        self._sessions = session_factory
        self._sounds = sounds
        self._clock = clock

    async def create(self, guild_id: int, owner_id: int, name: str) -> Playlist:
        name = clean_name(name, "playlist")
        playlist = Playlist(
            guild_id=guild_id,
            name=name,
            name_key=name_key(name),
            owner_id=owner_id,
            created_at=self._clock.now(),
        )
        try:
            async with self._sessions() as session, session.begin():
                repository = PlaylistRepository(session)
                if await repository.by_name(guild_id, name) is not None:
                    raise _name_taken(name)
                await repository.add(playlist)
        except IntegrityError:
            raise _name_taken(name) from None
        return playlist

    async def find(self, guild_id: int, text: str) -> Playlist:
        """The playlist named ``text`` (any case), or with that id."""
        async with self._sessions() as session:
            repository = PlaylistRepository(session)
            playlist = await repository.by_name(guild_id, text)
            if playlist is None and (playlist_id := parse_id(text)) is not None:
                playlist = await repository.get(guild_id, playlist_id)
        if playlist is None:
            raise NotFound(
                f"There is no playlist named {quoted(text.strip())}. See `/playlist list`."
            )
        return playlist

    async def count(self, guild_id: int) -> int:
        async with self._sessions() as session:
            return await PlaylistRepository(session).count(guild_id)

    async def list(
        self, guild_id: int, *, limit: int = 100, offset: int = 0
    ) -> Sequence[tuple[Playlist, int]]:
        """Playlists by name, each with its number of sounds."""
        async with self._sessions() as session:
            repository = PlaylistRepository(session)
            playlists = await repository.list(guild_id, limit=limit, offset=offset)
            counts = await repository.item_counts([p.id for p in playlists])
        return [(p, counts.get(p.id, 0)) for p in playlists]

    async def autocomplete(
        self, guild_id: int, text: str, *, limit: int = 25
    ) -> Sequence[Playlist]:
        async with self._sessions() as session:
            repository = PlaylistRepository(session)
            if not text.strip():
                return await repository.list(guild_id, limit=limit)
            return await repository.search(guild_id, text, limit=limit)

    async def show(self, guild_id: int, playlist_id: int) -> PlaylistView:
        async with self._sessions() as session:
            repository = PlaylistRepository(session)
            playlist = await _get(repository, guild_id, playlist_id)
            return await _view(repository, playlist)

    async def add(
        self, guild_id: int, playlist_id: int, sound_id: int, *, actor_id: int, is_admin: bool
    ) -> PlaylistView:
        async with self._sessions() as session, session.begin():
            repository = PlaylistRepository(session)
            playlist = await _owned(repository, guild_id, playlist_id, actor_id, is_admin)
            sound = await SoundRepository(session).get(guild_id, sound_id)
            if sound is None:
                raise NotFound("That sound no longer exists. Pick one from `/sound list`.")
            if len(await repository.items(playlist.id)) >= MAX_PLAYLIST_ITEMS:
                raise LimitReached(
                    f"{quoted(playlist.name)} already holds {MAX_PLAYLIST_ITEMS} sounds, "
                    "the most a playlist can. Remove one first."
                )
            await repository.append(playlist.id, sound.id)
            return await _view(repository, playlist)

    async def remove(
        self, guild_id: int, playlist_id: int, position: int, *, actor_id: int, is_admin: bool
    ) -> PlaylistView:
        """Remove the sound at ``position`` (1 is the first)."""
        async with self._sessions() as session, session.begin():
            repository = PlaylistRepository(session)
            playlist = await _owned(repository, guild_id, playlist_id, actor_id, is_admin)
            items = [item for item, _ in await repository.items(playlist.id)]
            _check_position(position, items, playlist)
            await repository.remove_item(items.pop(position - 1))
            await repository.renumber(playlist.id, items)
            return await _view(repository, playlist)

    async def move(
        self,
        guild_id: int,
        playlist_id: int,
        from_position: int,
        to_position: int,
        *,
        actor_id: int,
        is_admin: bool,
    ) -> PlaylistView:
        """Move the sound at ``from_position`` so that it ends up at ``to_position``."""
        async with self._sessions() as session, session.begin():
            repository = PlaylistRepository(session)
            playlist = await _owned(repository, guild_id, playlist_id, actor_id, is_admin)
            items = [item for item, _ in await repository.items(playlist.id)]
            _check_position(from_position, items, playlist)
            _check_position(to_position, items, playlist)
            items.insert(to_position - 1, items.pop(from_position - 1))
            await repository.renumber(playlist.id, items)
            return await _view(repository, playlist)

    async def delete(
        self,
        guild_id: int,
        playlist_id: int,
        *,
        actor_id: int,
        is_admin: bool,
        confirmed: bool = False,
    ) -> Deletion:
        """Delete a playlist (its sounds stay); unless ``confirmed``, report tasks using it."""
        async with self._sessions() as session, session.begin():
            repository = PlaylistRepository(session)
            playlist = await _owned(repository, guild_id, playlist_id, actor_id, is_admin)
            used = await repository.active_tasks_using(guild_id, playlist.id)
            tasks = [TaskUse.of(t) for t in used]
            if tasks and not confirmed:
                return Deletion(playlist.name, deleted=False, tasks=tasks)
            await repository.delete(playlist)
        return Deletion(playlist.name, deleted=True, tasks=tasks)

    async def playable(self, guild_id: int, playlist_id: int) -> list[PlayableSound]:
        """The playlist's sounds in order as the player needs them; ``NotFound`` if deleted."""
        async with self._sessions() as session:
            repository = PlaylistRepository(session)
            playlist = await repository.get(guild_id, playlist_id)
            if playlist is None:
                raise NotFound("The playlist was deleted.")
            rows = await repository.items(playlist.id)
            default_cost = await self._sounds.default_cost(session, guild_id)
        return [self._sounds.as_playable(sound, default_cost) for _, sound in rows]


async def _get(repository: PlaylistRepository, guild_id: int, playlist_id: int) -> Playlist:
    playlist = await repository.get(guild_id, playlist_id)
    if playlist is None:
        raise NotFound("That playlist no longer exists. Pick one from `/playlist list`.")
    return playlist


async def _owned(
    repository: PlaylistRepository, guild_id: int, playlist_id: int, actor_id: int, is_admin: bool
) -> Playlist:
    playlist = await _get(repository, guild_id, playlist_id)
    if not is_admin and playlist.owner_id != actor_id:
        raise NotPermitted(f"Only the member who created {quoted(playlist.name)} or an admin can.")
    return playlist


async def _view(repository: PlaylistRepository, playlist: Playlist) -> PlaylistView:
    return PlaylistView(playlist, [sound for _, sound in await repository.items(playlist.id)])


def _check_position(position: int, items: Sequence[PlaylistItem], playlist: Playlist) -> None:
    if not items:
        raise InvalidInput(f"{quoted(playlist.name)} is empty. Add sounds with `/playlist add`.")
    if not 1 <= position <= len(items):
        raise InvalidInput(
            f"{quoted(playlist.name)} has {len(items)} sounds: "
            f"pick a position from 1 to {len(items)}."
        )


def _name_taken(name: str) -> InvalidInput:
    return InvalidInput(f"This server already has a playlist named {name!r}. Pick another name.")
