"""The server's soundboard and the library: import its sounds, export library sounds to it,
and keep imported sounds playing when the soundboard changes."""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audio.mp3 import to_mp3
from bot.audio.transcode import TranscodedAudio, check_size, transcode_upload
from bot.clock import Clock
from bot.errors import CarillonError, InvalidInput, NotFound
from bot.models.sound import Sound
from bot.repositories.sounds import SoundRepository
from bot.services._names import MAX_NAME_LENGTH, clean_name
from bot.services.sounds import SoundService, TaskUse, sound_row

# Discord's limits for a soundboard sound.
MAX_SOUNDBOARD_SECONDS = 5.2
MAX_SOUNDBOARD_BYTES = 512 * 1024
SOUNDBOARD_NAME_LENGTH = (2, 32)
# Stored durations are whole 20 ms Opus frames: a 5.2 s sound may read 5.2 plus rounding.
_DURATION_SLACK = 0.0005


@dataclass(frozen=True, slots=True)
class SoundboardSource:
    """A sound on the server's soundboard, as an import needs it; ``read`` downloads its file
    (raising ``InvalidInput`` saying why it could not)."""

    id: int
    name: str
    emoji: str | None
    read: Callable[[], Awaitable[bytes]]


class ImportOutcome(enum.StrEnum):
    IMPORTED = "imported"
    UPDATED = "updated"  # the soundboard's file changed since the last import
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Imported:
    source_name: str
    outcome: ImportOutcome
    sound: Sound | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Export:
    """What to put on the soundboard for a library sound."""

    sound: Sound
    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Unlinked:
    """A library sound whose soundboard sound was deleted, and the active tasks that play it
    by the text channel they post in (``None``: none)."""

    sound: Sound
    tasks_by_channel: dict[int | None, list[TaskUse]]


def export_refusal(name: str, duration_seconds: float, size_bytes: int) -> str | None:
    """Why Discord's soundboard would refuse this sound, or ``None``."""
    low, high = SOUNDBOARD_NAME_LENGTH
    if not low <= len(name) <= high:
        return (
            f"Soundboard names are {low}–{high} characters and {name!r} has {len(name)}. "
            "Rename the sound with `/sound rename` first."
        )
    if duration_seconds > MAX_SOUNDBOARD_SECONDS + _DURATION_SLACK:
        return (
            f"**{name}** is {duration_seconds:.2f} s long; soundboard sounds are at most "
            f"{MAX_SOUNDBOARD_SECONDS:g} s. Upload a shorter cut and export that."
        )
    if size_bytes > MAX_SOUNDBOARD_BYTES:
        return (
            f"**{name}** would be {size_bytes / 1024:.0f} KB on the soundboard; the limit is "
            f"{MAX_SOUNDBOARD_BYTES // 1024} KB. Upload a shorter or quieter cut and export that."
        )
    return None


