"""How a deadline was counted, in words in the reader's language.

The domain explains a count as parts with a code and parameters (protocol.calendar.Reason); this
module puts them into a sentence each, through a gettext the caller gives: Flask-Babel's in the
web, the same catalogue loaded directly in the CLI. Dates are written out with their weekday.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.support import Translations

LEGAL_ZONE = ZoneInfo("Europe/Amsterdam")  # deadlines are Dutch days and are shown in Dutch time
TRANSLATIONS = Path(__file__).parent / "translations"


def N_(message: str) -> str:
    """Marks a message for the catalogue; it is translated when the explanation is rendered."""
    return message


MESSAGES = {
    "rule-atw": N_(
        "Counted under the Algemene termijnenwet (art. 1 and 3): a Saturday, Sunday, holiday or day equated with "
        "a holiday by decree at the end extends the period."
    ),
    "rule-eu": N_(
        "Counted under Regulation 1182/71 art. 3, on the Netherlands' public holidays for that Regulation "
        "(not the Dutch decree days)."
    ),
    "rule-hours": N_("Counted in hours of elapsed time."),
    "rule-workdays": N_(
        "Counted in working days; the holidays are those of the Algemene termijnenwet, decree days included."
    ),
    "period-start": N_("The period starts on %(first_day)s, the day after the event."),
    "counted-end": N_("Counted out, its last day is %(day)s."),
    "extended-weekend": N_("%(day)s falls in the weekend: the period runs on to the next day."),
    "extended-holiday": N_("%(day)s is a holiday (%(holiday)s): the period runs on to the next day."),
    "extended-two-working-days": N_(
        "A period of two days or more includes at least two working days (Regulation 1182/71 art. 3(5)): "
        "it runs on to %(day)s."
    ),
    "skipped-weekend": N_("%(day)s falls in the weekend and is not counted."),
    "skipped-holiday": N_("%(day)s is a holiday (%(holiday)s) and is not counted."),
    "agreed-day": N_("The agreed last day is %(day)s."),
    "beyond-data": N_(
        "Warning: calendar %(calendar)s knows the days equated with holidays by decree only up to "
        "%(last_year)s; this period runs beyond that and was counted without them."
    ),
    "ends": N_("The period ends at the end of %(day)s, Dutch time."),
    "hours-elapsed": N_("%(hours)s hours of elapsed time from %(from)s: due at %(due_at)s, never extended."),
    "hours-safe-reading": N_(
        "Regulation 1182/71 art. 3(1) would start counting at the next full hour; Herstel counts from the "
        "moment itself, the earlier and safe reading."
    ),
}
DAY_PARAMS = {"day", "first_day"}
MOMENT_PARAMS = {"due_at", "from"}


def explain(parts: Sequence[Mapping[str, Any]], *, gettext: Callable[[str], str], locale: str) -> list[dict[str, Any]]:
    """Each part ({code, params}) with its sentence added as `text`."""
    return [{**part, "text": _sentence(part, gettext, locale)} for part in parts]


def _sentence(part: Mapping[str, Any], gettext: Callable[[str], str], locale: str) -> str:
    code, params = str(part["code"]), dict(part.get("params", {}))
    message = MESSAGES.get(code)
    if message is None:
        return code
    words = {name: _words(name, str(value), locale) for name, value in params.items()}
    sentence = gettext(message) % words
    return sentence[:1].upper() + sentence[1:]  # a sentence may open with a weekday, lowercase in Dutch


def _words(name: str, value: str, locale: str) -> str:
    if name in DAY_PARAMS:
        return format_date(date.fromisoformat(value), format="full", locale=locale)
    if name in MOMENT_PARAMS:
        moment = datetime.fromisoformat(value)
        return format_datetime(moment, format="long", tzinfo=LEGAL_ZONE, locale=locale)
    return value


def catalogue_gettext(locale: str) -> Callable[[str], str]:
    """The web's catalogue for `locale`, for text rendered outside a request (the CLI)."""
    return Translations.load(str(TRANSLATIONS), [locale]).gettext
