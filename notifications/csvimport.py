"""Reading a file of affected persons: encodings, delimiters and headers as spreadsheets write them.

The whole file is checked before anything is stored: any bad row refuses the file, with every
problem reported by the row number a spreadsheet shows (the header is row 1), the field and the
reason. Rows for the same BSN are merged (later cells win where they are filled in); the decisions
the rows name (one per row: reference, date, subject) are gathered, each once, in the file's order.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.nl import bsn as bsn_number

from notifications import messages
from notifications.addresses import AddressRefused, split_address
from notifications.decisions import EARLIEST, MAX_PER_PERSON, MAX_REFERENCE, MAX_SUBJECT, DecisionMade, parse_day
from notifications.errors import FileTooLarge, PersonsFileRejected, RowError
from protocol.messages import FILE_EMPTY, TOO_LONG, Text
from protocol.messages import REQUIRED as REQUIRED_VALUE

MAX_ERRORS = 1000
Progress = Callable[[str, int, int], None]

# Header names by field, compared after lower-casing and dropping everything but letters and digits.
ALIASES: dict[str, tuple[str, ...]] = {
    "bsn": ("bsn", "burgerservicenummer"),
    "name": ("naam", "name", "volledigenaam", "fullname"),
    "street": ("straat", "street", "straatnaam", "streetname", "adres", "address"),
    "house_number": ("huisnummer", "housenumber", "huisnr", "nummer", "number", "nr"),
    "addition": ("toevoeging", "huisnummertoevoeging", "addition", "housenumberaddition", "suffix"),
    "postal_code": ("postcode", "postalcode", "zipcode", "zip"),
    "city": ("woonplaats", "plaats", "city", "town"),
    "email": ("email", "emailadres", "emailaddress", "mail"),
    "language": ("taal", "language", "lang", "voorkeurstaal"),
    "consent": (
        "toestemming",
        "consent",
        "toestemmingelektronisch",
        "toestemmingemail",
        "electronicconsent",
        "consentelectronic",
        "emailconsent",
    ),
    # a decision made with the algorithm, one per row (a person with several has several rows)
    "decision_reference": ("besluitkenmerk", "decisionreference", "kenmerkbesluit", "besluitnummer"),
    "decision_date": ("besluitdatum", "decisiondate", "datumbesluit", "dagtekening"),
    "decision_subject": ("onderwerp", "decisionsubject", "besluitonderwerp", "onderwerpbesluit"),
}
REQUIRED = ("bsn", "name", "street", "house_number", "postal_code", "city")
OPTIONAL = ("addition", "email", "language", "consent")
DECISION_FIELDS = ("decision_reference", "decision_date", "decision_subject")
_BY_HEADER = {alias: name for name, aliases in ALIASES.items() for alias in aliases}

LANGUAGES = {
    "nl": "nl",
    "nld": "nl",
    "nederlands": "nl",
    "dutch": "nl",
    "en": "en",
    "eng": "en",
    "engels": "en",
    "english": "en",
}
YES = {"ja", "j", "yes", "y", "true", "waar", "1", "x"}
NO = {"nee", "n", "no", "false", "onwaar", "0"}
POSTCODE = re.compile(r"^([1-9][0-9]{3})\s?([A-Z]{2})$")
HOUSE_NUMBER = re.compile(r"^[0-9]{1,5}(\s?[-/]?\s?[0-9A-Za-z]{1,6})?$")
EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]{2,}$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class PersonRecord:
    """One person as the file gives them, checked and normalised."""

    row: int
    bsn: str
    name: str
    street: str
    house_number: str
    postal_code: str
    city: str
    addition: str = ""
    email: str = ""
    language: str = "nl"
    consent: bool = False
    provided: set[str] = field(default_factory=set)  # the optional cells that were filled in
    decisions: list[DecisionMade] = field(default_factory=list)

    def address(self) -> dict[str, str]:
        return {
            "street": self.street,
            "house_number": self.house_number,
            "addition": self.addition,
            "postal_code": self.postal_code,
            "city": self.city,
        }

    def merge(self, later: PersonRecord) -> None:
        """Take what a later row for the same BSN says; its empty optional cells change nothing."""
        for name in (*REQUIRED, *later.provided):
            setattr(self, name, getattr(later, name))
        self.provided |= later.provided
        self.decisions += [d for d in later.decisions if d not in self.decisions]

    def decision_problem(self, later: PersonRecord) -> tuple[str, Text] | None:
        """Why a later row's decision cannot join this person's: (field, reason), or None."""
        for new in later.decisions:
            if new in self.decisions:
                continue
            if new.reference and any(d.reference == new.reference for d in self.decisions):
                return "decision_reference", messages.DECISION_CONFLICT(reference=repr(new.reference))
            if len(self.decisions) >= MAX_PER_PERSON:
                return "decision_reference", messages.DECISION_TOO_MANY(limit=MAX_PER_PERSON)
        return None


@dataclass
class ParsedPersons:
    """A file that passed every check."""

    records: list[PersonRecord]
    rows: int  # data rows with content
    merged: int  # rows that repeated a BSN seen earlier in the file
    encoding: str
    delimiter: str
    sha256: str


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and its encoding: UTF-8 (with or without BOM), else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _file_error(messages.FILE_UTF16())
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as error:
            raise _file_error(messages.FILE_BAD_UTF8(byte=error.start + 3)) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        raise _file_error(messages.FILE_ENCODING(byte=error.start)) from None


def detect_delimiter(text: str) -> str:
    """Semicolon (Dutch spreadsheets), comma or tab: whichever the header line uses most."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        raise _file_error(messages.FILE_ONE_COLUMN())
    return best


