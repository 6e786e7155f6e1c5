"""Sounds of a server: lookups, autocomplete matching, and what uses them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.scheduled_task import ACTIVE_STATUSES, ScheduledTask, TaskType
from bot.models.sound import PlaylistItem, Sound
from bot.repositories._search import name_key, prefix_then_substring


class SoundRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, sound: Sound) -> Sound:
        self.session.add(sound)
        await self.session.flush()
        return sound

    async def get(self, guild_id: int, sound_id: int) -> Sound | None:
        sound = await self.session.get(Sound, sound_id)
        return sound if sound is not None and sound.guild_id == guild_id else None

    async def by_name(self, guild_id: int, name: str) -> Sound | None:
        query = select(Sound).where(Sound.guild_id == guild_id, Sound.name_key == name_key(name))
        return await self.session.scalar(query)

    async def by_soundboard_id(self, guild_id: int, soundboard_sound_id: int) -> Sound | None:
        query = select(Sound).where(
            Sound.guild_id == guild_id, Sound.soundboard_sound_id == soundboard_sound_id
        )
        return await self.session.scalar(query)

    async def list(self, guild_id: int, *, limit: int = 100, offset: int = 0) -> Sequence[Sound]:
        query = (
            select(Sound)
            .where(Sound.guild_id == guild_id)
            .order_by(Sound.name_key)
            .limit(limit)
            .offset(offset)
        )
        return (await self.session.scalars(query)).all()

    async def count(self, guild_id: int) -> int:
        query = select(func.count()).select_from(Sound).where(Sound.guild_id == guild_id)
        return await self.session.scalar(query) or 0

    async def search(
        self, guild_id: int, text: str, *, limit: int = 25, offset: int = 0
    ) -> Sequence[Sound]:
        """Sounds whose name starts with ``text``, then those containing it, by name."""
        matches, rank = prefix_then_substring(Sound.name_key, text)
        query = (
            select(Sound)
            .where(Sound.guild_id == guild_id, matches)
            .order_by(rank, Sound.name_key, Sound.id)
            .limit(limit)
            .offset(offset)
        )
        return (await self.session.scalars(query)).all()

    async def count_matching(self, guild_id: int, text: str) -> int:
        matches, _ = prefix_then_substring(Sound.name_key, text)
        query = select(func.count()).select_from(Sound).where(Sound.guild_id == guild_id, matches)
        return await self.session.scalar(query) or 0

    async def delete(self, sound: Sound) -> None:
        """Delete the sound and take it out of every playlist (whatever the FK pragma says)."""
        await self.session.execute(delete(PlaylistItem).where(PlaylistItem.sound_id == sound.id))
        await self.session.delete(sound)
        await self.session.flush()

    async def active_tasks_using(self, guild_id: int, sound_id: int) -> Sequence[ScheduledTask]:
        """Pending or running tasks that play this sound, directly or through a playlist."""
        playlist_ids = select(PlaylistItem.playlist_id).where(PlaylistItem.sound_id == sound_id)
        direct = (ScheduledTask.task_type == TaskType.PLAY_SOUND) & (
            ScheduledTask.parameters["sound_id"].as_integer() == sound_id
        )
        via_playlist = (ScheduledTask.task_type == TaskType.PLAY_PLAYLIST) & (
            ScheduledTask.parameters["playlist_id"].as_integer().in_(playlist_ids)
        )
        query = (
            select(ScheduledTask)
            .where(
                ScheduledTask.guild_id == guild_id,
                ScheduledTask.status.in_(ACTIVE_STATUSES),
                direct | via_playlist,
            )
            .order_by(ScheduledTask.id)
        )
        return (await self.session.scalars(query)).all()
