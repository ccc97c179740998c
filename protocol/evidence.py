"""Evidence schemas: what a step needs to start or complete, declared in the definition file.

A schema validates user input into JSON-safe values (dates as ISO strings) and reports every
problem at once as ``{field: [message, ...]}``, nested fields as ``bodies[0].informed_at``.
The same schema renders as JSON Schema, so the API documents a new definition without new code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from protocol.events import SAFE_INTEGER
from protocol.messages import (
    AT_LEAST,
    AT_MOST,
    INTEGER_RANGE,
    INVALID_UNICODE,
    NO_TIME_ZONE_EXAMPLE,
    NOT_A_BOOLEAN,
    NOT_A_CHOICE,
    NOT_A_DATE,
    NOT_A_LIST,
    NOT_A_MEASURE,
    NOT_A_WHOLE_NUMBER,
    NOT_AN_ID,
    NOT_AN_INSTANT,
    NOT_AN_OBJECT,
    NOT_TEXT,
    NUL_CHARACTERS,
    ONE_OF_GROUP,
    REQUIRED,
    TOO_FEW_ITEMS,
    TOO_LONG,
    TOO_MANY_ITEMS,
    UNKNOWN_FIELD,
    YEAR_RANGE,
    Text,
    joined,
)

FIELD_TYPES = (
    "string",
    "text",
    "enum",
    "integer",
    "boolean",
    "date",
    "datetime",
    "user",
    "document",
    "measure",
    "list",
)
MEASURE_PATTERN = re.compile(r"^[a-z]{2,4}-\d{2}$")  # Algoritmekader measure ids: owk-02, ver-03
TEXT_LIMIT = 20_000
STRING_LIMIT = 500
# Dates outside these overflow the calendar's arithmetic near year 1 and 9999 and lose the
# four-digit year of the one textual form of instants; no protocol date lies outside them.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class FieldSpec:
    """One evidence field: its type, constraints, labels, and whether it becomes an incident fact."""

    name: str
    type: str
    required: bool = True
    label: Mapping[str, str] = field(default_factory=dict)
    help: Mapping[str, str] = field(default_factory=dict)
    fact: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    min_items: int = 0
    max_items: int | None = None
    fields: tuple[FieldSpec, ...] = ()  # for lists: the fields of each item
    role: str | None = None  # for user fields: the role the referenced user must hold
    default: bool | None = None  # for optional boolean fields: the value when none is given

    def label_for(self, lang: str) -> str:
        return self.label.get(lang) or self.label.get("en") or self.name


@dataclass(frozen=True)
class EvidenceSchema:
    """The evidence one action on one step takes."""

    fields: tuple[FieldSpec, ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()  # each group: at least one of these must be given

    @property
    def names(self) -> set[str]:
        return {f.name for f in self.fields}

    def facts(self) -> set[str]:
        """The incident facts this evidence supplies."""
        return {f.name for f in self.fields if f.fact}

    def validate(self, data: Mapping[str, Any] | None) -> tuple[dict[str, Any], Errors]:
        """Check `data` against the schema; returns the clean values and every error found."""
        data = dict(data or {})
        errors: Errors = {}
        clean = _validate_object(self.fields, data, "", errors)
        for group in self.one_of:
            if not any(clean.get(name) not in (None, "", []) for name in group):
                for name in group:
                    errors.setdefault(name, []).append(ONE_OF_GROUP(fields=joined(group)))
        return clean, errors

    def to_json_schema(self) -> dict[str, Any]:
        """This schema as a JSON Schema object (for OpenAPI and for forms)."""
        return _object_schema(self.fields)


def _validate_object(specs: tuple[FieldSpec, ...], data: dict[str, Any], prefix: str, errors: Errors) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    known = {s.name for s in specs}
    for name in sorted(set(data) - known):
        errors.setdefault(prefix + name, []).append(UNKNOWN_FIELD())
    for spec in specs:
        path = prefix + spec.name
        raw = data.get(spec.name)
        if raw is None or raw == "" or (spec.type == "list" and raw == []):
            if spec.default is not None:
                clean[spec.name] = spec.default
            elif spec.required:
                errors.setdefault(path, []).append(REQUIRED())
            continue
        try:
            clean[spec.name] = _coerce(spec, raw, path, errors)
        except ValueError as problem:
            errors.setdefault(path, []).append(problem.args[0] if isinstance(problem.args[0], Text) else str(problem))
    return clean


def text_problem(value: str) -> str | None:
    """Why a text cannot be stored and hashed as given, or None.

    JSON input can carry lone surrogates ("\\ud800"), which cannot be encoded as UTF-8 for the hash
    chain, and NUL characters, which PostgreSQL text and JSONB refuse.
    """
    if "\x00" in value:
        return NUL_CHARACTERS()
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return INVALID_UNICODE()
    return None


def _coerce(spec: FieldSpec, raw: Any, path: str, errors: Errors) -> Any:
    kind = spec.type
    if kind in ("string", "text"):
        if not isinstance(raw, str):
            raise ValueError(NOT_TEXT())
        problem = text_problem(raw)
        if problem:
            raise ValueError(problem)
        value = raw.strip()
        limit = spec.max_length or (TEXT_LIMIT if kind == "text" else STRING_LIMIT)
        if len(value) > limit:
            raise ValueError(TOO_LONG(limit=limit))
        if not value:
            raise ValueError(REQUIRED())
        return value
    if kind == "enum":
        if raw not in spec.choices:
            raise ValueError(NOT_A_CHOICE(choices=joined(spec.choices)))
        return raw
    if kind == "integer":
        return _integer(spec, raw)
    if kind == "boolean":
        return _boolean(raw)
    if kind == "date":
        return _date(raw).isoformat()
    if kind == "datetime":
        return format_instant(parse_instant(raw))
    if kind in ("user", "document"):
        try:
            return str(UUID(str(raw)))
        except ValueError:
            raise ValueError(NOT_AN_ID()) from None
    if kind == "measure":
        if not isinstance(raw, str) or not MEASURE_PATTERN.match(raw.strip().lower()):
            raise ValueError(NOT_A_MEASURE())
        return raw.strip().lower()
    if kind == "list":
        return _list(spec, raw, path, errors)
    raise ValueError(f"unsupported field type {kind}")


def _integer(spec: FieldSpec, raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError(NOT_A_WHOLE_NUMBER())
    if isinstance(raw, str) and re.fullmatch(r"-?\d{1,18}", raw.strip()):
        raw = int(raw)
    if not isinstance(raw, int):
        raise ValueError(NOT_A_WHOLE_NUMBER())
    if abs(raw) > SAFE_INTEGER:  # the timeline could not record it exactly
        raise ValueError(INTEGER_RANGE(limit=SAFE_INTEGER))
    if spec.minimum is not None and raw < spec.minimum:
        raise ValueError(AT_LEAST(minimum=spec.minimum))
    if spec.maximum is not None and raw > spec.maximum:
        raise ValueError(AT_MOST(maximum=spec.maximum))
    return raw


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "on", "1", "yes", "ja"):
        return True
    if isinstance(raw, str) and raw.lower() in ("false", "off", "0", "no", "nee"):
        return False
    raise ValueError(NOT_A_BOOLEAN())


def _date(raw: Any) -> date:
    if isinstance(raw, datetime):
        raise ValueError(NOT_A_DATE())
    if isinstance(raw, date):
        return _in_range(raw)
    try:
        day = date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValueError(NOT_A_DATE()) from None
    return _in_range(day)


def _in_range(day: date) -> date:
    if not EARLIEST <= day <= LATEST:
        raise ValueError(YEAR_RANGE(earliest=EARLIEST.year, latest=LATEST.year))
    return day


def _list(spec: FieldSpec, raw: Any, path: str, errors: Errors) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise ValueError(NOT_A_LIST())
    if len(raw) < spec.min_items:
        raise ValueError(TOO_FEW_ITEMS(minimum=spec.min_items))
    if spec.max_items is not None and len(raw) > spec.max_items:
        raise ValueError(TOO_MANY_ITEMS(maximum=spec.max_items))
    items = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            errors.setdefault(f"{path}[{index}]", []).append(NOT_AN_OBJECT())
            continue
        items.append(_validate_object(spec.fields, dict(item), f"{path}[{index}].", errors))
    return items


def parse_instant(raw: Any) -> datetime:
    """An aware datetime from an ISO 8601 string or datetime; naive times are refused."""
    if isinstance(raw, datetime):
        value = raw
    else:
        try:
            value = datetime.fromisoformat(str(raw).strip())
        except ValueError:
            raise ValueError(NOT_AN_INSTANT()) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(NO_TIME_ZONE_EXAMPLE())
    try:
        value = value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 has no UTC form
        raise ValueError(YEAR_RANGE(earliest=EARLIEST.year, latest=LATEST.year)) from None
    _in_range(value.date())
    return value


def format_instant(value: datetime) -> str:
    """The one textual form of an instant used in events and evidence: UTC, microseconds, 'Z'."""
    utc = value.astimezone(UTC)
    if utc.year < 1000:  # strftime leaves such years unpadded; keep exactly that form, chains may hold it
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # the same text as the strftime above, at a third of the cost: verify formats every event's time
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (  # noqa: UP031
        utc.year,
        utc.month,
        utc.day,
        utc.hour,
        utc.minute,
        utc.second,
        utc.microsecond,
    )


_JSON_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string", "maxLength": STRING_LIMIT},
    "text": {"type": "string", "maxLength": TEXT_LIMIT},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "user": {"type": "string", "format": "uuid"},
    "document": {"type": "string", "format": "uuid"},
    "measure": {"type": "string", "pattern": MEASURE_PATTERN.pattern},
}


def _field_schema(spec: FieldSpec) -> dict[str, Any]:
    if spec.type == "enum":
        schema: dict[str, Any] = {"type": "string", "enum": list(spec.choices)}
    elif spec.type == "list":
        schema = {"type": "array", "items": _object_schema(spec.fields), "minItems": spec.min_items}
        if spec.max_items is not None:
            schema["maxItems"] = spec.max_items
    else:
        schema = dict(_JSON_TYPES[spec.type])
    if spec.minimum is not None:
        schema["minimum"] = spec.minimum
    if spec.maximum is not None:
        schema["maximum"] = spec.maximum
    if spec.max_length is not None:
        schema["maxLength"] = spec.max_length
    if spec.label:
        schema["title"] = spec.label_for("en")
    if spec.default is not None:
        schema["default"] = spec.default
    return schema


def _object_schema(specs: tuple[FieldSpec, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {s.name: _field_schema(s) for s in specs},
        "required": [s.name for s in specs if s.required],
        "additionalProperties": False,
    }
