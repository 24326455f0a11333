"""The routing rule engine: a pure function from (submission facts, rules) to a decision.

No database, no I/O, so that a decision can be explained on the item page and tested by table.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.text import fold


@dataclass(frozen=True)
class RoutingInput:
    kind: str
    field_code: str
    commune_code: str | None
    text: str  # title and content


@dataclass(frozen=True)
class RuleSpec:
    id: int
    priority: int
    target_agency_code: str
    kind: str | None = None
    field_code: str | None = None
    commune_code: str | None = None
    keywords: tuple[str, ...] = ()
    active: bool = True
    # Names for the explanation ("lĩnh vực = hạ tầng số"); codes are used when a name is missing.
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class RoutingDecision:
    agency_code: str | None  # None: no rule matched, the coordinator triages
    rule_id: int | None
    explanation: str
    reasons: tuple[str, ...] = ()  # why the rule matched ("lĩnh vực = …"), for pages that phrase it their own way


def _keyword_hit(keywords: Sequence[str], folded_text: str) -> str | None:
    for keyword in keywords:
        needle = fold(keyword)
        if needle and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", folded_text):
            return keyword
    return None


def _match(rule: RuleSpec, item: RoutingInput, folded_text: str) -> list[str] | None:
    """The reasons this rule matches, or None. Every condition the rule sets must hold."""
    reasons: list[str] = []
    if rule.kind is not None:
        if rule.kind != item.kind:
            return None
        reasons.append(f"loại = {rule.labels.get('kind', rule.kind)}")
    if rule.field_code is not None:
        if rule.field_code != item.field_code:
            return None
        reasons.append(f"lĩnh vực = {rule.labels.get('field', rule.field_code)}")
    if rule.commune_code is not None:
        if rule.commune_code != item.commune_code:
            return None
        reasons.append(f"địa bàn = {rule.labels.get('commune', rule.commune_code)}")
    if rule.keywords:
        hit = _keyword_hit(rule.keywords, folded_text)
        if hit is None:
            return None
        reasons.append(f"có từ khóa “{hit}”")
    return reasons


def decide(item: RoutingInput, rules: Sequence[RuleSpec]) -> RoutingDecision:
    """First active rule in priority order (then id) whose conditions all hold wins."""
    folded_text = fold(item.text)
    for rule in sorted((r for r in rules if r.active), key=lambda r: (r.priority, r.id)):
        reasons = _match(rule, item, folded_text)
        if reasons is None:
            continue
        target = rule.labels.get("target", rule.target_agency_code)
        because = ", ".join(reasons) if reasons else "quy tắc mặc định"
        return RoutingDecision(
            agency_code=rule.target_agency_code,
            rule_id=rule.id,
            explanation=f"Khớp quy tắc {rule.id}: {because} → {target}",
            reasons=tuple(reasons),
        )
    return RoutingDecision(
        agency_code=None,
        rule_id=None,
        explanation="Không có quy tắc nào khớp: chuyển Cơ quan thường trực phân loại.",
    )
