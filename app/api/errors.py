"""Domain exceptions → problem+json, in one place for every API route."""

from collections.abc import Iterator
from contextlib import contextmanager

from app.api.problems import ApiProblem
from app.errors import Invalid, InvalidTransition, NotPermitted
from app.integrations import idempotency
from app.integrations.service import CursorInvalid

VALIDATION_DETAIL = "Dữ liệu gửi lên không hợp lệ; xem `errors` để biết từng trường."


def validation_problem(errors: dict[str, str], detail: str = VALIDATION_DETAIL) -> ApiProblem:
    return ApiProblem(422, detail, type_="validation", errors=errors)


@contextmanager
def domain_errors() -> Iterator[None]:
    try:
        yield
    except Invalid as exc:
        raise validation_problem(exc.errors) from None
    except InvalidTransition as exc:
        raise ApiProblem(409, str(exc), type_="invalid-transition", title="Không thể thực hiện") from None
    except NotPermitted as exc:
        raise ApiProblem(403, str(exc)) from None
    except idempotency.IdempotencyKeyInvalid as exc:
        raise validation_problem({"Idempotency-Key": str(exc)}) from None
    except idempotency.IdempotencyMismatch as exc:
        raise ApiProblem(409, str(exc), type_="idempotency-key-reused") from None
    except idempotency.IdempotencyInProgress as exc:
        raise ApiProblem(409, str(exc), type_="idempotency-in-progress", headers={"Retry-After": "1"}) from None
    except CursorInvalid as exc:
        raise validation_problem({"cursor": str(exc)}) from None
