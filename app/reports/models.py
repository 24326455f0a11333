"""Report snapshots, and the indexes the report queries read (declared here so the metadata matches migration 0020
without touching the tables' own modules): covering indexes, so a quarter's figures are read from index entries."""

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime
from app.sla.models import SubmissionDeadline
from app.submissions.models import Submission

S, D = Submission.__table__.c, SubmissionDeadline.__table__.c

INDEXES = (
    Index("ix_submissions_report_received", S.created_at, S.agency_id, S.commune_id, S.kind, S.field_id, S.source),
    Index("ix_submissions_rated_at", S.rated_at, S.agency_id, S.commune_id, S.rating_satisfied),
    Index("ix_submissions_state_updated_at", S.state, S.updated_at),
    Index("ix_submission_deadlines_report_stopped", D.stopped_at, D.phase, D.outcome, D.agency_id, D.on_time,
          D.budget_seconds, D.margin_seconds, D.submission_id),
    # One agency's figures (its dashboard): the same, led by the agency.
    Index("ix_submission_deadlines_report_agency", D.agency_id, D.stopped_at, D.phase, D.outcome, D.on_time,
          D.budget_seconds, D.margin_seconds),
    Index("ix_submissions_agency_id_rated_at", S.agency_id, S.rated_at, S.rating_satisfied),
    Index("ix_submissions_report_agency", S.agency_id, S.created_at, S.kind, S.field_id, S.commune_id, S.source),
    # At risk / overdue now: the running clocks past their at-risk instant, read from the index alone.
    Index("ix_submission_deadlines_report_running", D.clock, D.at_risk_at, D.due_at, D.agency_id, D.submission_id),
)


class ReportSnapshot(SQLModel, table=True):
    """One computed set of figures (app/reports/snapshots.py): the public pages and the default staff views read it
    instead of aggregating a large table on every request; a job refreshes it, a missing or stale one is computed
    live."""

    __tablename__ = "report_snapshots"

    key: str = Field(primary_key=True, max_length=200)
    computed_at: datetime = Field(sa_type=UTCDateTime)
    payload: str = Field(sa_type=Text)
