"""Sounds, playlists and credits under ``/api/v1``, each scoped by ``guild_id``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import FileResponse

from bot.models.sound import Sound
from bot.services.playlists import PlaylistView
from bot.services.sounds import Deletion
from bot.web.access import CallerDep, MemberDep, member_of
from bot.web.schemas import PlaylistAdd, PlaylistCreate, PlaylistMove, Rename, z

router = APIRouter(prefix="/api/v1", tags=["library"])


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
    member: MemberDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    sounds = await member.services.sounds.list(member.guild_id, limit=limit, offset=offset)
    return [sound_json(s) for s in sounds]


@router.post("/sounds", status_code=201)
async def upload_sound(
    caller: CallerDep,
    guild_id: Annotated[int, Form()],
    name: Annotated[str, Form(min_length=1, max_length=100)],
    file: Annotated[UploadFile, File()],
) -> dict[str, Any]:
    member = await member_of(caller, guild_id)
    sounds = member.services.sounds
    if file.size is not None:
        sounds.check_upload_size(file.size, file.filename or "The file")
    data = await file.read()
    sounds.check_upload_size(len(data), file.filename or "The file")
    sound = await sounds.upload(guild_id, member.user_id, name, data)
    return sound_json(sound)


@router.get("/sounds/{sound_id}")
async def get_sound(sound_id: int, member: MemberDep) -> dict[str, Any]:
    return sound_json(await member.services.sounds.get(member.guild_id, sound_id))


@router.get("/sounds/{sound_id}/audio", response_class=FileResponse)
async def sound_audio(sound_id: int, member: MemberDep) -> FileResponse:
    """The stored Ogg Opus file, for the browser's preview."""
    sounds = member.services.sounds
    sound = await sounds.get(member.guild_id, sound_id)
    return FileResponse(
        sounds.store.path(sound.file_name),
        media_type="audio/ogg",
        filename=f"{sound.name}.ogg",
        content_disposition_type="inline",
    )


@router.patch("/sounds/{sound_id}")
async def rename_sound(sound_id: int, body: Rename, member: MemberDep) -> dict[str, Any]:
    sound = await member.services.sounds.rename(
        member.guild_id, sound_id, body.name, actor_id=member.user_id, is_admin=member.is_admin
    )
    return sound_json(sound)


@router.delete("/sounds/{sound_id}")
async def delete_sound(sound_id: int, member: MemberDep, confirm: bool = False) -> dict[str, Any]:
    """Without ``confirm``, a sound that active tasks use is kept and they are listed."""
    deletion = await member.services.sounds.delete(
        member.guild_id,
        sound_id,
        actor_id=member.user_id,
        is_admin=member.is_admin,
        confirmed=confirm,
    )
    return _deletion_json(deletion)


@router.get("/playlists")
async def list_playlists(member: MemberDep) -> list[dict[str, Any]]:
    found = await member.services.playlists.list(member.guild_id)
    return [
        {"id": p.id, "name": p.name, "owner_id": p.owner_id, "sound_count": count}
        for p, count in found
    ]


@router.post("/playlists", status_code=201)
async def create_playlist(body: PlaylistCreate, caller: CallerDep) -> dict[str, Any]:
    member = await member_of(caller, body.guild_id)
    playlists = member.services.playlists
    created = await playlists.create(body.guild_id, member.user_id, body.name)
    return _playlist_json(await playlists.show(body.guild_id, created.id))


@router.get("/playlists/{playlist_id}")
async def show_playlist(playlist_id: int, member: MemberDep) -> dict[str, Any]:
    return _playlist_json(await member.services.playlists.show(member.guild_id, playlist_id))


@router.post("/playlists/{playlist_id}/sounds")
async def add_to_playlist(playlist_id: int, body: PlaylistAdd, member: MemberDep) -> dict[str, Any]:
    view = await member.services.playlists.add(
        member.guild_id,
        playlist_id,
        body.sound_id,
        actor_id=member.user_id,
        is_admin=member.is_admin,
    )
    return _playlist_json(view)


@router.delete("/playlists/{playlist_id}/sounds/{position}")
async def remove_from_playlist(
    playlist_id: int, position: int, member: MemberDep
) -> dict[str, Any]:
    view = await member.services.playlists.remove(
        member.guild_id, playlist_id, position, actor_id=member.user_id, is_admin=member.is_admin
    )
    return _playlist_json(view)


@router.post("/playlists/{playlist_id}/sounds/{position}/move")
async def move_in_playlist(
    playlist_id: int, position: int, body: PlaylistMove, member: MemberDep
) -> dict[str, Any]:
    """Reorder: the sound at ``position`` ends up at ``body.position``."""
    view = await member.services.playlists.move(
        member.guild_id,
        playlist_id,
        position,
        body.position,
        actor_id=member.user_id,
        is_admin=member.is_admin,
    )
    return _playlist_json(view)


@router.delete("/playlists/{playlist_id}")
async def delete_playlist(
    playlist_id: int, member: MemberDep, confirm: bool = False
) -> dict[str, Any]:
    deletion = await member.services.playlists.delete(
        member.guild_id,
        playlist_id,
        actor_id=member.user_id,
        is_admin=member.is_admin,
        confirmed=confirm,
    )
    return _deletion_json(deletion)


@router.get("/credits")
async def credits(
    member: MemberDep, limit: Annotated[int, Query(ge=1, le=100)] = 10
) -> dict[str, Any]:
    """The caller's balance and their latest ledger entries in the server."""
    service = member.services.credits
    balance = await service.balance(member.guild_id, member.user_id)
    history = await service.history(member.guild_id, member.user_id, limit)
    return {
        "guild_id": member.guild_id,
        "user_id": member.user_id,
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
