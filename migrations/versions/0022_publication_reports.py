"""publication and reports: publications (consent, reviewed copy, public read model, full-text search), the
publication event types, report snapshots, indexes the report queries aggregate over

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 09:30:00

The new EventType members (published, publication_edited, publication_withdrawn, unpublished) need the CHECK
constraints of events.type and submission_deadlines.outcome recreated with the full list (see 0011). On SQLite a
batch operation recreates those two tables; `submissions` is not recreated (its FTS triggers stay).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_EVENT_TYPES = (  # as migration 0021 left them
    'submitted', 'routed', 'sent_to_triage', 'assigned', 'accepted', 'transferred', 'rejected', 'info_requested',
    'info_provided', 'answered', 'closed', 'rated', 'reopened', 'note_added', 'attachment_added', 'logged_in',
    'logged_out', 'password_changed', 'password_reset', 'account_created', 'account_disabled', 'account_enabled',
    'sign_in_failures', 'two_factor_enabled', 'two_factor_disabled', 'recovery_codes_issued', 'recovery_code_used',
    'deadline_at_risk', 'deadline_overdue', 'deadline_changed', 'extension_requested', 'extension_granted',
    'extension_refused', 'rule_created', 'rule_updated', 'rule_enabled', 'rule_disabled', 'rule_reordered',
    'officer_assigned', 'challenge_published', 'challenge_updated', 'challenge_decided', 'criteria_changed',
    'assessor_assigned', 'scored', 'shortlisted', 'decided', 'implementation_recorded', 'publication_consented',
    'publication_withdrawn', 'published_for_support', 'support_threshold_reached', 'contact_changed'
)
EVENT_TYPES = OLD_EVENT_TYPES + ('published', 'publication_edited', 'unpublished')  # publication_withdrawn: 0020
KINDS = ('feedback', 'petition', 'initiative', 'solution')

FTS = "publications_fts"
PG_COLUMN = "search_vector"
PG_INDEX = "ix_publications_search_vector"


def in_list(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def set_event_checks(values: Sequence[str]) -> None:
    for table, column in (('events', 'type'), ('submission_deadlines', 'outcome')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            name = op.f(f"ck_{table}_{column}")
            batch_op.drop_constraint(name, type_="check")
            batch_op.create_check_constraint(name, in_list(column, values))


def create_sqlite_fts_triggers() -> None:
    op.execute(f"""
        CREATE TRIGGER IF NOT EXISTS {FTS}_ai AFTER INSERT ON publications BEGIN
            INSERT INTO {FTS}(rowid, search_text) VALUES (new.id, new.search_text);
        END""")
    op.execute(f"""
        CREATE TRIGGER IF NOT EXISTS {FTS}_ad AFTER DELETE ON publications BEGIN
            INSERT INTO {FTS}({FTS}, rowid, search_text) VALUES ('delete', old.id, old.search_text);
        END""")
    op.execute(f"""
        CREATE TRIGGER IF NOT EXISTS {FTS}_au AFTER UPDATE OF search_text ON publications BEGIN
            INSERT INTO {FTS}({FTS}, rowid, search_text) VALUES ('delete', old.id, old.search_text);
            INSERT INTO {FTS}(rowid, search_text) VALUES (new.id, new.search_text);
        END""")


def upgrade() -> None:
    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('consented_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by_account_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('question', sa.Text(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('sender_label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('attachment_ids', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('field_id', sa.Integer(), nullable=True),
    sa.Column('commune_id', sa.Integer(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('received_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('on_time', sa.Boolean(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.CheckConstraint(in_list('status', ('consented', 'published', 'withdrawn')),
                       name=op.f('ck_publications_status')),
    sa.CheckConstraint(in_list('kind', KINDS), name=op.f('ck_publications_kind')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_publications_submission_id_submissions')),
    sa.ForeignKeyConstraint(['published_by_account_id'], ['accounts.id'],
                            name=op.f('fk_publications_published_by_account_id_accounts')),
    sa.ForeignKeyConstraint(['field_id'], ['fields.id'], name=op.f('fk_publications_field_id_fields')),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_publications_commune_id_communes')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_publications_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_publications_submission_id')),
    )
    op.create_index('ix_publications_status_published_at', 'publications', ['status', 'published_at'])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(f"CREATE VIRTUAL TABLE {FTS} USING fts5(search_text, content='publications', content_rowid='id',"
                   " tokenize='unicode61 remove_diacritics 2')")
        create_sqlite_fts_triggers()
    elif dialect == "postgresql":
        op.execute(f"ALTER TABLE publications ADD COLUMN {PG_COLUMN} tsvector"
                   " GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED")
        op.execute(f"CREATE INDEX {PG_INDEX} ON publications USING gin ({PG_COLUMN})")

    op.create_table('report_snapshots',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('computed_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_report_snapshots')),
    )

    # What the report queries (app/reports/queries.py) aggregate over: covering indexes, so a quarter's figures
    # read index entries only.
    op.create_index('ix_submissions_report_received', 'submissions',
                    ['created_at', 'agency_id', 'commune_id', 'kind', 'field_id', 'source'])
    op.create_index('ix_submissions_rated_at', 'submissions', ['rated_at', 'agency_id', 'commune_id',
                                                               'rating_satisfied'])
    op.create_index('ix_submissions_state_updated_at', 'submissions', ['state', 'updated_at'])
    set_event_checks(EVENT_TYPES)  # before the index below: SQLite's batch copy recreates the table
    op.create_index('ix_submission_deadlines_report_stopped', 'submission_deadlines',
                    ['stopped_at', 'phase', 'outcome', 'agency_id', 'on_time', 'budget_seconds', 'margin_seconds',
                     'submission_id'])
    op.create_index('ix_submission_deadlines_report_agency', 'submission_deadlines',
                    ['agency_id', 'stopped_at', 'phase', 'outcome', 'on_time', 'budget_seconds', 'margin_seconds'])
    op.create_index('ix_submissions_agency_id_rated_at', 'submissions', ['agency_id', 'rated_at', 'rating_satisfied'])
    op.create_index('ix_submissions_report_agency', 'submissions',
                    ['agency_id', 'created_at', 'kind', 'field_id', 'commune_id', 'source'])
    op.create_index('ix_submission_deadlines_report_running', 'submission_deadlines',
                    ['clock', 'at_risk_at', 'due_at', 'agency_id', 'submission_id'])


def downgrade() -> None:
    op.drop_index('ix_submission_deadlines_report_running', table_name='submission_deadlines')
    op.drop_index('ix_submissions_report_agency', table_name='submissions')
    op.drop_index('ix_submissions_agency_id_rated_at', table_name='submissions')
    op.drop_index('ix_submission_deadlines_report_agency', table_name='submission_deadlines')
    op.drop_index('ix_submission_deadlines_report_stopped', table_name='submission_deadlines')
    set_event_checks(OLD_EVENT_TYPES)
    op.drop_index('ix_submissions_state_updated_at', table_name='submissions')
    op.drop_index('ix_submissions_rated_at', table_name='submissions')
    op.drop_index('ix_submissions_report_received', table_name='submissions')
    op.drop_table('report_snapshots')
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {FTS}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
    op.drop_index('ix_publications_status_published_at', table_name='publications')
    op.drop_table('publications')
