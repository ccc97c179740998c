"""Forms generated from a protocol definition's evidence schemas, and parsed back into evidence.

A step's form is never written by hand: each `FieldSpec` (type, choices, label per language,
required, list items) becomes a `Field` the one macro in `_fields.html` renders. List fields show
a number of item rows and an "add another" submit button that re-renders the form with one row
more, so the page works without JavaScript. Blank rows are left out when the form is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict, Unpack

from werkzeug.datastructures import MultiDict

from protocol.services import EvidenceSchema, FieldSpec
from web.pages.common import from_local_input
from web.pages.text import _, choice, field_message

ADD_ROW = "_add_row"  # the name of the "add another" buttons; their value names the list
RADIO_LIMIT = 4  # enums with this many choices or fewer are radio buttons, more become a select
Options = Callable[[FieldSpec], list[tuple[str, str]]]  # the choices of a user or document field


@dataclass
class Field:
    """One input (or group of inputs) of a generated form, with what the user gave and what was wrong."""

    name: str  # the form name: `outcome`, `bodies[0].informed_at`
    id: str
    widget: str  # text, textarea, number, date, datetime, measure, select, radios, yesno, checkboxes, list
    label: str
    required: bool
    value: Any = ""
    errors: list[str] = field(default_factory=list)
    choices: list[tuple[str, str]] = field(default_factory=list)
    hint: str = ""
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    rows: list[list[Field]] = field(default_factory=list)  # a list field's item rows
    can_add: bool = False
    row_of: str = ""  # in a list row: "<list label>, row <n>", so the error summary says which row

    @property
    def full_label(self) -> str:
        return f"{self.row_of}: {self.label}" if self.row_of else self.label

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint"

    @property
    def describedby(self) -> str:
        """The ids of the hint and the error message, for aria-describedby."""
        ids = ([self.hint_id] if self.hint else []) + ([self.error_id] if self.errors else [])
        return " ".join(ids)

    @property
    def grouped(self) -> bool:
        """Rendered as a fieldset with a legend rather than one input with a label."""
        return self.widget in ("radios", "yesno", "checkboxes", "list")


class FieldOptions(TypedDict, total=False):
    """What a hand-written form may say of a field beyond its name, widget, label and whether it is required."""

    choices: list[tuple[str, str]]
    hint: str
    minimum: int | None
    maximum: int | None
    max_length: int | None


class FieldMaker(Protocol):
    def __call__(
        self, name: str, widget: str, label: str, *, required: bool = True, **extra: Unpack[FieldOptions]
    ) -> Field: ...


def field_maker(
    id_of: Callable[[str], str],
    values: Mapping[str, Any],
    errors: Mapping[str, Sequence[str]],
    word: Callable[[str], str] = field_message,
) -> FieldMaker:
    """`made(name, widget, label, **extra)` for a form written by hand (not from an evidence schema):
    the field's id from `id_of(name)`, what the user gave and what was wrong with it, in words by
    `word`; required unless `required=False`."""

    def made(name: str, widget: str, label: str, *, required: bool = True, **extra: Unpack[FieldOptions]) -> Field:
        return Field(
            name=name,
            id=id_of(name),
            widget=widget,
            label=label,
            required=required,
            value=values.get(name, ""),
            errors=[word(m) for m in errors.get(name, [])],
            **extra,
        )

    return made


def dom_id(*parts: str) -> str:
    """An id safe in HTML and CSS selectors: `complete-report-bodies-0-informed_at`."""
    return re.sub(r"[^A-Za-z0-9_]+", "-", "-".join(parts)).strip("-")


def build_fields(
    schema: EvidenceSchema,
    *,
    form_id: str,
    lang: str,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    options: Options | None = None,
    extra_rows: Mapping[str, int] | None = None,
) -> list[Field]:
    """The fields of a form for `schema`, with `values` filled in and `errors` (keyed by the schema's paths) marked."""
    return _fields(
        schema.fields,
        prefix="",
        form_id=form_id,
        lang=lang,
        values=values or {},
        errors=errors or {},
        options=options or (lambda spec: []),
        extra_rows=extra_rows or {},
    )


def _fields(
    specs: Sequence[FieldSpec],
    *,
    prefix: str,
    form_id: str,
    lang: str,
    values: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    options: Options,
    extra_rows: Mapping[str, int],
    row_of: str = "",
) -> list[Field]:
    result = []
    for spec in specs:
        name = prefix + spec.name
        made = Field(
            name=name,
            id=dom_id(form_id, name),
            widget=_widget(spec),
            label=spec.label_for(lang),
            required=spec.required,
            value=values.get(spec.name, ""),
            errors=[field_message(m) for m in errors.get(name, [])],
            hint=(spec.help.get(lang) or spec.help.get("en") or "") if spec.help else _hint(spec),
            minimum=spec.minimum,
            maximum=spec.maximum,
            max_length=spec.max_length,
            row_of=row_of,
        )
        if spec.type == "enum":
            made.choices = [(c, choice(c)) for c in spec.choices]
        elif spec.type == "boolean":
            made.choices = [("true", _("Yes")), ("false", _("No"))]
        elif spec.type in ("user", "document"):
            made.choices = options(spec)
        elif spec.type == "list":
            given = values.get(spec.name) or []
            count = max(len(given), spec.min_items, 1) + extra_rows.get(name, 0)
            if spec.max_items is not None:
                count = min(count, spec.max_items)
            made.can_add = spec.max_items is None or count < spec.max_items
            made.value = ""
            for index in range(count):
                row_values = given[index] if index < len(given) and isinstance(given[index], Mapping) else {}
                made.rows.append(
                    _fields(
                        spec.fields,
                        prefix=f"{name}[{index}].",
                        form_id=form_id,
                        lang=lang,
                        values=row_values,
                        errors=errors,
                        options=options,
                        extra_rows=extra_rows,
                        row_of=_("%(label)s, row %(n)s", label=made.label, n=index + 1),
                    )
                )
        result.append(made)
    return result


def _widget(spec: FieldSpec) -> str:
    if spec.type == "enum":
        return "radios" if len(spec.choices) <= RADIO_LIMIT else "select"
    if spec.type == "boolean":
        return "yesno"
    if spec.type in ("user", "document"):
        return "select"
    return {
        "string": "text",
        "text": "textarea",
        "integer": "number",
        "date": "date",
        "datetime": "datetime",
        "measure": "measure",
        "list": "list",
    }.get(spec.type, "text")


def _hint(spec: FieldSpec) -> str:
    if spec.type == "datetime":
        return _("Dutch time, for example 1 December 2026 at 09:30.")
    if spec.type == "date":
        return _("For example 1 December 2026.")
    if spec.type == "measure":
        return _("The id of an Algoritmekader measure, for example owk-02.")
    if spec.type == "integer" and spec.minimum is not None and spec.maximum is not None:
        return _("A whole number from %(low)s to %(high)s.", low=spec.minimum, high=spec.maximum)
    if spec.type == "list":
        return _("Leave a row empty to leave it out.")
    return ""


def flat_errors(fields: Sequence[Field]) -> list[Field]:
    """Every field with an error, in page order (for the summary at the top of a form)."""
    found = []
    for item in fields:
        if item.errors:
            found.append(item)
        for row in item.rows:
            found.extend(flat_errors(row))
    return found


def parse_form(schema: EvidenceSchema, form: MultiDict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read a submitted form: (evidence for the service, the raw values to show again).

    Empty inputs are left out, so the schema reports a required field as required; list rows with
    nothing filled in are dropped (and the rows renumbered, as the schema's error paths will be).
    """
    return _parse(schema.fields, form, "")


def _parse(specs: Sequence[FieldSpec], form: MultiDict[str, str], prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
    evidence: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    for spec in specs:
        name = prefix + spec.name
        if spec.type == "list":
            items, raw_items = [], []
            for index in _row_indices(form, name):
                item, raw_item = _parse(spec.fields, form, f"{name}[{index}].")
                if any(v not in ("", None) for v in raw_item.values()):
                    items.append(item)
                    raw_items.append(raw_item)
            raw[spec.name] = raw_items
            if items:
                evidence[spec.name] = items
            continue
        value = (form.get(name) or "").strip()
        raw[spec.name] = value
        if value == "":
            continue
        evidence[spec.name] = from_local_input(value) if spec.type == "datetime" else value
    return evidence, raw


def _row_indices(form: MultiDict[str, str], name: str) -> list[int]:
    pattern = re.compile(re.escape(name) + r"\[(\d{1,3})\]\.")
    return sorted({int(m[1]) for key in form for m in [pattern.match(key)] if m})


def extra_row(form: MultiDict[str, str]) -> dict[str, int]:
    """Which list the "add another" button asked to grow, if any."""
    asked = form.get(ADD_ROW)
    return {asked: 1} if asked else {}
