"""The sound library of each server: upload, list, rename, delete, and what plays them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audio.store import PlayableSound, SoundStore
from bot.audio.transcode import AudioLimits, TranscodedAudio, check_size, transcode_upload
from bot.clock import Clock
from bot.config import Config
from bot.errors import InvalidInput, NotFound, NotPermitted
from bot.models.scheduled_task import ScheduledTask
from bot.models.settings import GuildSettings
from bot.models.sound import Sound
from bot.repositories._search import name_key
from bot.repositories.sounds import SoundRepository
from bot.services._names import clean_name, quoted
from bot.services.ids import parse_id


@dataclass(frozen=True, slots=True)
class TaskUse:
    """A pending or running task that would play a sound or playlist being deleted."""

    task_id: int
    name: str
    user_id: int | None
    # Its number in the server, as members see it.
    number: int | None = None

    @classmethod
    def of(cls, task: ScheduledTask) -> TaskUse:
        return cls(task.id, task.name, task.user_id, task.number)

    @property
    def ref(self) -> str:
        return f"#{self.number}" if self.number is not None else "system task"


@dataclass(frozen=True, slots=True)
class Deletion:
    """``deleted`` is False when tasks use it and the caller has not confirmed yet."""

    name: str
    deleted: bool
    tasks: Sequence[TaskUse] = field(default_factory=tuple)

    @property
    def needs_confirmation(self) -> bool:
        return not self.deleted and bool(self.tasks)


class SoundService:
    def __init__(
        self,
        session_factory: Callable[[], AsyncSession],
        config: Config,
        clock: Clock,
        store: SoundStore | None = None,
    ) -> None:
        self._sessions = session_factory
        self._config = config
        self._clock = clock
        self.store = store or SoundStore(config.sounds.directory)
        self.limits = AudioLimits.from_config(config.sounds)

    def check_upload_size(self, size_bytes: int, name: str = "The file") -> None:
        """Refuse an attachment by its announced size, before downloading it."""
        check_size(size_bytes, self.limits, name)

    async def upload(
        self, guild_id: int, uploader_id: int, name: str, data: bytes, *, cost: int | None = None
    ) -> Sound:
        """Validate, transcode and store an upload; raises ``InvalidInput`` saying what to fix."""
        name = clean_name(name, "sound")
        if cost is not None and cost < 0:
            raise InvalidInput("A sound's cost cannot be negative.")
        async with self._sessions() as session:
            if await SoundRepository(session).by_name(guild_id, name) is not None:
                raise _name_taken(name)
        audio = await transcode_upload(data, self.limits)
        file_name = await self.store.save(guild_id, audio.data)
        try:
            return await self._insert(guild_id, uploader_id, name, cost, audio, file_name)
        except BaseException:
            await self.store.remove(file_name)
            raise

    async def _insert(
        self,
        guild_id: int,
        uploader_id: int,
        name: str,
        cost: int | None,
        audio: TranscodedAudio,
        file_name: str,
    ) -> Sound:
        sound = sound_row(guild_id, name, uploader_id, cost, audio, file_name, self._clock.now())
        try:
            async with self._sessions() as session, session.begin():
                await SoundRepository(session).add(sound)
        except IntegrityError:
            raise _name_taken(name) from None
        return sound

    async def get(self, guild_id: int, sound_id: int) -> Sound:
        async with self._sessions() as session:
            sound = await SoundRepository(session).get(guild_id, sound_id)
        if sound is None:
            raise NotFound("That sound no longer exists. Pick one from `/sound list`.")
        return sound

    async def find(self, guild_id: int, text: str) -> Sound:
        """The sound named ``text`` (any case), or with that id; what autocomplete sends back."""
        async with self._sessions() as session:
            repository = SoundRepository(session)
            sound = await repository.by_name(guild_id, text)
            if sound is None and (sound_id := parse_id(text)) is not None:
                sound = await repository.get(guild_id, sound_id)
        if sound is None:
            raise NotFound(f"There is no sound named {quoted(text.strip())}. See `/sound list`.")
        return sound

    async def list(self, guild_id: int, *, limit: int = 100, offset: int = 0) -> Sequence[Sound]:
        async with self._sessions() as session:
            return await SoundRepository(session).list(guild_id, limit=limit, offset=offset)

    async def count(self, guild_id: int) -> int:
        async with self._sessions() as session:
            return await SoundRepository(session).count(guild_id)

    async def count_matching(self, guild_id: int, text: str) -> int:
        async with self._sessions() as session:
            return await SoundRepository(session).count_matching(guild_id, text)

    async def matching(
        self, guild_id: int, text: str, *, limit: int, offset: int = 0
    ) -> Sequence[Sound]:
        """Sounds whose name contains ``text``, those starting with it first, by name."""
        async with self._sessions() as session:
            return await SoundRepository(session).search(guild_id, text, limit=limit, offset=offset)

    async def autocomplete(self, guild_id: int, text: str, *, limit: int = 25) -> Sequence[Sound]:
        """Names starting with ``text`` first, then names containing it."""
        async with self._sessions() as session:
            repository = SoundRepository(session)
            if not text.strip():
                return await repository.list(guild_id, limit=limit)
            return await repository.search(guild_id, text, limit=limit)

    async def rename(
        self, guild_id: int, sound_id: int, new_name: str, *, actor_id: int, is_admin: bool
    ) -> Sound:
        new_name = clean_name(new_name, "sound")
        try:
            async with self._sessions() as session, session.begin():
                repository = SoundRepository(session)
                sound = await self._owned(repository, guild_id, sound_id, actor_id, is_admin)
                other = await repository.by_name(guild_id, new_name)
                if other is not None and other.id != sound.id:
                    raise _name_taken(new_name)
                sound.name = new_name
                sound.name_key = name_key(new_name)
        except IntegrityError:
            raise _name_taken(new_name) from None
        return sound

    async def delete(
        self,
        guild_id: int,
        sound_id: int,
        *,
        actor_id: int,
        is_admin: bool,
        confirmed: bool = False,
    ) -> Deletion:
        """Delete a sound and its file; unless ``confirmed``, only report tasks that use it."""
        async with self._sessions() as session, session.begin():
            repository = SoundRepository(session)
            sound = await self._owned(repository, guild_id, sound_id, actor_id, is_admin)
            tasks = [TaskUse.of(t) for t in await repository.active_tasks_using(guild_id, sound.id)]
            if tasks and not confirmed:
                return Deletion(sound.name, deleted=False, tasks=tasks)
            await repository.delete(sound)
        await self.store.remove(sound.file_name)
        return Deletion(sound.name, deleted=True, tasks=tasks)

    async def playable(self, guild_id: int, sound_id: int) -> PlayableSound:
        """The sound as the player needs it; ``NotFound`` when it was deleted."""
        async with self._sessions() as session:
            sound = await SoundRepository(session).get(guild_id, sound_id)
            if sound is None:
                raise NotFound("The sound was deleted.")
            default_cost = await self.default_cost(session, guild_id)
        return self.as_playable(sound, default_cost)

    def as_playable(self, sound: Sound, default_cost: int) -> PlayableSound:
        cost = sound.cost if sound.cost is not None else default_cost
        path = self.store.path(sound.file_name)
        return PlayableSound(
            sound.id, sound.name, path, sound.duration_seconds, cost, sound.soundboard_sound_id
        )

    async def default_cost(self, session: AsyncSession, guild_id: int) -> int:
        settings = await session.get(GuildSettings, guild_id)
        if settings is not None and settings.default_sound_cost is not None:
            return settings.default_sound_cost
        return self._config.credits.default_cost

    @staticmethod
    async def _owned(
        repository: SoundRepository, guild_id: int, sound_id: int, actor_id: int, is_admin: bool
    ) -> Sound:
        sound = await repository.get(guild_id, sound_id)
        if sound is None:
            raise NotFound("That sound no longer exists. Pick one from `/sound list`.")
        if not is_admin and sound.uploader_id != actor_id:
            raise NotPermitted(
                f"Only the member who uploaded {quoted(sound.name)} or an admin can."
            )
        return sound


def _name_taken(name: str) -> InvalidInput:
    return InvalidInput(f"This server already has a sound named {name!r}. Pick another name.")


def sound_row(
    guild_id: int,
    name: str,
    uploader_id: int,
    cost: int | None,
    audio: TranscodedAudio,
    file_name: str,
    created_at: datetime,
    *,
    soundboard_sound_id: int | None = None,
    soundboard_emoji: str | None = None,
    source_sha256: str | None = None,
) -> Sound:
    """A new library row for a transcoded file (an upload, or an import from the soundboard)."""
    return Sound(
        guild_id=guild_id,
        name=name,
        name_key=name_key(name),
        file_name=file_name,
        duration_seconds=audio.duration_seconds,
        size_bytes=audio.size_bytes,
        uploader_id=uploader_id,
        cost=cost,
        created_at=created_at,
        soundboard_sound_id=soundboard_sound_id,
        soundboard_emoji=soundboard_emoji,
        source_sha256=source_sha256,
    )
