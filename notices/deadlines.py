"""The publishing calendar (which issues can still take copy) and statutory windows.

Day counting follows the Civil Code (民法典):
- Art. 201: a period counted in days starts on the day *after* the event, so "within N days of
  the resolution" ends on resolution date + N.
- Art. 203: if the last day is a statutory holiday (法定休假日), the day after the holiday ends is
  the last day. Following the Supreme People's Court's practice the weekly rest days count as
  法定休假日, except a weekend day made a working day by the State Council's 调休 schedule.
  The last day ends at 24:00 (Art. 203 para. 2).

Holidays and 调休 working days come from the `holidays` package (China calendar). Its official
schedule stops at the last year the State Council has published (`holiday_schedule_published`);
later years are its estimate (fixed holidays, no 调休), so the UI should say a date is provisional.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from holidays.countries.china import ChinaStaticHolidays

__all__ = ["PublishingCalendar", "Window", "add_statutory_days", "copy_deadline_for",
           "firm_last_day", "format_date_cn", "holiday_schedule_published", "is_open", "is_publishing_day",
           "is_working_day", "late_publication_message", "next_working_day", "open_issue_dates",
           "publication_status", "statutory_window"]


# --------------------------------------------------------------------------------------------
# Publishing calendar
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PublishingCalendar:
    """The publisher's setting: on which days the paper appears and when copy is due.

    Copy for an issue is due `days_before` calendar days before it, at `copy_deadline` local
    time in `timezone` (not working days: a Monday issue with the defaults closes Sunday 15:00).
    """
    weekdays: frozenset[int] = frozenset(range(7))   # Monday=0; default daily
    copy_deadline: time = time(15, 0)                 # copy due by this local time…
    days_before: int = 1                              # …this many days before the issue
    timezone: str = "Asia/Shanghai"
    closed_dates: frozenset[date] = frozenset()       # dates the paper does not appear
    printed_dates: frozenset[date] = frozenset()      # issues already gone to press (the desk
                                                      # marked them published): closed too

    def __post_init__(self) -> None:
        # Accept any iterable from a settings form, store frozensets (hashable, immutable).
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        object.__setattr__(self, "closed_dates", frozenset(self.closed_dates))
        object.__setattr__(self, "printed_dates", frozenset(self.printed_dates))
        if not self.weekdays <= frozenset(range(7)):
            raise ValueError(f"weekdays must be 0 (Monday) … 6 (Sunday), got {sorted(self.weekdays)}")
        if self.days_before < 0:
            raise ValueError("days_before must be 0 or more")
        if self.copy_deadline.tzinfo is not None:
            raise ValueError("copy_deadline is a local wall-clock time: give it without tzinfo")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _require_aware(now: datetime) -> None:
    # A naive "now" is ambiguous (server local time? UTC?): refuse it rather than guess.
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime, e.g. datetime.now(timezone.utc)")


def is_publishing_day(calendar: PublishingCalendar, issue: date) -> bool:
    return issue.weekday() in calendar.weekdays and issue not in calendar.closed_dates


def copy_deadline_for(calendar: PublishingCalendar, issue: date) -> datetime:
    """When copy for `issue` is due, as an aware datetime in the calendar's time zone."""
    day = issue - timedelta(days=calendar.days_before)
    # zoneinfo resolves the wall-clock time; China has no DST, a zone with DST gets fold=0.
    return datetime.combine(day, calendar.copy_deadline, tzinfo=calendar.tz)


def is_open(calendar: PublishingCalendar, issue: date, now: datetime) -> bool:
    """The paper appears on `issue` and its copy deadline has not been reached.

    At the deadline itself (15:00:00) the issue is closed: copy is accepted strictly before it.
    """
    _require_aware(now)
    return (is_publishing_day(calendar, issue) and issue not in calendar.printed_dates
            and now < copy_deadline_for(calendar, issue))


_SEARCH_DAYS = 3 * 366   # how far ahead open_issue_dates looks (closures can be long)


def open_issue_dates(calendar: PublishingCalendar, now: datetime, count: int = 30) -> list[date]:
    """The next `count` publishing days whose copy deadline is still ahead, earliest first."""
    _require_aware(now)
    if count <= 0 or not calendar.weekdays:
        return []
    # Start from today *in the paper's time zone*: 01:00 Beijing is still the previous day in UTC.
    day = now.astimezone(calendar.tz).date()
    last = day + timedelta(days=_SEARCH_DAYS)
    found: list[date] = []
    while day <= last and len(found) < count:
        if is_open(calendar, day, now):
            found.append(day)
        day += timedelta(days=1)
    return found


# --------------------------------------------------------------------------------------------
# Statutory days (民法典 Art. 201, 203)
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _china(year: int) -> holidays.HolidayBase:
    # One calendar per year, built once; only looked up with dates of that year, so the
    # package never expands (mutates) it afterwards: safe to share between threads.
    return holidays.China(years=year)  # type: ignore[no-untyped-call]  # its __init__ is not annotated


