"""The one place that decides which transitions exist (DESIGN.md, Lifecycle)."""

from enum import StrEnum

from app.errors import InvalidTransition
from app.i18n import N_
from app.kinds import STATE_LABELS, State


class Action(StrEnum):
    ROUTE = "route"
    SEND_TO_TRIAGE = "send_to_triage"
    ASSIGN = "assign"
    ACCEPT = "accept"
    TRANSFER = "transfer"
    REJECT = "reject"
    REQUEST_INFO = "request_info"
    PROVIDE_INFO = "provide_info"
    ANSWER = "answer"
    CLOSE = "close"
    RATE = "rate"
    REOPEN = "reopen"


ACTION_LABELS = {
    Action.ROUTE: N_("chuyển xử lý"),
    Action.SEND_TO_TRIAGE: N_("chuyển phân loại"),
    Action.ASSIGN: N_("giao xử lý"),
    Action.ACCEPT: N_("tiếp nhận"),
    Action.TRANSFER: N_("chuyển"),
    Action.REJECT: N_("từ chối"),
    Action.REQUEST_INFO: N_("yêu cầu bổ sung thông tin cho"),
    Action.PROVIDE_INFO: N_("bổ sung thông tin cho"),
    Action.ANSWER: N_("trả lời"),
    Action.CLOSE: N_("đóng"),
    Action.RATE: N_("đánh giá"),
    Action.REOPEN: N_("mở lại"),
}

# action → (states it may start from, state it leads to). RATE keeps a closed item closed.
TRANSITIONS: dict[Action, tuple[frozenset[State], State]] = {
    Action.ROUTE: (frozenset({State.SUBMITTED}), State.ASSIGNED),
    Action.SEND_TO_TRIAGE: (frozenset({State.SUBMITTED}), State.TRIAGE),
    Action.ASSIGN: (frozenset({State.TRIAGE}), State.ASSIGNED),
    Action.ACCEPT: (frozenset({State.ASSIGNED}), State.IN_PROGRESS),
    Action.TRANSFER: (frozenset({State.ASSIGNED, State.IN_PROGRESS}), State.ASSIGNED),
    Action.REJECT: (frozenset({State.TRIAGE, State.ASSIGNED, State.IN_PROGRESS}), State.REJECTED),
    Action.REQUEST_INFO: (frozenset({State.IN_PROGRESS}), State.INFO_REQUESTED),
    Action.PROVIDE_INFO: (frozenset({State.INFO_REQUESTED}), State.IN_PROGRESS),
    Action.ANSWER: (frozenset({State.IN_PROGRESS}), State.ANSWERED),
    Action.CLOSE: (frozenset({State.ANSWERED}), State.CLOSED),
    Action.RATE: (frozenset({State.ANSWERED, State.CLOSED}), State.CLOSED),
    Action.REOPEN: (frozenset({State.CLOSED}), State.ASSIGNED),
}




def allowed(action: Action, current: str) -> bool:
    sources, _ = TRANSITIONS[action]
    return current in sources


def next_state(action: Action, current: str) -> State:
    sources, target = TRANSITIONS[action]
    if current not in sources:
        label = STATE_LABELS.get(State(current), current)
        raise InvalidTransition(N_("Không thể %(action)s hồ sơ đang ở trạng thái “%(state)s”.",
                                   action=ACTION_LABELS[action], state=label))
    return target

