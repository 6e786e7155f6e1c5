"""Database access: the engine and session factory, and Alembic migrations."""

from bot.db.engine import Database

__all__ = ["Database"]
