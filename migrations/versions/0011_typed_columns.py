"""typed vocabulary columns: CHECK constraints for the columns that had none

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:00:00

The models now type every vocabulary column with `app.db.enum_type` (a StrEnum stored as its value in a VARCHAR,
loaded as the member, guarded by a CHECK constraint generated from the members and named ck_<table>_<column>).
The columns' types and lengths are unchanged. The columns that already had a hand-written constraint of that name
and those values (submissions kind/state/priority, accounts.role, the deadline tables' phase/unit/clock/status,
calendar_entries.kind, outbox_messages.status, attachments.owner, api_submissions.channel) keep it; this adds the
constraints that were missing. The value lists are frozen here, as a migration must be: a later change of a
vocabulary drops and re-creates its constraint in a migration of its own (`replace_check` below shows how).

SQLite cannot add a constraint in place: the batch operations recreate the six tables (rows copied as they are).
Recreating `submissions` drops its full-text triggers, so they are created again at the end (see 0005_search).
"""

from collections.abc import Sequence

from alembic import context, op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ('feedback', 'petition', 'initiative', 'solution')
EVENT_TYPES = (
    'submitted', 'routed', 'sent_to_triage', 'assigned', 'accepted', 'transferred', 'rejected', 'info_requested',
    'info_provided', 'answered', 'closed', 'rated', 'reopened', 'note_added', 'attachment_added', 'logged_in',
    'logged_out', 'password_changed', 'password_reset', 'account_created', 'account_disabled', 'account_enabled',
    'deadline_at_risk', 'deadline_overdue', 'deadline_changed', 'extension_requested', 'extension_granted',
    'extension_refused', 'rule_created', 'rule_updated', 'rule_enabled', 'rule_disabled', 'rule_reordered',
)

# table -> column -> the values its new constraint allows (NULL passes a CHECK, as for any nullable column)
NEW_CHECKS: dict[str, dict[str, tuple[str, ...]]] = {
    'submissions': {
        'sender_type': ('individual', 'business', 'organisation'),
        'source': ('web', 'api', 'open311'),
        'reject_reason': ('out_of_scope', 'duplicate', 'not_enough_info', 'abusive', 'other'),
    },
    'events': {'type': EVENT_TYPES},
    'deadline_policies': {'kind': KINDS, 'priority': ('normal', 'urgent')},
    'submission_deadlines': {'outcome': EVENT_TYPES},
    'routing_rules': {'kind': KINDS},
    'webhook_deliveries': {
        'event_type': ('submission.state_changed', 'submission.answered', 'submission.info_requested',
                       'submission.rejected', 'ping'),
    },
}


def in_list(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def replace_check(batch_op, table: str, column: str, values: Sequence[str], *, existing: bool) -> None:
    """Sets the CHECK constraint of one vocabulary column (dropping the old one first when there is one)."""
    name = op.f(f"ck_{table}_{column}")
    if existing:
        batch_op.drop_constraint(name, type_="check")
    batch_op.create_check_constraint(name, in_list(column, values))


def _sqlite_fts_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        context.script.get_revision("0005").module.create_sqlite_fts_triggers()


def upgrade() -> None:
    for table, columns in NEW_CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, values in columns.items():
                replace_check(batch_op, table, column, values, existing=False)
    _sqlite_fts_triggers()


def downgrade() -> None:
    for table, columns in NEW_CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
    _sqlite_fts_triggers()
