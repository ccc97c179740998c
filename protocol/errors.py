"""One error hierarchy for everything the protocol refuses.

Every refusal names the rule that refused it (`rule`), so that the web can show it to an
officer and map it to an HTTP status without guessing, and says why in a `Text`: an English
sentence carrying a stable code and its parameters, from which the web words it in the reader's
language (the templates are declared in `protocol.messages` and `notifications.messages`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any


class Text(str):
    """A sentence in English that remembers its code and parameters."""

    code: str
    params: Mapping[str, Any]
    template: str

    def __new__(cls, template: Template, params: Mapping[str, Any]) -> Text:
        text = super().__new__(cls, template.english % params if params else template.english)
        text.code, text.params, text.template = template.code, dict(params), template.english
        return text

    def __reduce__(self) -> tuple[Any, ...]:  # pickles as the template it came from, not as a bare str
        return (_rebuild, (self.code, self.template, dict(self.params)))

    def as_dict(self) -> dict[str, Any]:
        """The code and parameters, as an API client reads them."""
        params = {name: value.as_dict() if isinstance(value, Text) else value for name, value in self.params.items()}
        return {"code": self.code, "params": params}


def _rebuild(code: str, english: str, params: dict[str, Any]) -> Text:
    return Text(Template(code, english), params)


@dataclass(frozen=True)
class Template:
    """One kind of message: its stable code and its English sentence with %(name)s parameters."""

    code: str
    english: str

    def __call__(self, **params: Any) -> Text:
        return Text(self, params)


def templates_of(module: ModuleType) -> tuple[Template, ...]:
    """Every template a module declares (read when asked, so none declared late is missed)."""
    return tuple(value for value in vars(module).values() if isinstance(value, Template))


def joined(values: Any) -> str:
    """Keys or names as one parameter: `a, b, c`."""
    return ", ".join(str(v) for v in values)


class ProtocolError(Exception):
    """Base of every refusal by the protocol engine or its services."""

    rule: str = "protocol"

    def __init__(self, message: str, *, rule: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if rule is not None:
            self.rule = rule
        self.details = details

    def __str__(self) -> str:
        return self.message

    @property
    def code(self) -> str | None:
        """The stable code of the refusal's words (None for a definition's own sentence)."""
        return self.message.code if isinstance(self.message, Text) else None


class NotFound(ProtocolError):
    """The incident, step, approval or other object does not exist (or is not visible)."""

    rule = "not-found"


class InvalidEvidence(ProtocolError):
    """The evidence or input given for an action does not satisfy its schema."""

    rule = "evidence"

    def __init__(self, message: str, *, errors: dict[str, list[str]], rule: str | None = None) -> None:
        super().__init__(message, rule=rule)
        self.errors = errors


class StateConflict(ProtocolError):
    """The action is not allowed in the current state."""

    rule = "transition"


class StepBlocked(StateConflict):
    """The step cannot move yet: a required step is open, or it does not apply."""

    rule = "requires"


class IllegalTransition(StateConflict):
    """The transition table has no such move from the step's current state."""

    rule = "transition"


class StaleVersion(StateConflict):
    """The action was based on an older version of the incident than the current one."""

    rule = "version"


class NotAllowed(ProtocolError):
    """The actor may not take this action under the protocol's rules (four eyes, system-only)."""

    rule = "not-allowed"


class ApproverTooNew(NotAllowed):
    """Four eyes: the second signature comes from an account made after the request it would approve.

    Otherwise anyone able to get an account made could supply their own second pair of eyes.
    """

    rule = "four-eyes-account-age"


class DefinitionError(ProtocolError):
    """A protocol definition file is invalid; the message names the file and the key."""

    rule = "definition"

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(f"{source}: {key}: {problem}")
        self.source = source
        self.key = key
        self.problem = problem
