"""Routing rules: loading them for the pure engine, the coordinator's changes (each one an audited event), and
trying a draft text (and a draft rule) against the rules without saving anything."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from sqlmodel import Session, col, select

from app.accounts.models import Account
from app.accounts.permissions import can_edit_rules
from app.agencies.models import Agency, Commune, Field
from app.cache import Cached, bump
from app.errors import Invalid, NotPermitted
from app.events import service as events
from app.events.models import Event
from app.kinds import KIND_LABELS, EventType, Kind
from app.routing.engine import RoutingDecision, RoutingInput, RuleSpec, decide
from app.routing.models import RoutingRule
from app.text import normalize_input
from app.timefmt import format_number

PRIORITY_MIN, PRIORITY_MAX = 1, 1_000_000
PRIORITY_STEP = 10  # renumbering leaves gaps, so a rule can be put between two others by typing a number
KEYWORDS_MAX = 1000
RULE_EVENTS = (EventType.RULE_CREATED, EventType.RULE_UPDATED, EventType.RULE_ENABLED, EventType.RULE_DISABLED,
               EventType.RULE_REORDERED)




@dataclass(frozen=True)
class RuleDraft:
    """A rule's values, validated, not necessarily saved."""

    name: str
    kind: str | None
    field_code: str | None
    commune_code: str | None
    keywords: str | None
    target_agency_id: int
    priority: int
    is_active: bool


@dataclass
class Names:
    agencies: dict[int, Agency]
    fields: dict[str, str]
    communes: dict[str, str]

    @classmethod
    def load(cls, session: Session) -> "Names":
        return cls(
            agencies={a.id: a for a in session.exec(select(Agency)).all()},
            fields={f.code: f.name for f in session.exec(select(Field)).all()},
            communes={c.code: c.name for c in session.exec(select(Commune)).all()},
        )


def split_keywords(keywords: str | None) -> tuple[str, ...]:
    return tuple(k.strip() for k in (keywords or "").split(",") if k.strip())


def spec_for(rule: RoutingRule | RuleDraft, rule_id: int, names: Names) -> RuleSpec:
    target = names.agencies[rule.target_agency_id]
    labels = {"target": target.name, "name": rule.name}
    if rule.field_code:
        labels["field"] = names.fields.get(rule.field_code, rule.field_code)
    if rule.commune_code:
        labels["commune"] = names.communes.get(rule.commune_code, rule.commune_code)
    if rule.kind:
        labels["kind"] = KIND_LABELS.get(rule.kind, rule.kind)
    return RuleSpec(
        id=rule_id,
        priority=rule.priority,
        target_agency_code=target.code,
        kind=rule.kind,
        field_code=rule.field_code,
        commune_code=rule.commune_code,
        keywords=split_keywords(rule.keywords),
        active=rule.is_active,
        labels=labels,
    )


def load_rule_specs(*, session: Session, names: Names | None = None) -> list[RuleSpec]:
    names = names or Names.load(session)
    rules = session.exec(select(RoutingRule).where(RoutingRule.is_active == True)).all()  # noqa: E712
    return [spec_for(rule, rule.id, names) for rule in rules]


_ACTIVE_RULES = Cached(lambda session: tuple(load_rule_specs(session=session)))


def route(*, session: Session, item: RoutingInput, excluding_agency: str | None = None) -> RoutingDecision:
    """Decides with the process's compiled rule set, reloaded when any rule (or reference data) changed.
    `excluding_agency`: the decision the rules give when that agency is out (the transfer picker's suggestion for
    an item its holder sends on: the next rule that matches)."""
    rules = _ACTIVE_RULES.get(session)
    if excluding_agency:
        rules = tuple(r for r in rules if r.target_agency_code != excluding_agency)
    return decide(item, rules)


# The coordinator's rule pages ------------------------------------------------------------------------------------

def list_rules(*, session: Session) -> list[RoutingRule]:
    """Every rule, active or not, in the order the engine tries them."""
    return list(session.exec(select(RoutingRule).order_by(col(RoutingRule.priority), col(RoutingRule.id))).all())


def next_priority(*, session: Session) -> int:
    rules = list_rules(session=session)
    return min(PRIORITY_MAX, (rules[-1].priority if rules else 0) + PRIORITY_STEP)


