"""Every kind of event the table holds: item events, account events, deadline and rule events."""

from enum import StrEnum


class EventType(StrEnum):
    SUBMITTED = "submitted"
    ROUTED = "routed"
    SENT_TO_TRIAGE = "sent_to_triage"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    TRANSFERRED = "transferred"
    REJECTED = "rejected"
    INFO_REQUESTED = "info_requested"
    INFO_PROVIDED = "info_provided"
    ANSWERED = "answered"
    CLOSED = "closed"
    RATED = "rated"
    REOPENED = "reopened"
    NOTE_ADDED = "note_added"
    ATTACHMENT_ADDED = "attachment_added"
    OFFICER_ASSIGNED = "officer_assigned"  # an item given to a named officer of the holding agency
    # Account events (submission_id is NULL)
    LOGGED_IN = "logged_in"
    LOGGED_OUT = "logged_out"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (an event name)
    PASSWORD_RESET = "password_reset"  # noqa: S105
    ACCOUNT_CREATED = "account_created"
    ACCOUNT_DISABLED = "account_disabled"
    ACCOUNT_ENABLED = "account_enabled"
    # Sign-in protection (issue 10): repeated failures (the holder is e-mailed), the second factor.
    SIGN_IN_FAILURES = "sign_in_failures"
    TWO_FACTOR_ENABLED = "two_factor_enabled"
    TWO_FACTOR_DISABLED = "two_factor_disabled"
    RECOVERY_CODES_ISSUED = "recovery_codes_issued"
    RECOVERY_CODE_USED = "recovery_code_used"
    CONTACT_CHANGED = "contact_changed"  # an agency's or an account's e-mail/phone (data: which fields changed)
    # Deadlines (app/sla): crossings found by the sweep, extensions, calendar changes that move a due date.
    DEADLINE_AT_RISK = "deadline_at_risk"
    DEADLINE_OVERDUE = "deadline_overdue"
    DEADLINE_CHANGED = "deadline_changed"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_GRANTED = "extension_granted"
    EXTENSION_REFUSED = "extension_refused"
    # Routing rule events (submission_id is NULL; data holds rule_id and what changed)
    RULE_CREATED = "rule_created"
    RULE_UPDATED = "rule_updated"
    RULE_ENABLED = "rule_enabled"
    RULE_DISABLED = "rule_disabled"
    RULE_REORDERED = "rule_reordered"
    # Reaching villages (app/reach): urgency set or removed (data: priority, reason), a voice message marked as
    # needing an interpreter, its Vietnamese transcript saved.
    PRIORITY_CHANGED = "priority_changed"
    INTERPRETER_NEEDED = "interpreter_needed"
    TRANSCRIPT_SAVED = "transcript_saved"
    # Initiatives and solutions (app/initiatives): challenge events have submission_id NULL and data.challenge_id
    CHALLENGE_PUBLISHED = "challenge_published"
    CHALLENGE_UPDATED = "challenge_updated"
    CHALLENGE_DECIDED = "challenge_decided"
    CRITERIA_CHANGED = "criteria_changed"
    ASSESSOR_ASSIGNED = "assessor_assigned"
    SCORED = "scored"
    SHORTLISTED = "shortlisted"
    DECIDED = "decided"  # the decision on an initiative or solution: ends its handling as an answer does
    IMPLEMENTATION_RECORDED = "implementation_recorded"
    PUBLICATION_CONSENTED = "publication_consented"  # consent given after sending (app/publication.consent)
    PUBLICATION_WITHDRAWN = "publication_withdrawn"
    PUBLISHED_FOR_SUPPORT = "published_for_support"  # no longer written (migration 0025): old events stay valid
    SUPPORT_THRESHOLD_REACHED = "support_threshold_reached"
    # Publication (app/publication): the sender's consent withdrawn, an answered item published, its published copy
    # edited, or taken down (the item was reopened, or an officer unpublished it).
    PUBLISHED = "published"
    PUBLICATION_EDITED = "publication_edited"
    UNPUBLISHED = "unpublished"
