"""The routing engine is a pure function: table-driven, no database."""

import pytest

from app.routing.engine import RoutingInput, RuleSpec, decide

RULES = [
    RuleSpec(id=1, priority=100, target_agency_code="ubnd-xa-muong-nhe", field_code="dvc-tthc",
             commune_code="xa-muong-nhe", labels={"field": "DVC", "commune": "Xã Mường Nhé", "target": "UBND"}),
    RuleSpec(id=2, priority=500, target_agency_code="so-khcn", field_code="ha-tang-so"),
    RuleSpec(id=3, priority=500, target_agency_code="tt-phvcc", field_code="dvc-tthc"),
    RuleSpec(id=4, priority=50, target_agency_code="cong-an", keywords=("lừa đảo", "chiếm đoạt")),
    RuleSpec(id=5, priority=60, target_agency_code="so-y-te", kind="initiative", field_code="y-te-so"),
    RuleSpec(id=6, priority=1, target_agency_code="vp-ubnd", field_code="khac", active=False),
]


def item(kind="feedback", field="ha-tang-so", commune="xa-sin-thau", text="Sóng yếu"):
    return RoutingInput(kind=kind, field_code=field, commune_code=commune, text=text)


@pytest.mark.parametrize(
    ("case", "given", "agency", "rule"),
    [
        ("field rule", item(), "so-khcn", 2),
        ("commune rule wins by priority", item(field="dvc-tthc", commune="xa-muong-nhe"), "ubnd-xa-muong-nhe", 1),
        ("other commune falls to field rule", item(field="dvc-tthc", commune="xa-na-hy"), "tt-phvcc", 3),
        ("keyword ignores case and diacritics", item(text="Tin nhắn LUA DAO trúng thưởng"), "cong-an", 4),
        ("keyword needs a whole word", item(text="dữ liệu lừa đảoxyz"), "so-khcn", 2),
        ("kind and field both required", item(kind="initiative", field="y-te-so"), "so-y-te", 5),
        ("kind mismatch skips rule", item(kind="feedback", field="y-te-so"), None, None),
        ("inactive rule never matches", item(field="khac"), None, None),
        ("no rule: coordinator triage", item(field="co-che-chinh-sach"), None, None),
    ],
)
def test_first_matching_rule_in_priority_order_wins(case, given, agency, rule):
    decision = decide(given, RULES)
    assert (decision.agency_code, decision.rule_id) == (agency, rule), case


def test_equal_priority_is_broken_by_rule_id():
    rules = [RuleSpec(id=9, priority=5, target_agency_code="b", field_code="f"),
             RuleSpec(id=3, priority=5, target_agency_code="a", field_code="f")]
    assert decide(item(field="f"), rules).agency_code == "a"


def test_explanation_names_the_rule_and_conditions():
    decision = decide(item(field="dvc-tthc", commune="xa-muong-nhe"), RULES)
    assert decision.explanation == "Khớp quy tắc 1: lĩnh vực = DVC, địa bàn = Xã Mường Nhé → UBND"


def test_keyword_explanation_quotes_the_keyword():
    assert "có từ khóa “lừa đảo”" in decide(item(text="bị lừa đảo qua mạng"), RULES).explanation


def test_no_match_explains_triage():
    decision = decide(item(field="khac"), RULES)
    assert decision.rule_id is None and "Cơ quan thường trực" in decision.explanation


def test_empty_rule_list_routes_nothing():
    assert decide(item(), []).agency_code is None
