"""Sounds, playlists and credits under ``/api/v1``, each scoped by ``guild_id``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import FileResponse

from bot.models.sound import Sound
from bot.services.playlists import PlaylistView
from bot.services.sounds import Deletion
from bot.web.access import CallerDep
from bot.web.schemas import PlaylistAdd, PlaylistCreate, PlaylistMove, Rename, z

router = APIRouter(prefix="/api/v1", tags=["library"])
GuildId = Annotated[int, Query()]


def sound_json(sound: Sound) -> dict[str, Any]:
    return {
        "id": sound.id,
        "guild_id": sound.guild_id,
        "name": sound.name,
        "duration_seconds": sound.duration_seconds,
        "size_bytes": sound.size_bytes,
        "uploader_id": sound.uploader_id,
        "cost": sound.cost,
        "created_at": z(sound.created_at),
    }


def _playlist_json(view: PlaylistView) -> dict[str, Any]:
    playlist = view.playlist
    return {
        "id": playlist.id,
        "guild_id": playlist.guild_id,
        "name": playlist.name,
        "owner_id": playlist.owner_id,
        "duration_seconds": view.duration_seconds,
        "sounds": [sound_json(s) for s in view.sounds],
    }


def _deletion_json(deletion: Deletion) -> dict[str, Any]:
    return {
        "name": deletion.name,
        "deleted": deletion.deleted,
        "tasks_using": [{"id": t.id, "name": t.name} for t in deletion.tasks],
    }


@router.get("/sounds")
async def list_sounds(
    caller: CallerDep,
    guild_id: GuildId,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    caller.actor(guild_id)
    sounds = await caller.services.sounds.list(guild_id, limit=limit, offset=offset)
    return [sound_json(s) for s in sounds]


@router.post("/sounds", status_code=201)
async def upload_sound(
    caller: CallerDep,
    guild_id: Annotated[int, Form()],
    name: Annotated[str, Form(min_length=1, max_length=100)],
    file: Annotated[UploadFile, File()],
) -> dict[str, Any]:
    caller.actor(guild_id)
    sounds = caller.services.sounds
    if file.size is not None:
        sounds.check_upload_size(file.size, file.filename or "The file")
    data = await file.read()
    sounds.check_upload_size(len(data), file.filename or "The file")
    sound = await sounds.upload(guild_id, caller.user_id, name, data)
    return sound_json(sound)


@router.get("/sounds/{sound_id}")
async def get_sound(sound_id: int, caller: CallerDep, guild_id: GuildId) -> dict[str, Any]:
    caller.actor(guild_id)
    return sound_json(await caller.services.sounds.get(guild_id, sound_id))


@router.get("/sounds/{sound_id}/audio", response_class=FileResponse)
async def sound_audio(sound_id: int, caller: CallerDep, guild_id: GuildId) -> FileResponse:
    """The stored Ogg Opus file, for the browser's preview."""
    caller.actor(guild_id)
    sounds = caller.services.sounds
    sound = await sounds.get(guild_id, sound_id)
    return FileResponse(
        sounds.store.path(sound.file_name),
        media_type="audio/ogg",
        filename=f"{sound.name}.ogg",
        content_disposition_type="inline",
    )


@router.patch("/sounds/{sound_id}")
async def rename_sound(
    sound_id: int, body: Rename, caller: CallerDep, guild_id: GuildId
) -> dict[str, Any]:
    actor, is_admin = await caller.may_admin(guild_id)
    sound = await caller.services.sounds.rename(
        guild_id, sound_id, body.name, actor_id=actor.user_id, is_admin=is_admin
    )
    return sound_json(sound)


@router.delete("/sounds/{sound_id}")
async def delete_sound(
    sound_id: int, caller: CallerDep, guild_id: GuildId, confirm: bool = False
) -> dict[str, Any]:
    """Without ``confirm``, a sound that active tasks use is kept and they are listed."""
    actor, is_admin = await caller.may_admin(guild_id)
    deletion = await caller.services.sounds.delete(
        guild_id, sound_id, actor_id=actor.user_id, is_admin=is_admin, confirmed=confirm
    )
    return _deletion_json(deletion)


