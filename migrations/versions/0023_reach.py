"""reaching villages: commune assistants, item_reach (assisted intake, urgency reason, point, source tag, voice
transcript), the drafts of SMS intake, and the new vocabulary members (role commune_assistant, channels assisted
and sms, three event types)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import context, op

import app.db

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT_TYPES = (  # as migration 0022 left them
    'submitted', 'routed', 'sent_to_triage', 'assigned', 'accepted', 'transferred', 'rejected', 'info_requested',
    'info_provided', 'answered', 'closed', 'rated', 'reopened', 'note_added', 'attachment_added', 'logged_in',
    'logged_out', 'password_changed', 'password_reset', 'account_created', 'account_disabled', 'account_enabled',
    'sign_in_failures', 'two_factor_enabled', 'two_factor_disabled', 'recovery_codes_issued', 'recovery_code_used',
    'deadline_at_risk', 'deadline_overdue', 'deadline_changed', 'extension_requested', 'extension_granted',
    'extension_refused', 'rule_created', 'rule_updated', 'rule_enabled', 'rule_disabled', 'rule_reordered',
    'officer_assigned', 'challenge_published', 'challenge_updated', 'challenge_decided', 'criteria_changed',
    'assessor_assigned', 'scored', 'shortlisted', 'decided', 'implementation_recorded', 'publication_consented',
    'publication_withdrawn', 'published_for_support', 'support_threshold_reached', 'contact_changed', 'published',
    'publication_edited', 'unpublished'
)
NEW_EVENT_TYPES = ('priority_changed', 'interpreter_needed', 'transcript_saved')
ROLES = ('agency_admin', 'officer', 'coordinator', 'system_admin')  # as 0011 left them (0019, 0020 add none)
CHANNELS = ('web', 'api', 'open311')  # idem

# table -> column -> (values before, values after)
CHANGED: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    'events': {'type': (EVENT_TYPES, EVENT_TYPES + NEW_EVENT_TYPES)},
    'submission_deadlines': {'outcome': (EVENT_TYPES, EVENT_TYPES + NEW_EVENT_TYPES)},
    'accounts': {'role': (ROLES, ROLES + ('commune_assistant',))},
    'submissions': {'source': (CHANNELS, CHANNELS + ('assisted', 'sms'))},
}


def _checks(which: int) -> None:
    replace_check = context.script.get_revision("0011").module.replace_check
    for table, columns in CHANGED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, values in columns.items():
                replace_check(batch_op, table, column, values[which], existing=True)
    if op.get_bind().dialect.name == "sqlite":
        context.script.get_revision("0005").module.create_sqlite_fts_triggers()


def upgrade() -> None:
    op.create_table('commune_assistants',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('created_by_account_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_commune_assistants_account_id_accounts')),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_commune_assistants_commune_id_communes')),
    sa.ForeignKeyConstraint(['created_by_account_id'], ['accounts.id'],
                            name=op.f('fk_commune_assistants_created_by_account_id_accounts')),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_commune_assistants')),
    )
    op.create_index(op.f('ix_commune_assistants_commune_id'), 'commune_assistants', ['commune_id'], unique=False)
    op.create_table('item_reach',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('assistant_account_id', sa.Integer(), nullable=True),
    sa.Column('village', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('relay', sa.Enum('own', 'relative', 'none', name='relay', native_enum=False, length=16,
                               create_constraint=True), nullable=True),
    sa.Column('language', sa.Enum('vi', 'thai', 'hmong', 'khmu', 'dao', 'lao', 'khang', 'hanhi', 'cong', 'sila',
                                  'other', name='language', native_enum=False, length=16, create_constraint=True),
              nullable=True),
    sa.Column('interpreter_helped', sa.Boolean(), nullable=False),
    sa.Column('consent_witness', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('spoken_consent_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('urgent_reason', sa.Text(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('source_tag', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('needs_interpreter', sa.Boolean(), nullable=False),
    sa.Column('transcript', sa.Text(), nullable=True),
    sa.Column('transcript_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(lat IS NULL) = (lon IS NULL)', name=op.f('ck_item_reach_point')),
    sa.CheckConstraint('lat IS NULL OR (lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180)',
                       name=op.f('ck_item_reach_point_range')),
    sa.ForeignKeyConstraint(['assistant_account_id'], ['accounts.id'],
                            name=op.f('fk_item_reach_assistant_account_id_accounts')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_item_reach_submission_id_submissions')),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_item_reach')),
    )
    op.create_index(op.f('ix_item_reach_assistant_account_id'), 'item_reach', ['assistant_account_id'], unique=False)
    op.create_index(op.f('ix_item_reach_source_tag'), 'item_reach', ['source_tag'], unique=False)
    op.create_table('sms_drafts',
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('phone', name=op.f('pk_sms_drafts')),
    )
    _checks(1)


def downgrade() -> None:
    _checks(0)
    op.drop_table('sms_drafts')
    op.drop_index(op.f('ix_item_reach_source_tag'), table_name='item_reach')
    op.drop_index(op.f('ix_item_reach_assistant_account_id'), table_name='item_reach')
    op.drop_table('item_reach')
    op.drop_index(op.f('ix_commune_assistants_commune_id'), table_name='commune_assistants')
    op.drop_table('commune_assistants')
