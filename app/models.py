"""Imports every table once, so Alembic and the mappers see them all."""

from app.accounts.models import Account, ApiClient, AuthSession, LoginAttempt
from app.agencies.models import Agency, Commune, Field
from app.routing.models import RoutingRule
from app.sla.models import CalendarEntry, DeadlineExtension, DeadlinePolicy, SubmissionDeadline
from app.submissions.models import Submission, SubmissionEvent

__all__ = [
    "Account", "Agency", "ApiClient", "AuthSession", "CalendarEntry", "Commune", "DeadlineExtension",
    "DeadlinePolicy", "Field", "LoginAttempt", "RoutingRule", "Submission", "SubmissionDeadline", "SubmissionEvent",
]
