"""one-time form tokens (form_tokens), officer assignments (item_assignments), saved inbox filters, event type
officer_assigned

Revision ID: 0019
Revises: 0015
Create Date: 2026-12-02 10:00:00

The event type vocabulary gains `officer_assigned`: the CHECK constraints of events.type and
submission_deadlines.outcome are dropped and re-created with the full list (as 0011 made them).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db

revision: str = '0019'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT_TYPES = (
    'submitted', 'routed', 'sent_to_triage', 'assigned', 'accepted', 'transferred', 'rejected', 'info_requested',
    'info_provided', 'answered', 'closed', 'rated', 'reopened', 'note_added', 'attachment_added', 'logged_in',
    'logged_out', 'password_changed', 'password_reset', 'account_created', 'account_disabled', 'account_enabled',
    'deadline_at_risk', 'deadline_overdue', 'deadline_changed', 'extension_requested', 'extension_granted',
    'extension_refused', 'rule_created', 'rule_updated', 'rule_enabled', 'rule_disabled', 'rule_reordered',
    # added by 0015 (sign-in protection)
    'sign_in_failures', 'two_factor_enabled', 'two_factor_disabled', 'recovery_codes_issued', 'recovery_code_used',
)
NEW_EVENT_TYPES = ('officer_assigned',)

# The seeded policies' legal bases, corrected where an installation still has the old seeded text (an edited basis
# is left alone): the 10-day and urgent 2-day answers are the province's own targets, and Nghị định 20/2008 limits
# the transfer of an item outside an agency's remit to 05 working days from receipt (docs/deadlines.md).
OLD_BASES = {
    'accept': "Thực tiễn chuyển PAKN không thuộc thẩm quyền: tiếp nhận hoặc chuyển trong 2 ngày làm việc",
    'answer': "Nghị định 20/2008/NĐ-CP (xử lý phản ánh, kiến nghị): trả lời trong 10 ngày làm việc",
    'urgent': "Phản ánh khẩn: trả lời trong 2 ngày làm việc (15 giờ làm việc)",
    'assess': "Đánh giá sáng kiến, giải pháp: trong 30 ngày làm việc (quy chế của tỉnh)",
}
NEW_BASES = {
    'accept': ("Mục tiêu của tỉnh: tiếp nhận hoặc chuyển trong 2 ngày làm việc kể từ khi được giao. Giới hạn "
               "pháp lý: hồ sơ không thuộc thẩm quyền phải được chuyển trong 05 ngày làm việc kể từ ngày nhận "
               "(Nghị định 20/2008/NĐ-CP, Điều 9 khoản 1 điểm d)"),
    'answer': ("Mục tiêu của tỉnh: trả lời trong 10 ngày làm việc kể từ khi tiếp nhận (Nghị định 20/2008/NĐ-CP "
               "không quy định thời hạn trả lời; kết quả xử lý được công khai theo Điều 19)"),
    'urgent': ("Mục tiêu của tỉnh cho phản ánh, kiến nghị khẩn: trả lời trong 2 ngày làm việc (15 giờ làm việc) "
               "kể từ khi tiếp nhận"),
    'assess': "Mục tiêu của tỉnh: đánh giá sáng kiến, giải pháp trong 30 ngày làm việc kể từ khi tiếp nhận",
}


def _bases(old: dict[str, str], new: dict[str, str]) -> None:
    table = sa.table('deadline_policies', sa.column('legal_basis', sa.String))
    for key, text in old.items():
        op.execute(table.update().where(table.c.legal_basis == text).values(legal_basis=new[key]))
EVENT_CHECKS = (('events', 'type'), ('submission_deadlines', 'outcome'))


def in_list(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _event_checks(values: Sequence[str]) -> None:
    for table, column in EVENT_CHECKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            name = op.f(f"ck_{table}_{column}")
            batch_op.drop_constraint(name, type_="check")
            batch_op.create_check_constraint(name, in_list(column, values))


def upgrade() -> None:
    op.create_table('form_tokens',
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_form_tokens_submission_id_submissions')),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_form_tokens'))
    )
    with op.batch_alter_table('form_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_tokens_created_at'), ['created_at'], unique=False)
    op.create_table('item_assignments',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_item_assignments_account_id_accounts')),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['accounts.id'],
                            name=op.f('fk_item_assignments_assigned_by_id_accounts')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'],
                            name=op.f('fk_item_assignments_submission_id_submissions')),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_item_assignments'))
    )
    with op.batch_alter_table('item_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_assignments_account_id'), ['account_id'], unique=False)
    op.create_table('saved_inbox_filters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('query', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_saved_inbox_filters_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_inbox_filters'))
    )
    with op.batch_alter_table('saved_inbox_filters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_inbox_filters_account_id'), ['account_id'], unique=False)
    _event_checks(EVENT_TYPES + NEW_EVENT_TYPES)
    _bases(OLD_BASES, NEW_BASES)


def downgrade() -> None:
    _bases(NEW_BASES, OLD_BASES)
    _event_checks(EVENT_TYPES)
    with op.batch_alter_table('saved_inbox_filters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_inbox_filters_account_id'))
    op.drop_table('saved_inbox_filters')
    with op.batch_alter_table('item_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_assignments_account_id'))
    op.drop_table('item_assignments')
    with op.batch_alter_table('form_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_tokens_created_at'))
    op.drop_table('form_tokens')
