"""Loads rules from the database and asks the pure engine for a decision."""

from sqlmodel import Session, select

from app.agencies.models import Agency, Commune, Field
from app.routing.engine import RoutingDecision, RoutingInput, RuleSpec, decide
from app.routing.models import RoutingRule
from app.submissions.kinds import KIND_LABELS


def load_rule_specs(*, session: Session) -> list[RuleSpec]:
    agencies = {a.id: a for a in session.exec(select(Agency)).all()}
    fields = {f.code: f.name for f in session.exec(select(Field)).all()}
    communes = {c.code: c.name for c in session.exec(select(Commune)).all()}
    specs = []
    for rule in session.exec(select(RoutingRule).where(RoutingRule.is_active == True)).all():  # noqa: E712
        target = agencies[rule.target_agency_id]
        labels = {"target": target.name}
        if rule.field_code:
            labels["field"] = fields.get(rule.field_code, rule.field_code)
        if rule.commune_code:
            labels["commune"] = communes.get(rule.commune_code, rule.commune_code)
        if rule.kind:
            labels["kind"] = KIND_LABELS.get(rule.kind, rule.kind)
        keywords = tuple(k.strip() for k in (rule.keywords or "").split(",") if k.strip())
        specs.append(
            RuleSpec(
                id=rule.id,
                priority=rule.priority,
                target_agency_code=target.code,
                kind=rule.kind,
                field_code=rule.field_code,
                commune_code=rule.commune_code,
                keywords=keywords,
                labels=labels,
            )
        )
    return specs


def route(*, session: Session, item: RoutingInput) -> RoutingDecision:
    return decide(item, load_rule_specs(session=session))
