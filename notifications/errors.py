"""What the notifications services refuse, on the protocol's error hierarchy (so the web maps them alike)."""

from __future__ import annotations

from dataclasses import dataclass

from protocol.errors import InvalidEvidence, ProtocolError


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded file: the row as a spreadsheet numbers it, the field, the reason."""

    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "field": self.field, "message": self.message}


class PersonsFileRejected(InvalidEvidence):
    """The persons file was refused as a whole; `rows` lists the first problems, `total` counts them all."""

    rule = "persons-file"

    def __init__(self, message: str, *, rows: list[RowError], total: int) -> None:
        shown = f" (the first {len(rows)} are listed)" if total > len(rows) else ""
        super().__init__(
            message,
            errors={"file": [f"{total} problem(s) found; nothing was imported{shown}"]},
        )
        self.rows = rows
        self.total = total


class FileTooLarge(ProtocolError):
    """An upload is larger than the configured limit (the web answers 413)."""

    rule = "too-large"

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            f"the file is {size:,} bytes; the limit is {limit:,} bytes (HERSTEL_MAX_BODY_BYTES)",
            size=size,
            limit=limit,
        )


class AccessDenied(ProtocolError):
    """A citizen's code or session does not open anything. Deliberately says nothing about why."""

    rule = "access-denied"

    def __init__(self) -> None:
        super().__init__("this code or session does not give access")


class ChannelUnavailable(ProtocolError):
    """A delivery channel is not connected in this installation."""

    rule = "channel-unavailable"
