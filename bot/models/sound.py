"""Sounds (stored as Ogg Opus files) and playlists of them, per server."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, IdType


class Sound(Base):
    __tablename__ = "sounds"
    __table_args__ = (
        UniqueConstraint("guild_id", "name_key"),
        UniqueConstraint("guild_id", "soundboard_sound_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(64))
    # casefolded name: names are unique per server regardless of case
    name_key: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(128))
    duration_seconds: Mapped[float]
    size_bytes: Mapped[int]
    uploader_id: Mapped[int] = mapped_column(BigInteger)
    # null: the server's default cost
    cost: Mapped[int | None]
    created_at: Mapped[datetime]
    # Imported from the server's soundboard: that sound's id (cleared when it is deleted there,
    # the library copy stays), its emoji, and the SHA-256 of the file downloaded.
    soundboard_sound_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    soundboard_emoji: Mapped[str | None] = mapped_column(String(64), default=None)
    source_sha256: Mapped[str | None] = mapped_column(String(64), default=None)


class Playlist(Base):
    __tablename__ = "playlists"
    __table_args__ = (UniqueConstraint("guild_id", "name_key"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(64))
    name_key: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class PlaylistItem(Base):
    __tablename__ = "playlist_items"
    __table_args__ = (Index("ix_playlist_items_playlist", "playlist_id", "position"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    playlist_id: Mapped[int] = mapped_column(ForeignKey("playlists.id", ondelete="CASCADE"))
    sound_id: Mapped[int] = mapped_column(ForeignKey("sounds.id", ondelete="CASCADE"))
    position: Mapped[int]
