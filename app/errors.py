"""The domain's refusals, one vocabulary for every package. Each door maps them once: the HTML pages show the
message in Vietnamese next to the form (app/web), the API answers problem+json (app/api/errors.py)."""


class DomainError(Exception):
    """A refusal whose message can be shown to people as it is."""


class Invalid(DomainError):
    """Input that cannot be used; one message per field (the field names of the form or the API body)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(str(v) for v in errors.values()))
        self.errors = errors


class NotPermitted(DomainError):
    """This actor may not do this (to this item)."""


class InvalidTransition(DomainError):
    """The item is not in a state where this action is allowed."""


class Conflict(InvalidTransition):
    """Someone else changed the item first (a lost race, or a once-only thing already done)."""