def parse_persons_csv(
    data: bytes,
    *,
    max_bytes: int,
    max_errors: int = MAX_ERRORS,
    progress: Progress | None = None,
    today: date | None = None,
) -> ParsedPersons:
    """Check a whole persons file; PersonsFileRejected lists every bad row, FileTooLarge if over the limit.

    `today` bounds a decision's date (a decision already made); None leaves the upper end open."""
    if len(data) > max_bytes:
        raise FileTooLarge(len(data), max_bytes)
    text, encoding = decode(data)
    if not text.strip():
        raise _file_error(FILE_EMPTY())
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    errors: list[RowError] = []
    total_errors = 0

    def problem(row: int, name: str, message: str) -> None:
        nonlocal total_errors
        total_errors += 1
        if len(errors) < max_errors:
            errors.append(RowError(row, name, message))

    records: dict[str, PersonRecord] = {}
    rows = merged = 0
    columns: dict[int, str] | None = None
    width = 0
    approx_total = max(1, text.count("\n"))
    row = 0
    try:
        for cells in reader:
            row += 1  # a spreadsheet's row number: the header is row 1, blank lines count
            if not any(c.strip() for c in cells):
                continue
            if columns is None:
                columns, width = _columns(cells, row), len(cells)
                continue
            rows += 1
            record = _record(row, cells, columns, width, problem, today)
            if record is not None:
                earlier = records.get(record.bsn)
                if earlier is None:
                    records[record.bsn] = record
                elif (refused := earlier.decision_problem(record)) is not None:
                    problem(row, *refused)
                else:
                    earlier.merge(record)
                    merged += 1
            if progress is not None and rows % 5000 == 0:
                progress("check", reader.line_num, approx_total)
    except csv.Error as error:
        problem(row + 1, "file", messages.FILE_NOT_CSV(error=str(error)))
    if columns is None:
        raise _file_error(messages.FILE_NO_HEADER())
    if rows == 0:
        raise _file_error(messages.FILE_NO_PERSONS())
    if total_errors:
        raise PersonsFileRejected(
            messages.FILE_PROBLEMS(total=total_errors),
            rows=errors,
            total=total_errors,
        )
    return ParsedPersons(
        records=list(records.values()),
        rows=rows,
        merged=merged,
        encoding=encoding,
        delimiter=delimiter,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _columns(cells: list[str], row: int) -> dict[int, str]:
    found: dict[int, str] = {}
    problems = []
    for index, header in enumerate(cells):
        key = re.sub(r"[^a-z0-9]", "", header.strip().lower())
        name = _BY_HEADER.get(key)
        if name is None:
            continue  # other columns are ignored, never stored
        if name in found.values():
            problems.append(RowError(row, name, messages.COLUMN_REPEATED(header=repr(header.strip()), column=name)))
            continue
        found[index] = name
    for name in REQUIRED:
        if name == "house_number" and "street" in found.values():
            continue  # no huisnummer column: the street column holds street and number together
        if name not in found.values():
            expected = " or ".join(repr(a) for a in ALIASES[name][:2])
            problems.append(RowError(row, name, messages.COLUMN_MISSING(expected=expected)))
    if problems:
        raise PersonsFileRejected(messages.FILE_HEADER_REFUSED(), rows=problems, total=len(problems))
    return found


def _record(
    row: int,
    cells: list[str],
    columns: dict[int, str],
    width: int,
    problem: Callable[[int, str, str], None],
    today: date | None = None,
) -> PersonRecord | None:
    # line breaks and runs of spaces inside a cell become one space (a multi-line name or street)
    values = {name: (" ".join(cells[i].split()) if i < len(cells) else "") for i, name in columns.items()}
    count = [0]

    def bad(name: str, message: str) -> None:
        count[0] += 1
        problem(row, name, message)

    if any(c.strip() for c in cells[width:]):
        bad("row", messages.ROW_TOO_WIDE(width=width))
    for name in ("name", "street", "city"):
        value = values.get(name, "")
        if not value:
            bad(name, REQUIRED_VALUE())
        elif len(value) > 200:
            bad(name, TOO_LONG(limit=200))
        elif CONTROL.search(value):
            bad(name, messages.CONTROL_CHARACTERS())
    number = _bsn(values.get("bsn", ""), bad)
    addition = values.get("addition", "")
    if len(addition) > 10:
        bad("addition", TOO_LONG(limit=10))
    street, house_number = values.get("street", ""), values.get("house_number", "")
    together = "house_number" not in values  # street and number in one column: split them
    if not together:
        if not house_number:
            bad("house_number", REQUIRED_VALUE())
        elif not HOUSE_NUMBER.match(house_number):
            bad("house_number", messages.HOUSE_NUMBER())
    elif street and len(street) <= 200 and not CONTROL.search(street):
        street, house_number, addition = _split_street(street, addition, bad)
    postal_code = values.get("postal_code", "").upper()
    match = POSTCODE.match(postal_code)
    if not postal_code:
        bad("postal_code", REQUIRED_VALUE())
    elif not match:
        bad("postal_code", messages.POSTCODE())
    email, email_problem = normalise_email(values.get("email", ""))
    if email_problem:
        bad("email", email_problem)
    language = LANGUAGES.get(values.get("language", "").lower()) if values.get("language") else "nl"
    if language is None:
        bad("language", messages.LANGUAGE())
    consent_raw = values.get("consent", "").lower()
    if consent_raw and consent_raw not in YES | NO:
        bad("consent", messages.CONSENT())
    decision = _decision(values, bad, today)
    if count[0] or number is None or match is None or language is None:
        return None
    return PersonRecord(
        row=row,
        bsn=number,
        name=values["name"],
        street=street,
        house_number=house_number,
        addition=addition,
        postal_code=f"{match.group(1)} {match.group(2)}",
        city=values["city"],
        email=email,
        language=language,
        consent=consent_raw in YES,
        # one cell gives the whole address, so a later row's address (addition or none) replaces it whole
        provided={n for n in OPTIONAL if values.get(n)} | ({"addition"} if together else set()),
        decisions=[decision] if decision is not None else [],
    )


def _decision(values: dict[str, str], bad: Callable[[str, str], None], today: date | None) -> DecisionMade | None:
    """The decision a row names (any of its three cells filled in), checked; None for none."""
    reference, raw_day, subject = (values.get(name, "") for name in DECISION_FIELDS)
    if not (reference or raw_day or subject):
        return None
    fine = True
    cells = (("decision_reference", reference, MAX_REFERENCE), ("decision_subject", subject, MAX_SUBJECT))
    for name, value, limit in cells:
        if len(value) > limit:
            bad(name, TOO_LONG(limit=limit))
            fine = False
        elif CONTROL.search(value):
            bad(name, messages.CONTROL_CHARACTERS())
            fine = False
    day = None
    if raw_day:
        day, why = parse_day(raw_day, today=today)
        if why is not None:
            bad("decision_date", _DATE_PROBLEMS[why]())
            fine = False
    return DecisionMade(reference, day, subject) if fine else None


_DATE_PROBLEMS: dict[str, Callable[[], str]] = {
    "format": messages.DECISION_DATE,
    "no-such-day": messages.DECISION_NO_SUCH_DAY,
    "range": lambda: messages.DECISION_DATE_RANGE(earliest=EARLIEST.strftime("%d-%m-%Y")),
}


def _split_street(text: str, addition: str, bad: Callable[[str, str], None]) -> tuple[str, str, str]:
    """Street, house number and addition from one cell such as ``Dorpsstraat 12 A`` (see notifications.addresses).

    A toevoeging column beside it is still read: it may repeat what the cell says, or give the addition
    the cell lacks; an addition in both that differs is refused rather than guessed between.
    """
    try:
        parts = split_address(text)
    except AddressRefused as refused:
        bad("street", refused.reason)
        return text, "", addition
    if parts.suffix and addition and parts.suffix.lower() != addition.lower():
        bad("addition", messages.ADDRESS_TWO_ADDITIONS())
    return parts.street, str(parts.number), parts.suffix or addition


def normalise_email(raw: str) -> tuple[str, str | None]:
    """An address as every SMTP server takes it, or why it cannot be: ("", None) for no address.

    The local part must be ASCII: an address such as jöhn@… needs SMTPUTF8, which many servers
    do not offer. A domain with accents is kept in its IDNA (punycode) form, which every server reads.
    """
    email = raw.strip().lower()
    if not email:
        return "", None
    if len(email) > 254 or not EMAIL.match(email) or CONTROL.search(email):
        return "", messages.EMAIL_NOT_VALID()
    local, _, domain = email.rpartition("@")
    if not local.isascii():
        return "", messages.EMAIL_LOCAL_NOT_ASCII()
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return "", messages.EMAIL_DOMAIN_NOT_IDNA()
    if len(local) + 1 + len(ascii_domain) > 254:
        return "", messages.EMAIL_NOT_VALID()
    return f"{local}@{ascii_domain}", None


def normalise_bsn(raw: str) -> tuple[str | None, Text | None]:
    """A BSN as stored (nine digits, eleven-test passed), or why the text is not one."""
    if not raw:
        return None, REQUIRED_VALUE()
    if len(raw) == 9 and raw.isascii() and raw.isdigit() and raw != "000000000":
        # the common case: for nine plain digits, not all zero, stdnum's `validate` comes down to its
        # checksum (its cleaning changes nothing), so ask that alone; other shapes go through `validate`
        return (raw, None) if bsn_number.checksum(raw) == 0 else (None, messages.BSN_ELEVEN_TEST())
    try:
        return str(bsn_number.validate(raw)), None
    except InvalidChecksum:
        return None, messages.BSN_ELEVEN_TEST()
    except ValidationError:
        return None, messages.BSN_DIGITS()


def _bsn(raw: str, bad: Callable[[str, str], None]) -> str | None:
    number, problem = normalise_bsn(raw)
    if problem is not None:
        bad("bsn", problem)
    return number


def _file_error(message: Text) -> PersonsFileRejected:
    return PersonsFileRejected(messages.FILE_REFUSED(reason=message), rows=[RowError(1, "file", message)], total=1)
