"""The API's error answers as the OpenAPI document describes them.

FastAPI documents a route's success and its 422 request-validation answer only; every HTTPException a
route raises (401, 403, 404, 409, 503, a 422 with a text or a refusal) must be declared here, or a
validating client (Prism) rejects the answer as off the document.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from commands.desk import CommandOutcome

Responses = dict[int | str, dict[str, Any]]
DESCRIPTIONS = {
    401: "Missing or invalid token",
    403: "The caller's role may not do this",
    404: "No such object",
    409: "The object's state does not allow this",
    422: "Invalid request",
    503: "That part of the stack is not running",
}
# PostgreSQL text cannot hold NUL: free text that may be stored or searched refuses it up front (422).
NO_NUL = r"^[^\x00]*$"


class ErrorOut(BaseModel):
    """An error with a text detail."""

    detail: str


class FieldErrorOut(BaseModel):
    """One problem FastAPI found in a request (as in its HTTPValidationError)."""

    model_config = ConfigDict(extra="allow")
    loc: list[str | int]
    msg: str
    type: str
    input: Any = None
    ctx: dict[str, Any] | None = None


class ValidationErrorsOut(BaseModel):
    """FastAPI's request-validation answer."""

    detail: list[FieldErrorOut]


class CommandRefusedOut(BaseModel):
    """A command request or decision refused, with the outcome the copilot also reports."""

    detail: CommandOutcome


def errors(*codes: int) -> Responses:
    """Text-detail errors for `codes`."""
    return {code: {"model": ErrorOut, "description": DESCRIPTIONS[code]} for code in codes}


def either(code: int, *models: type[BaseModel]) -> Responses:
    """An error code whose body is one of `models`."""
    union: Any = models[0]
    for model in models[1:]:
        union = union | model
    return {code: {"model": union, "description": DESCRIPTIONS[code]}}


PLANT_ROUTE = errors(401, 403, 503)  # every plant route: token, role, a part not running here
INVALID_OR_TEXT = either(422, ValidationErrorsOut, ErrorOut)
Text = Annotated[str, Field(pattern=NO_NUL)]
