"""The event table belongs to app/events and holds more than item events: submission_events → events,
audit_chain_head → event_chain_head (names of indexes and constraints follow on PostgreSQL).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 07:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RENAMES = (("submission_events", "events"), ("audit_chain_head", "event_chain_head"))
EVENT_FKS = ("actor_account_id_accounts", "agency_id_agencies", "submission_id_submissions",
             "subject_account_id_accounts")


def _rename(old: str, new: str) -> None:
    op.rename_table(old, new)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT pk_{old} TO pk_{new}")
        if old == "submission_events":
            op.execute(f"ALTER SEQUENCE {old}_id_seq RENAME TO {new}_id_seq")
            for fk in EVENT_FKS:
                op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT fk_{old}_{fk} TO fk_{new}_{fk}")
            # SQLite and PostgreSQL both re-point attachments.event_id at the renamed table; only the name follows.
            op.execute(f"ALTER TABLE attachments RENAME CONSTRAINT fk_attachments_event_id_{old} "
                       f"TO fk_attachments_event_id_{new}")
    if old == "submission_events":
        op.drop_index(f"ix_{old}_submission_id", table_name=new)
        op.create_index(f"ix_{new}_submission_id", new, ["submission_id"])


def upgrade() -> None:
    for old, new in RENAMES:
        _rename(old, new)


def downgrade() -> None:
    for old, new in RENAMES:
        _rename(new, old)
