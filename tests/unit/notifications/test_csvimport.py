"""Reading persons files as Dutch and English spreadsheets write them; refusing every bad row."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.nl import bsn as bsn_number

from notifications import messages
from notifications.csvimport import decode, normalise_bsn, parse_persons_csv
from notifications.demo import fictitious_bsns
from notifications.errors import FileTooLarge, PersonsFileRejected

BSNS = fictitious_bsns()
B1, B2, B3 = next(BSNS), next(BSNS), next(BSNS)
NL_HEADER = "bsn;naam;straat;huisnummer;postcode;woonplaats;email;taal;toestemming"
EN_HEADER = "BSN,Name,Street,House number,Postal code,City,E-mail,Language,Consent"


def parse(text: str, *, encoding: str = "utf-8", limit: int = 10_000_000):
    return parse_persons_csv(text.encode(encoding), max_bytes=limit)


def refused(text: str, **kwargs) -> PersonsFileRejected:
    with pytest.raises(PersonsFileRejected) as caught:
        parse(text, **kwargs)
    return caught.value


def test_dutch_semicolon_file_with_bom_is_read():
    data = f"{NL_HEADER}\r\n{B1};Jan de Vries;Kerkstraat;12;1234ab;Utrecht;Jan@Example.nl;nl;ja\r\n"
    parsed = parse_persons_csv(b"\xef\xbb\xbf" + data.encode(), max_bytes=10_000)
    assert parsed.encoding == "utf-8-sig"
    assert parsed.delimiter == ";"
    (person,) = parsed.records
    assert (person.bsn, person.name, person.postal_code, person.email, person.language, person.consent) == (
        B1,
        "Jan de Vries",
        "1234 AB",
        "jan@example.nl",
        "nl",
        True,
    )


def test_windows_1252_with_diacritics_and_euro_sign():
    text = f"{NL_HEADER}\r\n{B1};Zoë Öztürk-Müller;€-plein;3;2511 AB;Den Haag;;en;nee\r\n"
    parsed = parse(text, encoding="cp1252")
    assert parsed.encoding == "cp1252"
    person = parsed.records[0]
    assert person.name == "Zoë Öztürk-Müller"
    assert person.street == "€-plein"
    assert person.language == "en"
    assert person.consent is False
    assert person.email == ""


def test_utf8_without_bom_is_preferred_over_cp1252():
    text, encoding = decode("naam: Zoë €".encode())
    assert (text, encoding) == ("naam: Zoë €", "utf-8")


def test_english_comma_file_with_quoted_delimiters_and_blank_lines():
    text = (
        f"{EN_HEADER}\n\n"
        f'{B1},"Vries, Jan de","Kade 1, achterzijde",7,3511 AA,Utrecht,j@example.nl,English,yes\n'
        "\n"
        f'{B2},"Bakker; Piet",Dorpsstraat,7-2,3511AB,"Utrecht",,,\n'
    )
    parsed = parse(text)
    assert parsed.delimiter == ","
    first, second = parsed.records
    assert first.name == "Vries, Jan de"
    assert first.street == "Kade 1, achterzijde"
    assert first.language == "en"
    assert second.name == "Bakker; Piet"
    assert second.house_number == "7-2"
    assert second.language == "nl"


def test_multiline_quoted_cell_counts_as_one_spreadsheet_row():
    text = f'{NL_HEADER}\n{B1};"Jan\nde Vries";Kerkstraat;1;1234 AB;Utrecht;;;\n{B2};;Kerkstraat;1;1234 AB;Utrecht;;;\n'
    error = refused(text)
    assert [(e.row, e.field) for e in error.rows] == [(3, "name")]
    fixed = parse(text.replace(f"{B2};;", f"{B2};Piet;"))
    assert fixed.records[0].name == "Jan de Vries"


def test_missing_columns_are_named_and_nothing_else_is_checked():
    error = refused(f"bsn;naam;woonplaats\n{B1};Jan;Utrecht\n")
    assert {(e.row, e.field) for e in error.rows} == {(1, "street"), (1, "house_number"), (1, "postal_code")}


def test_every_bad_row_is_reported_with_row_field_and_reason():
    text = (
        f"{NL_HEADER}\n"
        f"{B1};Jan;Kerkstraat;1;1234 AB;Utrecht;;;\n"  # row 2: fine
        "123456789;Piet;Kerkstraat;1;1234 AB;Utrecht;;;\n"  # row 3: eleven-test fails
        f"{B2};Kees;Kerkstraat;één;12345;Utrecht;kees@;fr;misschien\n"  # row 4: five problems
        "\n"  # row 5: blank
        "12AB;;Kerkstraat;1;1234 AB;Utrecht;;;\n"  # row 6: bsn format, name missing
    )
    error = refused(text)
    found = {(e.row, e.field) for e in error.rows}
    assert found == {
        (3, "bsn"),
        (4, "house_number"),
        (4, "postal_code"),
        (4, "email"),
        (4, "language"),
        (4, "consent"),
        (6, "bsn"),
        (6, "name"),
    }
    assert error.total == 8
    assert "eleven-test" in next(e.message for e in error.rows if e.row == 3)
    assert error.errors == {"file": ["8 problem(s) found; nothing was imported"]}


def test_error_report_is_capped_but_counts_everything():
    rows = "\n".join(f"123456789;P{i};Kerkstraat;1;1234 AB;Utrecht;;;" for i in range(30))
    with pytest.raises(PersonsFileRejected) as caught:
        parse_persons_csv(f"{NL_HEADER}\n{rows}\n".encode(), max_bytes=10**6, max_errors=10)
    assert len(caught.value.rows) == 10
    assert caught.value.total == 30
    assert caught.value.rows[0].row == 2


def test_duplicates_in_the_file_are_merged_later_cells_win_where_filled():
    text = (
        f"{NL_HEADER}\n"
        f"{B1};Jan;Kerkstraat;1;1234 AB;Utrecht;jan@example.nl;nl;ja\n"
        f"{B2};Piet;Kerkstraat;2;1234 AB;Utrecht;;;\n"
        f"{B1[:3]}.{B1[3:5]}.{B1[5:]};Jan de Vries;Molenweg;9;3511 AB;Utrecht;;en;\n"
    )
    parsed = parse(text)
    assert parsed.rows == 3
    assert parsed.merged == 1
    assert len(parsed.records) == 2
    jan = next(r for r in parsed.records if r.bsn == B1)
    assert (jan.name, jan.street, jan.email, jan.language, jan.consent) == (
        "Jan de Vries",
        "Molenweg",
        "jan@example.nl",
        "en",
        True,
    )


def test_an_unquoted_delimiter_in_a_value_is_caught():
    error = refused(f"{EN_HEADER}\n{B1},Jan,Kade 1, achter,7,3511 AA,Utrecht,,,,\n")
    assert any(e.field == "row" and e.row == 2 for e in error.rows) or any(
        e.field == "house_number" for e in error.rows
    )


def test_eight_digit_bsn_from_a_spreadsheet_that_dropped_the_leading_zero():
    number = next(n for n in fictitious_bsns(prefix="0") if n.startswith("0"))
    parsed = parse(f"{NL_HEADER}\n{number[1:]};Jan;Kerkstraat;1;1234 AB;Utrecht;;;\n")
    assert parsed.records[0].bsn == number


def test_oversized_file_is_refused_before_reading():
    with pytest.raises(FileTooLarge) as caught:
        parse_persons_csv(b"x" * 101, max_bytes=100)
    assert caught.value.details == {"size": 101, "limit": 100}
    assert "limit is 100 bytes" in str(caught.value)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"bsn\n111222333\n", "single column"),
        (NL_HEADER.encode() + b"\n", "no persons"),
        (b"\xff\xfeb\x00s\x00n\x00", "UTF-16"),
        (NL_HEADER.encode() + b"\n\x81\x8d\x8f;\n", "neither UTF-8 nor Windows-1252"),
    ],
)
def test_files_that_are_not_persons_files(data, reason):
    with pytest.raises(PersonsFileRejected) as caught:
        parse_persons_csv(data, max_bytes=10_000)
    assert reason in caught.value.rows[0].message


ADDRESS_HEADER = "bsn;naam;adres;postcode;woonplaats"


def test_street_and_number_in_one_column_are_split():
    text = (
        f"{ADDRESS_HEADER}\n"
        f"{B1};Jan;Dorpsstraat 12 A;1234 AB;Utrecht\n"
        f"{B2};Piet;Laan van Meerdervoort 1023-bis;2517 AA;Den Haag\n"
        f"{B3};Kees;2e Hugo de Grootstraat 5 hs;1052 LB;Amsterdam\n"
    )
    parsed = parse(text)
    assert [(p.street, p.house_number, p.addition) for p in parsed.records] == [
        ("Dorpsstraat", "12", "A"),
        ("Laan van Meerdervoort", "1023", "bis"),
        ("2e Hugo de Grootstraat", "5", "hs"),
    ]


def test_a_toevoeging_column_beside_one_address_column_fills_in_or_must_agree():
    header = "bsn;naam;straat;toevoeging;postcode;woonplaats"
    parsed = parse(f"{header}\n{B1};Jan;Kerkstraat 7;II;1234 AB;Utrecht\n{B2};Piet;Kerkstraat 7a;A;1234 AB;Utrecht\n")
    assert [(p.house_number, p.addition) for p in parsed.records] == [("7", "II"), ("7", "a")]
    error = refused(f"{header}\n{B1};Jan;Kerkstraat 7a;bis;1234 AB;Utrecht\n")
    assert [(e.row, e.field, e.message.code) for e in error.rows] == [(2, "addition", "address.two-additions")]


def test_refused_addresses_in_one_column_are_reported_by_row_field_and_code():
    text = (
        f"{ADDRESS_HEADER}\n"
        f"{B1};Jan;Van Goghstraat 2 t/m 4;1234 AB;Utrecht\n"
        f"{B2};Piet;Kerkstraat;1234 AB;Utrecht\n"
        f"{B3};Kees;Plein 1944 3;1234 AB;Utrecht\n"
    )
    error = refused(text)
    assert [(e.row, e.field, e.message.code) for e in error.rows] == [
        (2, "street", "address.range"),
        (3, "street", "address.no-number"),
        (4, "street", "address.ambiguous"),
    ]


def test_a_later_row_in_one_column_replaces_the_whole_address():
    text = f"{ADDRESS_HEADER}\n{B1};Jan;Kerkstraat 7a;1234 AB;Utrecht\n{B1};Jan;Kerkstraat 9;1234 AB;Utrecht\n"
    (person,) = parse(text).records
    assert (person.house_number, person.addition) == ("9", "")


def test_with_a_huisnummer_column_the_street_is_not_split():
    parsed = parse(f"{NL_HEADER}\n{B1};Jan;Plein 1944;3;1234 AB;Utrecht;;;\n")
    assert (parsed.records[0].street, parsed.records[0].house_number) == ("Plein 1944", "3")
    error = refused(f"{NL_HEADER}\n{B1};Jan;Kerkstraat 12;;1234 AB;Utrecht;;;\n")
    assert [(e.field, e.message.code) for e in error.rows] == [("house_number", "field.required")]


# ------------------------------------------------------------------ decisions made with the algorithm

NL_DECISIONS = "bsn;naam;straat;huisnummer;postcode;woonplaats;besluitkenmerk;besluitdatum;onderwerp"
EN_DECISIONS = "BSN,Name,Street,House number,Postal code,City,Decision reference,Decision date,Decision subject"


def test_a_person_with_several_decisions_has_a_row_for_each_and_they_merge():
    from datetime import date

    from notifications.decisions import DecisionMade

    text = (
        f"{NL_DECISIONS}\n"
        f"{B1};Jan;Kerkstraat;1;1234 AB;Utrecht;Z/24/012345;15-3-2024;Bijzondere bijstand\n"
        f"{B2};Piet;Kerkstraat;2;1234 AB;Utrecht;;;\n"  # a person without decisions: the cells stay empty
        f"{B1};Jan;Kerkstraat;1;1234 AB;Utrecht;Z/24/012399;01/06/2024;Terugvordering\n"
        f"{B1};Jan;Kerkstraat;1;1234 AB;Utrecht;Z/24/012345;2024-03-15;Bijzondere bijstand\n"  # the same, once
        f"{B1};Jan;Kerkstraat;1;1234 AB;Utrecht;;2.11.2023;\n"  # only a date: still a decision to name
    )
    parsed = parse_persons_csv(text.encode(), max_bytes=10**6, today=date(2026, 12, 5))
    jan = next(r for r in parsed.records if r.bsn == B1)
    piet = next(r for r in parsed.records if r.bsn == B2)
    assert jan.decisions == [
        DecisionMade("Z/24/012345", date(2024, 3, 15), "Bijzondere bijstand"),
        DecisionMade("Z/24/012399", date(2024, 6, 1), "Terugvordering"),
        DecisionMade("", date(2023, 11, 2), ""),
    ]
    assert piet.decisions == []
    assert parsed.merged == 3


def test_english_decision_headers_and_iso_dates():
    from datetime import date

    text = f"{EN_DECISIONS}\n{B1},Jan,Kerkstraat,1,1234 AB,Utrecht,B-77,2025-01-31,Housing benefit\n"
    (jan,) = parse(text).records
    assert [(d.reference, d.day, d.subject) for d in jan.decisions] == [("B-77", date(2025, 1, 31), "Housing benefit")]


def test_bad_decision_cells_are_reported_by_row_field_and_code():
    from datetime import date

    text = (
        f"{NL_DECISIONS}\n"
        f"{B1};Jan;Kerkstraat;1;1234 AB;Utrecht;Z/1;15-3-24;Bijstand\n"  # row 2: a two-digit year
        f"{B2};Piet;Kerkstraat;2;1234 AB;Utrecht;Z/2;31-02-2024;Bijstand\n"  # row 3: no such day
        f"{B3};Kees;Kerkstraat;3;1234 AB;Utrecht;Z/3;1-1-2027;Bijstand\n"  # row 4: after today
        f"{B3};Kees;Kerkstraat;3;1234 AB;Utrecht;{'Z' * 61};maart 2024;{'o' * 201}\n"  # row 5: three problems
        f"{B1};Jan;Kerkstraat;1;1234 AB;Utrecht;Z/9;1-1-2024;Bijstand\n"  # row 6: fine
        f"{B1};Jan;Kerkstraat;1;1234 AB;Utrecht;Z/9;2-1-2024;Bijstand\n"  # row 7: Z/9 with another date
    )
    with pytest.raises(PersonsFileRejected) as caught:
        parse_persons_csv(text.encode(), max_bytes=10**6, today=date(2026, 12, 5))
    found = {(e.row, e.field, e.message.code) for e in caught.value.rows}
    assert found == {
        (2, "decision_date", "decision-column.date"),
        (3, "decision_date", "decision-column.no-such-day"),
        (4, "decision_date", "decision-column.date-range"),
        (5, "decision_reference", "field.too-long"),
        (5, "decision_date", "decision-column.date"),
        (5, "decision_subject", "field.too-long"),
        (7, "decision_reference", "decision-column.conflict"),
    }
    assert "15-03-2024" in next(e.message for e in caught.value.rows if e.row == 2)


def test_more_decisions_than_a_letter_can_list_are_refused():
    from notifications.decisions import MAX_PER_PERSON

    rows = "".join(
        f"{B1};Jan;Kerkstraat;1;1234 AB;Utrecht;Z/{i};1-1-2024;Bijstand\n" for i in range(MAX_PER_PERSON + 1)
    )
    error = refused(f"{NL_DECISIONS}\n{rows}")
    assert [(e.row, e.field, e.message.code) for e in error.rows] == [
        (MAX_PER_PERSON + 2, "decision_reference", "decision-column.too-many")
    ]


@given(st.one_of(st.from_regex(r"\A[0-9]{9}\Z"), st.text(alphabet="0123456789 .-\n٣", max_size=11)))
def test_bsn_check_accepts_and_refuses_as_stdnum_validate_does(raw: str) -> None:
    """The shortcut for nine plain digits (stdnum's checksum alone) decides as stdnum's `validate`."""
    number, problem = normalise_bsn(raw)
    if not raw:
        assert problem is not None
        return
    try:
        expected: str | None = str(bsn_number.validate(raw))
    except InvalidChecksum:
        assert (number, getattr(problem, "code", None)) == (None, messages.BSN_ELEVEN_TEST().code)
        return
    except ValidationError:
        assert (number, getattr(problem, "code", None)) == (None, messages.BSN_DIGITS().code)
        return
    assert (number, problem) == (expected, None)
