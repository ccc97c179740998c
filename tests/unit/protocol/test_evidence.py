"""Evidence schemas: every field type, nested lists, one_of, JSON Schema, and input that must not crash."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol.errors import InvalidEvidence
from protocol.evidence import EvidenceSchema, FieldSpec, format_instant, parse_instant
from tests.unit.protocol.support import DEFINITION, assessment, complete, refused, report


def one(spec: FieldSpec, value: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    return EvidenceSchema(fields=(spec,)).validate({spec.name: value})


def clean(spec: FieldSpec, value: Any) -> Any:
    values, errors = one(spec, value)
    assert errors == {}, errors
    return values[spec.name]


def error(spec: FieldSpec, value: Any) -> list[str]:
    values, errors = one(spec, value)
    assert spec.name not in values
    return errors[spec.name]


# ---------------------------------------------------------------------- field types


def test_strings_are_stripped_and_limited() -> None:
    spec = FieldSpec("name", "string", max_length=5)

    assert clean(spec, "  abc  ") == "abc"
    assert error(spec, "abcdef") == ["at most 5 characters"]
    assert error(spec, "   ") == ["required"]
    assert error(spec, 5) == ["must be text"]
    assert error(FieldSpec("name", "string"), "x" * 501) == ["at most 500 characters"]
    assert clean(FieldSpec("summary", "text"), "x" * 20_000) == "x" * 20_000
    assert error(FieldSpec("summary", "text"), "x" * 20_001) == ["at most 20000 characters"]


def test_enums_take_only_their_choices() -> None:
    spec = FieldSpec("scope", "enum", choices=("full", "partial"))

    assert clean(spec, "full") == "full"
    assert error(spec, "FULL") == ["must be one of: full, partial"]
    assert error(spec, ["full"]) == ["must be one of: full, partial"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(3, 3), ("3", 3), (" -2 ", None), (True, None), (3.0, None), ("3.5", None), ("1" * 19, None), (5, None)],
)
def test_integers(raw: Any, expected: int | None) -> None:
    spec = FieldSpec("severity", "integer", minimum=1, maximum=4)

    if expected is None:
        assert error(spec, raw)
    else:
        assert clean(spec, raw) == expected


def test_integer_bounds_are_named() -> None:
    spec = FieldSpec("severity", "integer", minimum=1, maximum=4)

    assert error(spec, 0) == ["must be at least 1"]
    assert error(spec, 5) == ["must be at most 4"]
    assert error(spec, True) == ["must be a whole number"]


@pytest.mark.parametrize("raw", [2**53, "9007199254740992", -(2**53), 10**30])
def test_integers_the_timeline_cannot_record_exactly_are_refused(raw: Any) -> None:
    assert error(FieldSpec("estimated_affected", "integer", minimum=None), raw) in (
        ["must lie between -9007199254740991 and 9007199254740991"],
        ["must be a whole number"],  # 10**30 as text is longer than a whole number may be written
    )


def test_a_huge_estimate_is_refused_per_field_not_crashed_on() -> None:
    incident = report()

    error = refused(
        incident, InvalidEvidence, lambda: complete(incident, "assess", assessment(estimated_affected=2**53))
    )

    assert list(error.errors) == ["estimated_affected"]


@pytest.mark.parametrize(("raw", "expected"), [(True, True), ("ja", True), ("on", True), ("nee", False), ("0", False)])
def test_booleans(raw: Any, expected: bool) -> None:
    assert clean(FieldSpec("flag", "boolean"), raw) is expected


@pytest.mark.parametrize("raw", ["maybe", 1, 0, []])
def test_booleans_refuse_anything_else(raw: Any) -> None:
    assert error(FieldSpec("flag", "boolean"), raw) in (["must be true or false"], ["required"])


def test_false_is_a_value_not_a_missing_field() -> None:
    assert clean(FieldSpec("flag", "boolean"), False) is False


def test_dates() -> None:
    spec = FieldSpec("review_date", "date")

    assert clean(spec, "2027-06-01") == "2027-06-01"
    assert clean(spec, date(2027, 6, 1)) == "2027-06-01"
    assert error(spec, datetime(2027, 6, 1, tzinfo=UTC)) == ["must be a date (YYYY-MM-DD)"]
    assert error(spec, "01-06-2027") == ["must be a date (YYYY-MM-DD)"]


@pytest.mark.parametrize("raw", ["0001-01-01", "0999-12-31", "1899-12-31", "3000-01-01", "9999-12-31", date.max])
def test_dates_outside_the_sane_range_are_refused(raw: Any) -> None:
    assert error(FieldSpec("due_date", "date"), raw) == ["must lie between 1900 and 2999"]


@pytest.mark.parametrize("raw", ["1900-01-01", "2999-12-31"])
def test_the_range_includes_its_ends(raw: str) -> None:
    assert clean(FieldSpec("due_date", "date"), raw) == raw


@pytest.mark.parametrize(
    "raw",
    [
        "0001-01-01T00:00:00+01:00",  # has no UTC form: OverflowError
        "9999-12-31T23:59:59-01:00",
        "0005-01-01T00:00:00+00:00",  # would be written '5-01-01T...', not ISO 8601
        "3000-01-01T00:00:00Z",
    ],
)
def test_instants_outside_the_sane_range_are_refused_not_crashed_on(raw: str) -> None:
    assert error(FieldSpec("since", "datetime"), raw) == ["must lie between 1900 and 2999"]
    with pytest.raises(ValueError, match="between 1900 and 2999"):
        parse_instant(raw)


def test_datetimes_need_a_zone_and_are_kept_in_utc() -> None:
    spec = FieldSpec("informed_at", "datetime")

    assert clean(spec, "2026-07-01T10:00:00+02:00") == "2026-07-01T08:00:00.000000Z"
    assert clean(spec, "2026-07-01T08:00:00Z") == "2026-07-01T08:00:00.000000Z"
    assert clean(spec, datetime(2026, 7, 1, 8, tzinfo=timezone(timedelta(hours=-5)))) == "2026-07-01T13:00:00.000000Z"
    assert error(spec, "2026-07-01T10:00:00") == ["needs a time zone, e.g. 2026-03-01T09:30:00+01:00"]
    assert error(spec, "tomorrow") == ["must be a date and time (ISO 8601 with time zone)"]


def test_ids() -> None:
    for kind in ("user", "document"):
        spec = FieldSpec("who", kind)
        assert clean(spec, "00000000-0000-0000-0000-0000000000D1") == "00000000-0000-0000-0000-0000000000d1"
        assert clean(spec, UUID(int=1)) == str(UUID(int=1))
        assert error(spec, "d1") == ["must be an id (UUID)"]


@pytest.mark.parametrize(("raw", "expected"), [("owk-02", "owk-02"), (" VER-03 ", "ver-03"), ("aia-35", "aia-35")])
def test_measures(raw: str, expected: str) -> None:
    assert clean(FieldSpec("measure", "measure"), raw) == expected


@pytest.mark.parametrize("raw", ["owk2", "o-02", "owk-002", 2])
def test_measures_refuse_anything_else(raw: Any) -> None:
    assert error(FieldSpec("measure", "measure"), raw) == ["must be an Algoritmekader measure id such as owk-02"]


@pytest.mark.parametrize("kind", ["string", "text"])
@pytest.mark.parametrize(
    ("raw", "message"),
    [("half a pair \ud800", "must be valid Unicode text"), ("a\x00b", "must not contain NUL characters")],
)
def test_text_that_cannot_be_hashed_or_stored_is_refused(kind: str, raw: str, message: str) -> None:
    assert error(FieldSpec("reference", kind), raw) == [message]


def test_text_with_any_other_character_is_kept() -> None:
    text = "Tab\tnewline\n emoji 🙂 and é"

    assert clean(FieldSpec("summary", "text"), text) == text.strip()


# ---------------------------------------------------------------------- objects and lists

ITEM = (
    FieldSpec("body", "enum", choices=("ap", "council")),
    FieldSpec("at", "date"),
    FieldSpec("ref", "string", required=False),
)
BODIES = FieldSpec("bodies", "list", min_items=1, max_items=2, fields=ITEM)


def test_lists_validate_each_item_with_its_own_path() -> None:
    values, errors = EvidenceSchema(fields=(BODIES,)).validate(
        {"bodies": [{"body": "ap", "at": "2026-01-05"}, {"body": "press", "extra": True}]}
    )

    assert errors == {
        "bodies[1].extra": ["unknown field"],
        "bodies[1].body": ["must be one of: ap, council"],
        "bodies[1].at": ["required"],
    }
    assert values["bodies"][0] == {"body": "ap", "at": "2026-01-05"}


def test_list_sizes() -> None:
    assert error(BODIES, [{"body": "ap", "at": "2026-01-05"}] * 3) == ["at most 2 items"]
    assert error(BODIES, []) == ["required"]
    assert error(BODIES, {"body": "ap"}) == ["must be a list"]
    short = FieldSpec("bodies", "list", min_items=2, fields=ITEM)
    assert error(short, [{"body": "ap", "at": "2026-01-05"}]) == ["needs at least 2 item(s)"]


def test_unknown_and_missing_fields_are_all_reported() -> None:
    schema = DEFINITION.step("suspend").evidence

    values, errors = schema.validate({"scope": "full", "colour": "red", "size": 1})

    assert errors == {
        "colour": ["unknown field"],
        "size": ["unknown field"],
        "fallback_procedure": ["required"],
        "not_working_since": ["required"],
        "confirmed_by_owner": ["required"],
    }
    assert values == {"scope": "full"}


def test_nothing_given_is_an_empty_object() -> None:
    assert EvidenceSchema().validate(None) == ({}, {})
    assert DEFINITION.step("assess").evidence.validate(None)[1]["outcome"] == ["required"]


def test_one_of_is_satisfied_by_either_member() -> None:
    schema = DEFINITION.step("sanction").evidence

    assert schema.validate({"none_reason": "No one acted wrongly."})[1] == {}
    sanctions = [{"kind": "warning", "description": "Written warning.", "decided_on": "2027-01-10"}]
    assert schema.validate({"sanctions": sanctions})[1] == {}
    assert schema.validate({"none_reason": "  "})[1]["none_reason"] == [
        "required",
        "give at least one of: sanctions, none_reason",
    ]


def test_facts_and_names() -> None:
    schema = DEFINITION.step("assess").evidence

    assert schema.facts() == {
        "outcome",
        "severity",
        "estimated_affected",
        "high_risk_ai",
        "personal_data_breach",
        "widespread",
    }
    assert "summary" in schema.names


# ---------------------------------------------------------------------- JSON Schema


def test_json_schema_of_a_step() -> None:
    schema = DEFINITION.step("report").evidence.to_json_schema()

    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["bodies"]
    bodies = schema["properties"]["bodies"]
    assert bodies["type"] == "array"
    assert bodies["minItems"] == 1
    item = bodies["items"]
    assert item["required"] == ["body", "informed_at"]
    assert item["properties"]["informed_at"] == {"type": "string", "format": "date-time", "title": "Informed at"}
    assert "parliament" in item["properties"]["body"]["enum"]


def test_json_schema_carries_bounds_and_formats() -> None:
    properties = DEFINITION.step("assess").evidence.to_json_schema()["properties"]

    assert properties["severity"] == {"type": "integer", "minimum": 1, "maximum": 4, "title": "Severity (1–4)"}
    assert properties["summary"]["maxLength"] == 20_000
    assert (
        DEFINITION.step("investigate").start_evidence.to_json_schema()["properties"]["investigator"]["format"] == "uuid"
    )
    safeguards = DEFINITION.step("safeguard").evidence.to_json_schema()["properties"]["safeguards"]
    assert safeguards["items"]["properties"]["measure"]["pattern"] == r"^[a-z]{2,4}-\d{2}$"


def test_every_step_of_the_built_in_definition_renders_as_json_schema() -> None:
    for step in DEFINITION.steps.values():
        for schema in (step.evidence, step.start_evidence):
            rendered = schema.to_json_schema()
            assert set(rendered["properties"]) == schema.names


# ---------------------------------------------------------------------- instants


def test_instants_have_one_textual_form() -> None:
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)

    assert format_instant(moment) == "2026-03-29T01:30:00.000000Z"
    assert parse_instant("2026-03-29T03:30:00+02:00") == moment
    assert parse_instant(format_instant(moment)) == moment


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_instants_round_trip(moment: datetime) -> None:
    assert parse_instant(format_instant(moment)) == moment


@given(st.text(max_size=30))
def test_text_is_parsed_to_an_aware_utc_instant_or_refused_with_a_value_error(raw: str) -> None:
    try:
        moment = parse_instant(raw)
    except ValueError:
        return
    assert moment.tzinfo is UTC
