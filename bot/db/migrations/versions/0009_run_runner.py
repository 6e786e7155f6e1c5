"""Run records say who ran them: the process (its lease identity) and the guild's shard

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("task_runs") as batch:
        batch.add_column(sa.Column("runner", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("shard_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task_runs") as batch:
        batch.drop_column("shard_id")
        batch.drop_column("runner")
