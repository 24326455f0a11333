"""Imports every table once, so Alembic and the mappers see them all."""

from app.accounts.models import Account, ApiClient, AuthSession, LoginAttempt, RecoveryCode
from app.agencies.models import Agency, Commune, Field
from app.assignments.models import ItemAssignment
from app.attachments.models import Attachment
from app.cache import CacheStamp
from app.events.models import ChainHead, Event
from app.inbox.models import SavedFilter
from app.initiatives.models import (
    Assessment,
    AssessorAssignment,
    Challenge,
    ChallengeDocument,
    CriteriaSet,
    Criterion,
    Implementation,
    ScoreSheet,
    Support,
    SupportCode,
)
from app.integrations.models import (
    ApiSubmission,
    IdempotencyRecord,
    Open311Request,
    RateLimitWindow,
    WebhookDelivery,
    WebhookSubscription,
)
from app.notifications.models import DeliveryAttempt, OutboxMessage
from app.notifications.zalo_tokens import ZaloToken
from app.publication.models import Publication
from app.reach.models import CommuneAssistant, ItemReach
from app.reports.models import ReportSnapshot  # (also declares the indexes the report queries read)
from app.routing.models import RoutingRule
from app.sla.models import CalendarEntry, DeadlineExtension, DeadlinePolicy, SubmissionDeadline
from app.submissions.form_tokens import FormToken
from app.submissions.models import Submission
from app.throttle import ThrottleCounter

__all__ = [
    "Account", "Agency", "ApiClient", "ApiSubmission", "Attachment", "CacheStamp", "ChainHead", "AuthSession",
    "CalendarEntry", "Commune", "CommuneAssistant", "DeadlineExtension", "DeadlinePolicy", "DeliveryAttempt", "Field",
    "FormToken", "IdempotencyRecord", "ItemAssignment", "ItemReach", "LoginAttempt", "RecoveryCode", "Open311Request",
    "OutboxMessage", "Publication", "RateLimitWindow", "ReportSnapshot", "RoutingRule", "SavedFilter",
    "Submission", "SubmissionDeadline", "Event", "ThrottleCounter", "WebhookDelivery", "WebhookSubscription",
    "ZaloToken",
    "Assessment", "AssessorAssignment", "Challenge", "ChallengeDocument", "CriteriaSet", "Criterion", "Implementation",
    "ScoreSheet", "Support", "SupportCode",
]
