"""Per-server task numbers (#1, #2 … in each server, existing tasks numbered in id order) and
the messages kept true about tasks, so that redraws survive a restart

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("scheduled_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
    # Each server's tasks in id order: 1, 2, 3 …; the system tasks of no server get none.
    op.execute(
        "UPDATE scheduled_tasks SET number = ("
        " SELECT COUNT(*) FROM scheduled_tasks AS earlier"
        " WHERE earlier.guild_id = scheduled_tasks.guild_id"
        " AND earlier.id <= scheduled_tasks.id)"
        " WHERE guild_id IS NOT NULL"
    )
    with op.batch_alter_table("scheduled_tasks", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_scheduled_tasks_guild_id_number"), ["guild_id", "number"]
        )
    op.create_table(
        "guild_task_counters",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_guild_task_counters")),
    )
    op.execute(
        "INSERT INTO guild_task_counters (guild_id, last_number)"
        " SELECT guild_id, MAX(number) FROM scheduled_tasks"
        " WHERE guild_id IS NOT NULL GROUP BY guild_id"
    )
    op.create_table(
        "tracked_messages",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("task_id", sa.BigInteger(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("interaction_token", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shown", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracked_messages")),
        # Ids never reused: a row dropped meanwhile must not make a later update hit another.
        sqlite_autoincrement=True,
    )
    op.create_index("ix_tracked_messages_task", "tracked_messages", ["task_id"])


def downgrade() -> None:
    op.drop_index("ix_tracked_messages_task", table_name="tracked_messages")
    op.drop_table("tracked_messages")
    op.drop_table("guild_task_counters")
    with op.batch_alter_table("scheduled_tasks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_scheduled_tasks_guild_id_number"), type_="unique")
        batch_op.drop_column("number")
