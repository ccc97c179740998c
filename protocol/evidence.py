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
                    errors.setdefault(name, []).append(f"give at least one of: {', '.join(group)}")
        return clean, errors

    def to_json_schema(self) -> dict[str, Any]:
        """This schema as a JSON Schema object (for OpenAPI and for forms)."""
        return _object_schema(self.fields)


def _validate_object(specs: tuple[FieldSpec, ...], data: dict[str, Any], prefix: str, errors: Errors) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    known = {s.name for s in specs}
    for name in sorted(set(data) - known):
        errors.setdefault(prefix + name, []).append("unknown field")
    for spec in specs:
        path = prefix + spec.name
        raw = data.get(spec.name)
        if raw is None or raw == "" or (spec.type == "list" and raw == []):
            if spec.default is not None:
                clean[spec.name] = spec.default
            elif spec.required:
                errors.setdefault(path, []).append("required")
            continue
        try:
            clean[spec.name] = _coerce(spec, raw, path, errors)
        except ValueError as problem:
            errors.setdefault(path, []).append(str(problem))
    return clean


def text_problem(value: str) -> str | None:
    """Why a text cannot be stored and hashed as given, or None.

    JSON input can carry lone surrogates ("\\ud800"), which cannot be encoded as UTF-8 for the hash
    chain, and NUL characters, which PostgreSQL text and JSONB refuse.
    """
    if "\x00" in value:
        return "must not contain NUL characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text"
    return None


def _coerce(spec: FieldSpec, raw: Any, path: str, errors: Errors) -> Any:
    kind = spec.type
    if kind in ("string", "text"):
        if not isinstance(raw, str):
            raise ValueError("must be text")
        problem = text_problem(raw)
        if problem:
            raise ValueError(problem)
        value = raw.strip()
        limit = spec.max_length or (TEXT_LIMIT if kind == "text" else STRING_LIMIT)
        if len(value) > limit:
            raise ValueError(f"at most {limit} characters")
        if not value:
            raise ValueError("required")
        return value
    if kind == "enum":
        if raw not in spec.choices:
            raise ValueError(f"must be one of: {', '.join(spec.choices)}")
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
            raise ValueError("must be an id (UUID)") from None
    if kind == "measure":
        if not isinstance(raw, str) or not MEASURE_PATTERN.match(raw.strip().lower()):
            raise ValueError("must be an Algoritmekader measure id such as owk-02")
        return raw.strip().lower()
    if kind == "list":
        return _list(spec, raw, path, errors)
    raise ValueError(f"unsupported field type {kind}")


def _integer(spec: FieldSpec, raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError("must be a whole number")
    if isinstance(raw, str) and re.fullmatch(r"-?\d{1,18}", raw.strip()):
        raw = int(raw)
    if not isinstance(raw, int):
        raise ValueError("must be a whole number")
    if abs(raw) > SAFE_INTEGER:  # the timeline could not record it exactly
        raise ValueError(f"must lie between -{SAFE_INTEGER} and {SAFE_INTEGER}")
    if spec.minimum is not None and raw < spec.minimum:
        raise ValueError(f"must be at least {spec.minimum}")
    if spec.maximum is not None and raw > spec.maximum:
        raise ValueError(f"must be at most {spec.maximum}")
    return raw


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "on", "1", "yes", "ja"):
        return True
    if isinstance(raw, str) and raw.lower() in ("false", "off", "0", "no", "nee"):
        return False
    raise ValueError("must be true or false")


def _date(raw: Any) -> date:
    if isinstance(raw, datetime):
        raise ValueError("must be a date (YYYY-MM-DD)")
    if isinstance(raw, date):
        return _in_range(raw)
    try:
        day = date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValueError("must be a date (YYYY-MM-DD)") from None
    return _in_range(day)


def _in_range(day: date) -> date:
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"must lie between {EARLIEST.year} and {LATEST.year}")
    return day


def _list(spec: FieldSpec, raw: Any, path: str, errors: Errors) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise ValueError("must be a list")
    if len(raw) < spec.min_items:
        raise ValueError(f"needs at least {spec.min_items} item(s)")
    if spec.max_items is not None and len(raw) > spec.max_items:
        raise ValueError(f"at most {spec.max_items} items")
    items = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            errors.setdefault(f"{path}[{index}]", []).append("must be an object")
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
            raise ValueError("must be a date and time (ISO 8601 with time zone)") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("needs a time zone, e.g. 2026-03-01T09:30:00+01:00")
    try:
        value = value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 has no UTC form
        raise ValueError(f"must lie between {EARLIEST.year} and {LATEST.year}") from None
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