@router.get("/playlists")
async def list_playlists(caller: CallerDep, guild_id: GuildId) -> list[dict[str, Any]]:
    caller.actor(guild_id)
    found = await caller.services.playlists.list(guild_id)
    return [
        {"id": p.id, "name": p.name, "owner_id": p.owner_id, "sound_count": count}
        for p, count in found
    ]


@router.post("/playlists", status_code=201)
async def create_playlist(body: PlaylistCreate, caller: CallerDep) -> dict[str, Any]:
    caller.actor(body.guild_id)
    playlists = caller.services.playlists
    created = await playlists.create(body.guild_id, caller.user_id, body.name)
    return _playlist_json(await playlists.show(body.guild_id, created.id))


@router.get("/playlists/{playlist_id}")
async def show_playlist(playlist_id: int, caller: CallerDep, guild_id: GuildId) -> dict[str, Any]:
    caller.actor(guild_id)
    return _playlist_json(await caller.services.playlists.show(guild_id, playlist_id))


@router.post("/playlists/{playlist_id}/sounds")
async def add_to_playlist(
    playlist_id: int, body: PlaylistAdd, caller: CallerDep, guild_id: GuildId
) -> dict[str, Any]:
    actor, is_admin = await caller.may_admin(guild_id)
    view = await caller.services.playlists.add(
        guild_id, playlist_id, body.sound_id, actor_id=actor.user_id, is_admin=is_admin
    )
    return _playlist_json(view)


@router.delete("/playlists/{playlist_id}/sounds/{position}")
async def remove_from_playlist(
    playlist_id: int, position: int, caller: CallerDep, guild_id: GuildId
) -> dict[str, Any]:
    actor, is_admin = await caller.may_admin(guild_id)
    view = await caller.services.playlists.remove(
        guild_id, playlist_id, position, actor_id=actor.user_id, is_admin=is_admin
    )
    return _playlist_json(view)


@router.post("/playlists/{playlist_id}/sounds/{position}/move")
async def move_in_playlist(
    playlist_id: int, position: int, body: PlaylistMove, caller: CallerDep, guild_id: GuildId
) -> dict[str, Any]:
    """Reorder: the sound at ``position`` ends up at ``body.position``."""
    actor, is_admin = await caller.may_admin(guild_id)
    view = await caller.services.playlists.move(
        guild_id, playlist_id, position, body.position, actor_id=actor.user_id, is_admin=is_admin
    )
    return _playlist_json(view)


@router.delete("/playlists/{playlist_id}")
async def delete_playlist(
    playlist_id: int, caller: CallerDep, guild_id: GuildId, confirm: bool = False
) -> dict[str, Any]:
    actor, is_admin = await caller.may_admin(guild_id)
    deletion = await caller.services.playlists.delete(
        guild_id, playlist_id, actor_id=actor.user_id, is_admin=is_admin, confirmed=confirm
    )
    return _deletion_json(deletion)


@router.get("/credits")
async def credits(
    caller: CallerDep, guild_id: GuildId, limit: Annotated[int, Query(ge=1, le=100)] = 10
) -> dict[str, Any]:
    """The caller's balance and their latest ledger entries in the server."""
    caller.actor(guild_id)
    service = caller.services.credits
    balance = await service.balance(guild_id, caller.user_id)
    history = await service.history(guild_id, caller.user_id, limit)
    return {
        "guild_id": guild_id,
        "user_id": caller.user_id,
        "balance": balance,
        "ledger": [
            {
                "id": t.id,
                "amount": t.amount,
                "balance_after": t.balance_after,
                "reason": t.reason,
                "task_id": t.task_id,
                "actor_id": t.actor_id,
                "created_at": z(t.created_at),
            }
            for t in history
        ],
    }