class SoundboardService:
    def __init__(
        self, session_factory: Callable[[], AsyncSession], sounds: SoundService, clock: Clock
    ) -> None:
        self._sessions = session_factory
        self._sounds = sounds
        self._clock = clock

    async def import_all(
        self, guild_id: int, importer_id: int, sources: Sequence[SoundboardSource]
    ) -> list[Imported]:
        """Import each sound; one that fails is reported and the others still come in."""
        results = []
        for source in sources:
            try:
                results.append(await self.import_sound(guild_id, importer_id, source))
            except CarillonError as exc:
                results.append(Imported(source.name, ImportOutcome.FAILED, error=str(exc)))
        return results

    async def import_sound(
        self, guild_id: int, importer_id: int, source: SoundboardSource
    ) -> Imported:
        """Download, validate and normalise ``source`` like an upload and add it to the library
        (a no-op when the same file was imported before)."""
        data = await source.read()
        check_size(len(data), self._sounds.limits, f"The soundboard sound {source.name!r}")
        digest = hashlib.sha256(data).hexdigest()
        async with self._sessions() as session:
            existing = await SoundRepository(session).by_soundboard_id(guild_id, source.id)
        if existing is not None and existing.source_sha256 == digest:
            if existing.soundboard_emoji != source.emoji:
                existing = await self._set_emoji(existing, source.emoji)
            return Imported(source.name, ImportOutcome.UNCHANGED, existing)
        audio = await transcode_upload(data, self._sounds.limits)
        store = self._sounds.store
        file_name = await store.save(guild_id, audio.data)
        try:
            if existing is not None:
                sound = await self._replace(existing, audio, file_name, digest, source.emoji)
                await store.remove(existing.file_name)
                return Imported(source.name, ImportOutcome.UPDATED, sound)
            sound = await self._insert(guild_id, importer_id, source, audio, file_name, digest)
        except BaseException:
            await store.remove(file_name)
            raise
        return Imported(source.name, ImportOutcome.IMPORTED, sound)

    async def _insert(
        self,
        guild_id: int,
        importer_id: int,
        source: SoundboardSource,
        audio: TranscodedAudio,
        file_name: str,
        digest: str,
    ) -> Sound:
        base = clean_name(source.name, "sound")
        for attempt in range(1, 100):
            async with self._sessions() as session:
                name = await _free_name(SoundRepository(session), guild_id, base, attempt)
            sound = sound_row(
                guild_id,
                name,
                importer_id,
                None,
                audio,
                file_name,
                self._clock.now(),
                soundboard_sound_id=source.id,
                soundboard_emoji=source.emoji,
                source_sha256=digest,
            )
            try:
                async with self._sessions() as session, session.begin():
                    repository = SoundRepository(session)
                    if await repository.by_soundboard_id(guild_id, source.id) is not None:
                        raise InvalidInput(f"{source.name!r} is being imported already.")
                    await repository.add(sound)
            except IntegrityError:
                continue  # the name was taken meanwhile: the next suffix
            return sound
        raise InvalidInput(f"Could not find a free name for {source.name!r}. Rename some sounds.")

    async def _replace(
        self,
        existing: Sound,
        audio: TranscodedAudio,
        file_name: str,
        digest: str,
        emoji: str | None,
    ) -> Sound:
        async with self._sessions() as session, session.begin():
            sound = await SoundRepository(session).get(existing.guild_id, existing.id)
            if sound is None:
                raise NotFound("The imported sound was deleted meanwhile. Import it again.")
            sound.file_name = file_name
            sound.duration_seconds = audio.duration_seconds
            sound.size_bytes = audio.size_bytes
            sound.source_sha256 = digest
            sound.soundboard_emoji = emoji
        return sound

    async def _set_emoji(self, existing: Sound, emoji: str | None) -> Sound:
        async with self._sessions() as session, session.begin():
            sound = await SoundRepository(session).get(existing.guild_id, existing.id)
            if sound is None:
                return existing
            sound.soundboard_emoji = emoji
        return sound

    async def prepare_export(self, guild_id: int, sound_id: int) -> Export:
        """The MP3 to upload for a library sound; ``InvalidInput`` naming the limit it breaks."""
        sound = await self._sounds.get(guild_id, sound_id)
        if refusal := export_refusal(sound.name, sound.duration_seconds, 0):
            raise InvalidInput(refusal)
        try:
            data = await to_mp3(self._sounds.store.path(sound.file_name))
        except FileNotFoundError:
            raise NotFound(f"The file of {sound.name!r} is missing. Upload it again.") from None
        if refusal := export_refusal(sound.name, sound.duration_seconds, len(data)):
            raise InvalidInput(refusal)
        return Export(sound, sound.name, data)

    async def link(
        self, guild_id: int, sound_id: int, soundboard_sound_id: int, emoji: str | None
    ) -> Sound:
        """After an export: the library sound is that soundboard sound (it can play natively)."""
        async with self._sessions() as session, session.begin():
            sound = await SoundRepository(session).get(guild_id, sound_id)
            if sound is None:
                raise NotFound("That sound no longer exists. Pick one from `/sound list`.")
            sound.soundboard_sound_id = soundboard_sound_id
            sound.soundboard_emoji = emoji
        return sound

    async def soundboard_sound_deleted(
        self, guild_id: int, soundboard_sound_id: int
    ) -> Unlinked | None:
        """The server removed a soundboard sound: its library copy stays and plays streamed;
        the active tasks that play it, to tell their owners nothing breaks."""
        async with self._sessions() as session, session.begin():
            repository = SoundRepository(session)
            sound = await repository.by_soundboard_id(guild_id, soundboard_sound_id)
            if sound is None:
                return None
            sound.soundboard_sound_id = None
            active = await repository.active_tasks_using(guild_id, sound.id)
        by_channel: dict[int | None, list[TaskUse]] = {}
        for task in active:
            channel_id = task.parameters.get("text_channel_id")
            key = channel_id if isinstance(channel_id, int) else None
            by_channel.setdefault(key, []).append(TaskUse.of(task))
        return Unlinked(sound, by_channel)

    async def imported_ids(self, guild_id: int, soundboard_sound_ids: Sequence[int]) -> set[int]:
        """Which of these soundboard sounds are in the library already."""
        found = set()
        async with self._sessions() as session:
            repository = SoundRepository(session)
            for soundboard_sound_id in soundboard_sound_ids:
                if await repository.by_soundboard_id(guild_id, soundboard_sound_id) is not None:
                    found.add(soundboard_sound_id)
        return found


async def _free_name(repository: SoundRepository, guild_id: int, base: str, attempt: int) -> str:
    """``base``, else ``base (2)``, ``base (3)``…: the first the server has no sound named."""
    number = attempt
    while True:
        name = base if number == 1 else _suffixed(base, number)
        if await repository.by_name(guild_id, name) is None:
            return name
        number += 1


def _suffixed(base: str, number: int) -> str:
    suffix = f" ({number})"
    return base[: MAX_NAME_LENGTH - len(suffix)] + suffix