def is_working_day(d: date) -> bool:
    """A working day in mainland China: not a weekend rest day, not a public holiday or
    调休 day off; a weekend day that 调休 makes a working day counts as working."""
    return _china(d.year).is_working_day(d)


# The most recent year whose State Council holiday notice the installed `holidays` carries.
# Checked for holidays 0.109 (2026 is the last); re-check when bumping the pin.
_LAST_PUBLISHED_YEAR = max(ChinaStaticHolidays.special_public_holidays)


def holiday_schedule_published(year: int) -> bool:
    """False for years whose 放假安排 is not known yet: deadlines then are provisional."""
    return year <= _LAST_PUBLISHED_YEAR


_MAX_REST_RUN = 31   # the longest run of rest days is 9 (Spring Festival); a loop guard only


def next_working_day(d: date) -> date:
    """The first working day strictly after `d`."""
    for n in range(1, _MAX_REST_RUN + 1):
        candidate = d + timedelta(days=n)
        if is_working_day(candidate):
            return candidate
    raise RuntimeError(f"no working day within {_MAX_REST_RUN} days after {d}")


def add_statutory_days(start: date, days: int) -> date:
    """The last day of a period of `days` days counted from the event on `start`.

    民法典 Art. 201: the start day is not counted, so the nominal last day is start + days.
    民法典 Art. 203: if that day is a statutory holiday (weekend rest day or holiday, unless 调休
    makes it a working day), the period runs to the first working day after the holiday.
    """
    if days < 0:
        raise ValueError("days must be 0 or more")
    nominal = start + timedelta(days=days)
    return nominal if is_working_day(nominal) else next_working_day(nominal)


@dataclass(frozen=True)
class Window:
    label: str          # Chinese, e.g. "法定刊登期限" / "债权人申报期"
    starts: date        # the event day (not itself counted, Art. 201)
    ends: date          # the last day, after the Art. 203 extension
    nominal_end: date   # starts + days, before the extension
    days: int
    article: str        # e.g. "《公司法》第二百二十四条"

    @property
    def extended(self) -> bool:
        """The nominal last day was a statutory holiday, so the window runs longer (Art. 203)."""
        return self.ends != self.nominal_end

    @property
    def provisional(self) -> bool:
        """The holiday schedule for the years involved has not been published yet."""
        return not holiday_schedule_published(self.ends.year)


def statutory_window(start: date, days: int, label: str, article: str) -> Window:
    return Window(label=label, starts=start, ends=add_statutory_days(start, days),
                  nominal_end=start + timedelta(days=days), days=days, article=article)


# How far from a holiday 调休 reaches: the days off added to a holiday and the weekends made
# working days to pay for them lie within a week of it.
_SCHEDULE_REACH = 7


def firm_last_day(start: date, days: int) -> date | None:
    """The last day of a period (add_statutory_days) when it can be printed as certain: the
    holiday schedule of its year is published, or its nominal last day lies more than a week
    from every holiday of the estimate, where no 调休 can move it. None otherwise: a date in a
    newspaper is not an estimate."""
    window = statutory_window(start, days, "", "")
    if not window.provisional:
        return window.ends
    nominal = window.nominal_end
    near = (nominal + timedelta(days=n) for n in range(-_SCHEDULE_REACH, _SCHEDULE_REACH + 1))
    if any(d.weekday() < 5 and not is_working_day(d) for d in near):
        return None
    return window.ends


def publication_status(window: Window, publication: date) -> str:
    """"ok" when published on or before the window's last day, else "late".

    A publication before the window starts is "ok" here; whether the dates are in a sensible
    order (published before the resolution?) is a separate check.
    """
    return "late" if publication > window.ends else "ok"


def late_publication_message(window: Window, publication: date, *,
                             start_label: str = "起算日") -> str | None:
    """The warning shown (never a block) when a planned publication misses the window, else None.

    e.g. 「计划刊登日期2026年12月20日已超过法定刊登期限（《公司法》第二百二十四条：决议日2026年11月1日起
    30日，截至2026年12月1日），公告可能不被登记机关认可，请尽快刊登或咨询登记机关。」
    """
    if publication_status(window, publication) != "late":
        return None
    extension = ""
    if window.extended:
        extension = (f"；{format_date_cn(window.nominal_end)}为法定休假日，"
                     "依《民法典》第二百零三条顺延")
    return (f"计划刊登日期{format_date_cn(publication)}已超过{window.label}"
            f"（{window.article}：{start_label}{format_date_cn(window.starts)}起{window.days}日，"
            f"截至{format_date_cn(window.ends)}{extension}），"
            "公告可能不被登记机关认可，请尽快刊登或咨询登记机关。")


def format_date_cn(d: date) -> str:
    """2026年12月1日 (no leading zeros)."""
    return f"{d.year}年{d.month}月{d.day}日"
