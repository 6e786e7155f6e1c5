"""Each server's task numbers: the next one, taken atomically."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.guild_counter import GuildTaskCounter


class TaskNumberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def take_next(self, guild_id: int) -> int:
        """The server's next task number, in one upsert: its row stays locked (PostgreSQL)
        or the database does (SQLite) until the transaction ends, so two transactions
        creating tasks at once in one server never take the same number."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = GuildTaskCounter.__table__
        statement = (
            insert(table)
            .values(guild_id=guild_id, last_number=1)
            .on_conflict_do_update(
                index_elements=[table.c.guild_id],
                set_={"last_number": table.c.last_number + 1},
            )
            .returning(table.c.last_number)
        )
        return int((await self.session.execute(statement)).scalar_one())
