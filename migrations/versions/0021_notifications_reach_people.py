"""notifications that reach people (issue 9): agency and account phones (an agency may list several e-mails and
phones), the sender's choice of channel (submissions.notify_by), per-account/agency preferences, daily digest
lines, SMS opt-outs, delivery reports from the SMS gateway, and the event type contact_changed.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import context, op

import app.db

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT_TYPES_BEFORE = (  # as 0020 left them
    'submitted', 'routed', 'sent_to_triage', 'assigned', 'accepted', 'transferred', 'rejected', 'info_requested',
    'info_provided', 'answered', 'closed', 'rated', 'reopened', 'note_added', 'attachment_added', 'logged_in',
    'logged_out', 'password_changed', 'password_reset', 'account_created', 'account_disabled', 'account_enabled',
    'sign_in_failures', 'two_factor_enabled', 'two_factor_disabled', 'recovery_codes_issued', 'recovery_code_used',
    'deadline_at_risk', 'deadline_overdue', 'deadline_changed', 'extension_requested', 'extension_granted',
    'extension_refused', 'rule_created', 'rule_updated', 'rule_enabled', 'rule_disabled', 'rule_reordered',
    'officer_assigned', 'challenge_published', 'challenge_updated', 'challenge_decided', 'criteria_changed',
    'assessor_assigned', 'scored', 'shortlisted', 'decided', 'implementation_recorded', 'publication_consented',
    'publication_withdrawn', 'published_for_support', 'support_threshold_reached'
)
EVENT_TYPES = EVENT_TYPES_BEFORE + ('contact_changed',)
TOPICS = ('new_item', 'assigned', 'sender_replied', 'at_risk', 'overdue', 'unsatisfied', 'extension_decided',
          'extension_requested')
MODES = ('immediate', 'digest', 'off')
NOTIFY_BY = ('sms', 'email', 'both', 'none')


def _check(batch_op, table: str, column: str, values: Sequence[str]) -> None:
    revision_0011 = context.script.get_revision("0011").module
    revision_0011.replace_check(batch_op, table, column, values, existing=True)


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.alter_column('agencies', 'email', type_=sqlmodel.sql.sqltypes.AutoString(length=1000),
                        existing_type=sqlmodel.sql.sqltypes.AutoString(length=254), existing_nullable=True)
    op.add_column('agencies', sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
    op.add_column('accounts', sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    # A column with its CHECK in one ALTER (both backends accept it; SQLite keeps the table and its triggers).
    op.execute(f"ALTER TABLE submissions ADD COLUMN notify_by VARCHAR(8) "
               f"CONSTRAINT ck_submissions_notify_by CHECK ({_in('notify_by', NOTIFY_BY)})")
    with op.batch_alter_table('events', schema=None) as batch_op:
        _check(batch_op, 'events', 'type', EVENT_TYPES)
    with op.batch_alter_table('submission_deadlines', schema=None) as batch_op:
        _check(batch_op, 'submission_deadlines', 'outcome', EVENT_TYPES)

    op.create_table('notification_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint(_in('topic', TOPICS), name=op.f('ck_notification_preferences_topic')),
    sa.CheckConstraint(_in('mode', MODES), name=op.f('ck_notification_preferences_mode')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preferences')),
    sa.UniqueConstraint('owner', 'topic', name=op.f('uq_notification_preferences_owner_topic'))
    )
    op.create_table('digest_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('recipient', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('line', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.CheckConstraint(_in('topic', TOPICS), name=op.f('ck_digest_entries_topic')),
    sa.ForeignKeyConstraint(['message_id'], ['outbox_messages.id'],
                            name=op.f('fk_digest_entries_message_id_outbox_messages')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'],
                            name=op.f('fk_digest_entries_submission_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_entries'))
    )
    op.create_index('ix_digest_entries_message_id_created_at', 'digest_entries', ['message_id', 'created_at'])
    op.create_table('sms_opt_outs',
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('phone', name=op.f('pk_sms_opt_outs'))
    )
    op.create_table('delivery_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('received_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['outbox_messages.id'],
                            name=op.f('fk_delivery_reports_message_id_outbox_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_reports'))
    )
    op.create_index(op.f('ix_delivery_reports_message_id'), 'delivery_reports', ['message_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_delivery_reports_message_id'), table_name='delivery_reports')
    op.drop_table('delivery_reports')
    op.drop_table('sms_opt_outs')
    op.drop_index('ix_digest_entries_message_id_created_at', table_name='digest_entries')
    op.drop_table('digest_entries')
    op.drop_table('notification_preferences')
    old = EVENT_TYPES_BEFORE
    with op.batch_alter_table('submission_deadlines', schema=None) as batch_op:
        _check(batch_op, 'submission_deadlines', 'outcome', old)
    with op.batch_alter_table('events', schema=None) as batch_op:
        _check(batch_op, 'events', 'type', old)
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_submissions_notify_by'), type_='check')
        batch_op.drop_column('notify_by')
    context.script.get_revision("0005").module.create_sqlite_fts_triggers() if op.get_bind().dialect.name == \
        "sqlite" else None
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('phone')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_column('phone')
