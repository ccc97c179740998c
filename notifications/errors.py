"""What the notifications services refuse, on the protocol's error hierarchy (so the web maps them alike)."""

from __future__ import annotations

from dataclasses import dataclass

from notifications.messages import ACCESS_DENIED, FILE_SUMMARY, FILE_SUMMARY_FIRST, FILE_TOO_LARGE
from protocol.errors import InvalidEvidence, ProtocolError
from protocol.messages import Text


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded file: the row as a spreadsheet numbers it, the field, the reason."""

    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, object]:
        """The row as the API gives it: the English message, and its code and parameters where it has them."""
        row: dict[str, object] = {"row": self.row, "field": self.field, "message": self.message}
        if isinstance(self.message, Text):
            row.update(self.message.as_dict())
        return row


class PersonsFileRejected(InvalidEvidence):
    """The persons file was refused as a whole; `rows` lists the first problems, `total` counts them all."""

    rule = "persons-file"

    def __init__(self, message: str, *, rows: list[RowError], total: int) -> None:
        summary = FILE_SUMMARY_FIRST(total=total, shown=len(rows)) if total > len(rows) else FILE_SUMMARY(total=total)
        super().__init__(message, errors={"file": [summary]})
        self.rows = rows
        self.total = total


class FileTooLarge(ProtocolError):
    """An upload is larger than the configured limit (the web answers 413)."""

    rule = "too-large"

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(FILE_TOO_LARGE(size=f"{size:,}", limit=f"{limit:,}"), size=size, limit=limit)


class AccessDenied(ProtocolError):
    """A citizen's code or session does not open anything. Deliberately says nothing about why."""

    rule = "access-denied"

    def __init__(self) -> None:
        super().__init__(ACCESS_DENIED())


class ChannelUnavailable(ProtocolError):
    """A delivery channel is not connected in this installation."""

    rule = "channel-unavailable"
