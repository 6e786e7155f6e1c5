"""Sounds imported from the server's soundboard: where they came from, their emoji and file hash

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("soundboard_sound_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("soundboard_emoji", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("source_sha256", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            op.f("uq_sounds_guild_id_soundboard_sound_id"), ["guild_id", "soundboard_sound_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("sounds", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_sounds_guild_id_soundboard_sound_id"), type_="unique")
        batch_op.drop_column("source_sha256")
        batch_op.drop_column("soundboard_emoji")
        batch_op.drop_column("soundboard_sound_id")