def parse_rule(form: Mapping[str, str], *, session: Session, name_required: bool = True) -> RuleDraft:
    """Validates a rule form: every code must exist; keywords are normalised to "a, b, c"."""

    def value(key: str) -> str:
        return normalize_input(str(form.get(key, "") or ""))

    errors: dict[str, str] = {}
    name = " ".join(value("name").split())
    if name_required and not 3 <= len(name) <= 300:
        errors["name"] = "Tên quy tắc phải có từ 3 đến 300 ký tự."
    kind = value("kind") or None
    if kind and kind not in Kind._value2member_map_:
        errors["kind"] = "Loại hồ sơ không hợp lệ."
    field_code = value("field_code") or None
    if field_code and session.exec(select(Field.id).where(Field.code == field_code)).first() is None:
        errors["field_code"] = "Lĩnh vực không có trong danh mục."
    commune_code = value("commune_code") or None
    if commune_code and session.exec(select(Commune.id).where(Commune.code == commune_code)).first() is None:
        errors["commune_code"] = "Xã, phường không có trong danh mục."
    words = split_keywords(value("keywords"))
    keywords = ", ".join(words) or None
    if any(len(w) > 100 for w in words):
        errors["keywords"] = "Mỗi từ khóa tối đa 100 ký tự."
    elif keywords and len(keywords) > KEYWORDS_MAX:
        errors["keywords"] = f"Danh sách từ khóa quá dài (tối đa {KEYWORDS_MAX} ký tự)."
    target = session.exec(select(Agency).where(Agency.code == value("target_agency_code"))).first()
    if target is None:
        errors["target_agency_code"] = "Vui lòng chọn cơ quan nhận hồ sơ."
    try:
        priority = int(value("priority"))
        if not PRIORITY_MIN <= priority <= PRIORITY_MAX:
            raise ValueError
    except ValueError:
        priority = 0
        errors["priority"] = (f"Thứ tự ưu tiên là số nguyên từ {PRIORITY_MIN} đến {format_number(PRIORITY_MAX)} "
                              "(số nhỏ được xét trước).")
    if errors:
        raise Invalid(errors)
    return RuleDraft(name=name, kind=kind, field_code=field_code, commune_code=commune_code, keywords=keywords,
                     target_agency_id=target.id, priority=priority,
                     is_active=str(form.get("is_active", "")) in ("1", "on", "true"))


def _ensure_coordinator(actor: Account) -> None:
    if not can_edit_rules(actor):
        raise NotPermitted("Chỉ Cơ quan thường trực được sửa quy tắc phân luồng.")


def _snapshot(rule: RoutingRule | RuleDraft) -> dict:
    return {k: getattr(rule, k) for k in RuleDraft.__dataclass_fields__}


def _record(session: Session, actor: Account, type_: EventType, rule: RoutingRule, data: dict) -> None:
    """Every rule change is an event, and makes every process reload its rule set."""
    bump(session)
    events.record(session, type_, actor=actor, agency_id=actor.agency_id,
                  data={"rule_id": rule.id, "name": rule.name, **data})




def create_rule(*, session: Session, actor: Account, draft: RuleDraft) -> RoutingRule:
    _ensure_coordinator(actor)

    def work() -> RoutingRule:
        rule = RoutingRule(**asdict(draft))
        session.add(rule)
        session.flush()
        _record(session, actor, EventType.RULE_CREATED, rule, {"rule": _snapshot(rule)})
        return rule

    return work()


def update_rule(*, session: Session, actor: Account, rule: RoutingRule, draft: RuleDraft) -> dict:
    """Saves the draft over the rule; returns {field: [old, new]} (empty: nothing changed, no event)."""
    _ensure_coordinator(actor)
    before, after = _snapshot(rule), asdict(draft)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not changes:
        return changes

    def work():
        for k, (_old, new) in changes.items():
            setattr(rule, k, new)
        session.add(rule)
        session.flush()
        _record(session, actor, EventType.RULE_UPDATED, rule, {"changes": changes})
        return changes

    return work()


def set_active(*, session: Session, actor: Account, rule: RoutingRule, active: bool) -> RoutingRule:
    _ensure_coordinator(actor)
    if rule.is_active == active:
        raise Invalid({"is_active": "Quy tắc đang được áp dụng." if active else "Quy tắc đã tắt từ trước."})

    def work():
        rule.is_active = active
        session.add(rule)
        session.flush()
        _record(session, actor, EventType.RULE_ENABLED if active else EventType.RULE_DISABLED, rule, {})
        return rule

    return work()


