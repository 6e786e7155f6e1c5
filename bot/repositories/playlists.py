"""Playlists of a server and their ordered items."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.scheduled_task import ACTIVE_STATUSES, ScheduledTask, TaskType
from bot.models.sound import Playlist, PlaylistItem, Sound
from bot.repositories._search import name_key, prefix_then_substring


class PlaylistRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, playlist: Playlist) -> Playlist:
        self.session.add(playlist)
        await self.session.flush()
        return playlist

    async def get(self, guild_id: int, playlist_id: int) -> Playlist | None:
        playlist = await self.session.get(Playlist, playlist_id)
        return playlist if playlist is not None and playlist.guild_id == guild_id else None

    async def by_name(self, guild_id: int, name: str) -> Playlist | None:
        query = select(Playlist).where(
            Playlist.guild_id == guild_id, Playlist.name_key == name_key(name)
        )
        return await self.session.scalar(query)

    async def count(self, guild_id: int) -> int:
        query = select(func.count()).select_from(Playlist).where(Playlist.guild_id == guild_id)
        return int((await self.session.execute(query)).scalar_one())

    async def list(self, guild_id: int, *, limit: int = 100, offset: int = 0) -> Sequence[Playlist]:
        query = (
            select(Playlist)
            .where(Playlist.guild_id == guild_id)
            .order_by(Playlist.name_key)
            .limit(limit)
            .offset(offset)
        )
        return (await self.session.scalars(query)).all()

    async def search(self, guild_id: int, text: str, *, limit: int = 25) -> Sequence[Playlist]:
        """Playlists whose name starts with ``text``, then those containing it, by name."""
        matches, rank = prefix_then_substring(Playlist.name_key, text)
        query = (
            select(Playlist)
            .where(Playlist.guild_id == guild_id, matches)
            .order_by(rank, Playlist.name_key)
            .limit(limit)
        )
        return (await self.session.scalars(query)).all()

    async def delete(self, playlist: Playlist) -> None:
        await self.session.execute(
            delete(PlaylistItem).where(PlaylistItem.playlist_id == playlist.id)
        )
        await self.session.delete(playlist)
        await self.session.flush()

    async def items(self, playlist_id: int) -> Sequence[tuple[PlaylistItem, Sound]]:
        """The playlist's items in play order, each with its sound."""
        query = (
            select(PlaylistItem, Sound)
            .join(Sound, Sound.id == PlaylistItem.sound_id)
            .where(PlaylistItem.playlist_id == playlist_id)
            .order_by(PlaylistItem.position, PlaylistItem.id)
        )
        return [(item, sound) for item, sound in (await self.session.execute(query)).all()]

    async def item_counts(self, playlist_ids: Sequence[int]) -> dict[int, int]:
        query = (
            select(PlaylistItem.playlist_id, func.count())
            .where(PlaylistItem.playlist_id.in_(playlist_ids))
            .group_by(PlaylistItem.playlist_id)
        )
        return {row[0]: row[1] for row in (await self.session.execute(query)).all()}

    async def append(self, playlist_id: int, sound_id: int) -> PlaylistItem:
        last = await self.session.scalar(
            select(func.max(PlaylistItem.position)).where(PlaylistItem.playlist_id == playlist_id)
        )
        item = PlaylistItem(playlist_id=playlist_id, sound_id=sound_id, position=(last or 0) + 1)
        self.session.add(item)
        await self.session.flush()
        return item

    async def renumber(self, playlist_id: int, items: Sequence[PlaylistItem]) -> None:
        """Give ``items`` (all of the playlist's, in their new order) positions 1..n."""
        for position, item in enumerate(items, start=1):
            if item.position != position:
                await self.session.execute(
                    update(PlaylistItem)
                    .where(PlaylistItem.id == item.id, PlaylistItem.playlist_id == playlist_id)
                    .values(position=position)
                )
                item.position = position
        await self.session.flush()

    async def remove_item(self, item: PlaylistItem) -> None:
        await self.session.delete(item)
        await self.session.flush()

    async def active_tasks_using(self, guild_id: int, playlist_id: int) -> Sequence[ScheduledTask]:
        query = (
            select(ScheduledTask)
            .where(
                ScheduledTask.guild_id == guild_id,
                ScheduledTask.status.in_(ACTIVE_STATUSES),
                ScheduledTask.task_type == TaskType.PLAY_PLAYLIST,
                ScheduledTask.parameters["playlist_id"].as_integer() == playlist_id,
            )
            .order_by(ScheduledTask.id)
        )
        return (await self.session.scalars(query)).all()
