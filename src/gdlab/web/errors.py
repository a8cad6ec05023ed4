"""How the playground says no: one JSON shape for every 4xx (layer L5).

    {"detail": "a sentence to show", "errors": [{"loc": ["body", "steps"], "message": "…"}]}

`InputError` is raised by the services when a request is well-formed JSON but asks for
something the library refuses (an unknown name, beta1 = 1, a bad expression); the message is
the library's own ValueError text, which names the argument, its value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from gdlab.web.responses import ErrorItem, ErrorResponse

Location = tuple[str | int, ...]
NOT_JSON = 400
BAD_INPUT = 422
TOO_LARGE = 413


class InputError(ValueError):
    """A request the library refuses: where in the body (`loc`) and why (`message`)."""

    def __init__(self, loc: Location, message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def library_error(loc: Location, error: Exception) -> InputError:
    """Wrap a ValueError/TypeError raised by gdlab at `loc` of the request."""
    return InputError(loc, str(error) or type(error).__name__)


def error_response(
    status: int,
    detail: str,
    items: Sequence[ErrorItem] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(detail=detail, errors=list(items))
    return JSONResponse(body.model_dump(), status_code=status, headers=dict(headers or {}))


def _where(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc if part != "body") or "body"


def _pydantic_message(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


async def on_input_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, InputError)
    item = ErrorItem(loc=list(error.loc), message=error.message)
    return error_response(BAD_INPUT, f"{_where(error.loc)}: {error.message}", [item])


async def on_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    items = [
        ErrorItem(loc=[_plain(part) for part in e.get("loc", ())], message=_pydantic_message(e))
        for e in error.errors()
    ]
    detail = "; ".join(f"{_where(item.loc)}: {item.message}" for item in items[:5])
    return error_response(BAD_INPUT, detail or "the request is not valid", items)


async def on_http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    return error_response(error.status_code, str(error.detail), headers=error.headers)


def _plain(part: Any) -> str | int:
    return part if isinstance(part, (str, int)) and not isinstance(part, bool) else str(part)


HANDLERS = (
    (InputError, on_input_error),
    (RequestValidationError, on_validation_error),
    (HTTPException, on_http_error),
)

RESPONSES: dict[int | str, dict[str, Any]] = {
    NOT_JSON: {"model": ErrorResponse, "description": "the body cannot be read as JSON text"},
    BAD_INPUT: {"model": ErrorResponse, "description": "the request asks for something invalid"},
    TOO_LARGE: {"model": ErrorResponse, "description": "the request body is too large"},
}
