"""Exactly-once plays: when an attempt started, and one charge per occurrence

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("scheduled_tasks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attempt_started_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("credit_transactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(
            op.f("uq_credit_transactions_idempotency_key"), ["idempotency_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("credit_transactions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_credit_transactions_idempotency_key"), type_="unique")
        batch_op.drop_column("idempotency_key")
    with op.batch_alter_table("scheduled_tasks", schema=None) as batch_op:
        batch_op.drop_column("attempt_started_at")
