"""How old a course's facts are: `facts_checked` against today (issue 10 #12)."""

from __future__ import annotations

import calendar
import datetime as dt
import os

from coursekit.errors import UserError

# Tests and reproducible runs pin "today" with this variable (YYYY-MM-DD); otherwise the real date is used.
TODAY_ENV = "COURSEKIT_TODAY"
WARN_AFTER_MONTHS = 6  # older than this: a warning
STRICT_AT_MONTHS = 12  # this old or older: the warning also stops `--strict`


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def today(value: dt.date | None = None) -> dt.date:
    """`value` if given, else the date in COURSEKIT_TODAY, else the real date."""
    if value is not None:
        return value
    pinned = os.environ.get(TODAY_ENV, "").strip()
    if not pinned:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise UserError(f"{TODAY_ENV} is '{pinned}': set it to a date like 2026-05-01, or unset it") from None


def facts_age_problem(checked: dt.date, on: dt.date) -> tuple[str, bool] | None:
    """(message, fails --strict) when the facts were checked more than 6 months before `on`, else None."""
    warn_from = add_months(checked, WARN_AFTER_MONTHS)
    strict_from = add_months(checked, STRICT_AT_MONTHS)
    if on <= warn_from:
        return None
    months = (on.year - checked.year) * 12 + on.month - checked.month - (on.day < checked.day)
    age = f"facts_checked is {checked.isoformat()}, {months} months before today ({on.isoformat()})"
    fix = ("compare every fact, phone number and link with its source again, then set facts_checked to the day "
           "you did")
    if on >= strict_from:
        return f"{age}: facts older than {STRICT_AT_MONTHS} months are not trusted; {fix} (--strict fails)", True
    return (f"{age}: facts are re-checked at least every {WARN_AFTER_MONTHS} months; {fix} "
            f"(--strict fails from {strict_from.isoformat()})"), False