def move_rule(*, session: Session, actor: Account, rule: RoutingRule, direction: str) -> dict[int, list[int]]:
    """One place up or down in the engine's order. Two rules with distinct, unshared priorities swap them;
    otherwise (ties decided by id) every rule is renumbered 10, 20, 30… in the new order. Returns
    {rule id: [old, new priority]} for the rules that changed, as the event records it."""
    _ensure_coordinator(actor)
    if direction not in ("up", "down"):
        raise Invalid({"move": "Hướng di chuyển không hợp lệ."})
    rules = list_rules(session=session)
    i = next(k for k, r in enumerate(rules) if r.id == rule.id)
    j = i - 1 if direction == "up" else i + 1
    if not 0 <= j < len(rules):
        raise Invalid({"move": "Quy tắc đã ở đầu danh sách." if direction == "up"
                           else "Quy tắc đã ở cuối danh sách."})
    other = rules[j]
    used = Counter(r.priority for r in rules)
    if rule.priority != other.priority and used[rule.priority] == 1 and used[other.priority] == 1:
        new = {rule.id: other.priority, other.id: rule.priority}
    else:
        rules[i], rules[j] = rules[j], rules[i]
        new = {r.id: (n + 1) * PRIORITY_STEP for n, r in enumerate(rules)}
    changed = {r.id: [r.priority, new[r.id]] for r in rules if r.id in new and r.priority != new[r.id]}

    def work():
        for r in rules:
            if r.id in changed:
                r.priority = new[r.id]
                session.add(r)
        session.flush()
        _record(session, actor, EventType.RULE_REORDERED, rule,
                {"direction": direction, "priorities": {str(k): v for k, v in changed.items()}})
        return changed

    return work()


def rule_history(*, session: Session, rule_id: int, limit: int = 50):
    """The rule's change events, newest first (rule events are few: filtering their JSON in Python is cheap)."""
    import json

    events = session.exec(
        select(Event).where(col(Event.submission_id).is_(None),
                                      col(Event.type).in_(RULE_EVENTS))
        .order_by(col(Event.id).desc())
    ).all()
    mine = [e for e in events if e.data and json.loads(e.data).get("rule_id") == rule_id]
    return mine[:limit]


# Trying a text against the rules -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Trial:
    decision: RoutingDecision
    sentence: str  # "Hồ sơ này sẽ được chuyển đến …, vì khớp quy tắc N …: …"
    by_draft: bool  # the draft rule decided it


def parse_trial(form: Mapping[str, str], *, session: Session) -> RoutingInput:
    """The sample submission of the trial form (fields prefixed t_ so they sit beside a rule's own fields)."""

    def value(key: str) -> str:
        return normalize_input(str(form.get(key, "") or ""))

    errors = {}
    kind, field_code, commune_code = value("t_kind"), value("t_field_code"), value("t_commune_code") or None
    if kind not in Kind._value2member_map_:
        errors["t_kind"] = "Vui lòng chọn loại hồ sơ."
    if session.exec(select(Field.id).where(Field.code == field_code)).first() is None:
        errors["t_field_code"] = "Vui lòng chọn lĩnh vực."
    if commune_code and session.exec(select(Commune.id).where(Commune.code == commune_code)).first() is None:
        errors["t_commune_code"] = "Xã, phường không có trong danh mục."
    title, content = value("t_title")[:200], value("t_content")[:10_000]
    if errors:
        raise Invalid(errors)
    return RoutingInput(kind=kind, field_code=field_code, commune_code=commune_code, text=f"{title}\n{content}")


def try_rules(*, session: Session, item: RoutingInput, draft: RuleDraft | None = None,
              draft_id: int | None = None) -> Trial:
    """The decision the engine would take, with `draft` replacing rule `draft_id` (or added as a new rule when
    draft_id is None). Nothing is written."""
    names = Names.load(session)
    specs = load_rule_specs(session=session, names=names)
    draft_rule_id = None
    if draft is not None:
        # An unsaved rule would get the next id: it loses ties against every saved rule, as it will once saved.
        last = session.exec(select(RoutingRule.id).order_by(col(RoutingRule.id).desc())).first() or 0
        draft_rule_id = draft_id if draft_id is not None else last + 1
        specs = [s for s in specs if s.id != draft_rule_id] + [spec_for(draft, draft_rule_id, names)]
    decision = decide(item, specs)
    by_draft = draft_rule_id is not None and decision.rule_id == draft_rule_id
    if decision.agency_code is None:
        return Trial(decision, "Không quy tắc nào khớp: hồ sơ này sẽ chờ Cơ quan thường trực phân loại.", by_draft)
    spec = next(s for s in specs if s.id == decision.rule_id)
    which = "quy tắc đang soạn (chưa lưu)" if by_draft and draft_id is None else f"quy tắc {decision.rule_id}"
    if by_draft and draft_id is not None:
        which += " (bản đang sửa, chưa lưu)"
    because = ", ".join(decision.reasons) or "quy tắc áp dụng cho mọi hồ sơ"
    name = f" “{spec.labels['name']}”" if spec.labels.get("name") else ""
    sentence = f"Hồ sơ này sẽ được chuyển đến {spec.labels['target']}, vì khớp {which}{name}: {because}."
    return Trial(decision, sentence, by_draft)
