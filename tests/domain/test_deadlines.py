"""Publishing calendar and statutory windows (民法典 Art. 201/203), with real 2025–2026 dates.

The 2026 schedule (国务院办公厅 2025-11): 元旦 Jan 1–3, Sunday Jan 4 worked; 春节 Feb 15–23,
Saturdays Feb 14 and Feb 28 worked; 劳动节 May 1–5, Saturday May 9 worked; 国庆 Oct 1–7,
Sunday Sep 20 and Saturday Oct 10 worked. 2025: 国庆/中秋 Oct 1–8, Sunday Sep 28 and Saturday
Oct 11 worked.
"""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from notices.deadlines import (
    PublishingCalendar,
    Window,
    add_statutory_days,
    copy_deadline_for,
    format_date_cn,
    holiday_schedule_published,
    is_open,
    is_publishing_day,
    is_working_day,
    late_publication_message,
    next_working_day,
    open_issue_dates,
    publication_status,
    statutory_window,
)

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = date


# ---- what the holidays package knows (guards a bump of the pin) -------------------------------

@pytest.mark.parametrize("day, working", [
    (D(2026, 10, 1), False),   # 国庆节
    (D(2026, 10, 4), False),   # Sunday inside the holiday
    (D(2026, 10, 7), False),   # 调休 day off
    (D(2026, 10, 8), True),    # Thursday after the holiday
    (D(2026, 10, 10), True),   # Saturday worked (调休)
    (D(2026, 9, 20), True),    # Sunday worked (调休)
    (D(2026, 10, 11), False),  # plain Sunday
    (D(2026, 1, 4), True),     # Sunday worked for 元旦
    (D(2026, 2, 14), True),    # Saturday worked for 春节
    (D(2026, 2, 23), False),   # Monday off for 春节
    (D(2026, 3, 14), False),   # plain Saturday
    (D(2026, 3, 16), True),    # plain Monday
    (D(2025, 9, 28), True),    # Sunday worked in 2025
    (D(2025, 10, 8), False),
    (D(2025, 10, 11), True),
])
def test_working_days_include_tiaoxiu(day, working):
    assert is_working_day(day) is working


def test_holiday_schedule_published_years():
    assert holiday_schedule_published(2025)
    assert holiday_schedule_published(2026)
    assert not holiday_schedule_published(2030)


# ---- 民法典 Art. 201/203 -------------------------------------------------------------------------

@pytest.mark.parametrize("start, days, expected, why", [
    (D(2026, 11, 1), 30, D(2026, 12, 1), "Art. 201: start day not counted; Tuesday, no extension"),
    (D(2026, 9, 1), 30, D(2026, 10, 8), "ends on 国庆 Oct 1: runs to Thursday Oct 8"),
    (D(2026, 9, 10), 30, D(2026, 10, 10), "ends on Saturday Oct 10, a 调休 working day: stays"),
    (D(2026, 8, 21), 30, D(2026, 9, 20), "ends on Sunday Sep 20, a 调休 working day: stays"),
    (D(2026, 2, 12), 30, D(2026, 3, 16), "ends on plain Saturday Mar 14: runs to Monday"),
    (D(2026, 7, 2), 30, D(2026, 8, 3), "ends on plain Saturday Aug 1: runs to Monday"),
    (D(2026, 1, 18), 30, D(2026, 2, 24), "ends on 春节 Feb 17: runs past Feb 23 (day off) to Feb 24"),
    (D(2025, 12, 2), 30, D(2026, 1, 4), "ends on 元旦 2026: Sunday Jan 4 is worked, so it ends then"),
    (D(2025, 9, 1), 30, D(2025, 10, 9), "2025: holiday Oct 1–8, runs to Oct 9"),
    (D(2026, 8, 2), 60, D(2026, 10, 8), "60 days (清算公告, CL Art. 235) ending on Oct 1"),
    (D(2026, 11, 2), 45, D(2026, 12, 17), "45 days, Thursday"),
    (D(2026, 3, 16), 0, D(2026, 3, 16), "zero days on a working day"),
    (D(2026, 3, 14), 0, D(2026, 3, 16), "zero days on a Saturday"),
])
def test_add_statutory_days(start, days, expected, why):
    assert add_statutory_days(start, days) == expected, why


def test_add_statutory_days_refuses_negative():
    with pytest.raises(ValueError):
        add_statutory_days(D(2026, 1, 1), -1)


@pytest.mark.parametrize("day, expected", [
    (D(2026, 3, 13), D(2026, 3, 16)),   # Friday → Monday
    (D(2026, 3, 16), D(2026, 3, 17)),   # strictly after: Monday → Tuesday
    (D(2026, 9, 30), D(2026, 10, 8)),   # eve of 国庆 → after the holiday
    (D(2026, 10, 9), D(2026, 10, 10)),  # Friday → Saturday worked (调休)
    (D(2026, 2, 13), D(2026, 2, 14)),   # Friday → Saturday worked before 春节
    (D(2026, 2, 14), D(2026, 2, 24)),   # through the whole 春节 holiday
])
def test_next_working_day(day, expected):
    assert next_working_day(day) == expected


# ---- windows ---------------------------------------------------------------------------------

def test_statutory_window_fields():
    w = statutory_window(D(2026, 9, 1), 30, "法定刊登期限", "《公司法》第二百二十四条")
    assert w == Window("法定刊登期限", D(2026, 9, 1), D(2026, 10, 8), D(2026, 10, 1), 30,
                       "《公司法》第二百二十四条")
    assert w.extended and not w.provisional
    plain = statutory_window(D(2026, 11, 1), 30, "法定刊登期限", "《公司法》第二百二十四条")
    assert not plain.extended
    assert statutory_window(D(2030, 1, 1), 30, "x", "y").provisional


@pytest.mark.parametrize("publication, status", [
    (D(2026, 9, 1), "ok"),     # the event day itself
    (D(2026, 10, 1), "ok"),    # the nominal last day
    (D(2026, 10, 8), "ok"),    # the extended last day (Art. 203)
    (D(2026, 10, 9), "late"),
    (D(2027, 1, 1), "late"),
])
def test_publication_status(publication, status):
    w = statutory_window(D(2026, 9, 1), 30, "法定刊登期限", "《公司法》第二百二十四条")
    assert publication_status(w, publication) == status


def test_late_publication_message():
    w = statutory_window(D(2026, 11, 1), 30, "法定刊登期限", "《公司法》第二百二十四条")
    assert late_publication_message(w, D(2026, 12, 1), start_label="决议日") is None
    assert late_publication_message(w, D(2026, 12, 20), start_label="决议日") == (
        "计划刊登日期2026年12月20日已超过法定刊登期限（《公司法》第二百二十四条：决议日2026年11月1日起30日，"
        "截至2026年12月1日），公告可能不被登记机关认可，请尽快刊登或咨询登记机关。")


def test_late_publication_message_explains_extension():
    w = statutory_window(D(2026, 9, 1), 30, "法定刊登期限", "《公司法》第二百二十四条")
    message = late_publication_message(w, D(2026, 10, 9))
    assert "起算日2026年9月1日起30日" in message
    assert "截至2026年10月8日；2026年10月1日为法定休假日，依《民法典》第二百零三条顺延" in message


@pytest.mark.parametrize("day, text", [
    (D(2026, 12, 1), "2026年12月1日"),
    (D(2026, 1, 9), "2026年1月9日"),
    (D(2025, 10, 31), "2025年10月31日"),
])
def test_format_date_cn(day, text):
    assert format_date_cn(day) == text


# ---- publishing calendar ---------------------------------------------------------------------

DAILY = PublishingCalendar()
WEEKDAYS_ONLY = PublishingCalendar(weekdays=frozenset(range(5)))


def test_copy_deadline_is_15_beijing_the_day_before():
    deadline = copy_deadline_for(DAILY, D(2026, 3, 10))
    assert deadline == datetime(2026, 3, 9, 15, 0, tzinfo=SHANGHAI)
    assert deadline.utcoffset() == timedelta(hours=8)
    assert deadline.astimezone(UTC) == datetime(2026, 3, 9, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize("now, open_", [
    (datetime(2026, 3, 8, 23, 30, tzinfo=UTC), True),      # 07:30 Beijing, Mar 9
    (datetime(2026, 3, 9, 6, 59, 59, tzinfo=UTC), True),   # 14:59:59 Beijing: just before
    (datetime(2026, 3, 9, 7, 0, 0, tzinfo=UTC), False),    # 15:00:00 Beijing: closed
    (datetime(2026, 3, 9, 7, 0, 1, tzinfo=UTC), False),    # just after
    (datetime(2026, 3, 9, 8, 0, tzinfo=UTC), False),       # 16:00 Beijing, 08:00 wall clock in UTC
    (datetime(2026, 3, 9, 2, 59, tzinfo=ZoneInfo("America/New_York")), True),   # = 06:59Z
    (datetime(2026, 3, 9, 3, 1, tzinfo=ZoneInfo("America/New_York")), False),    # = 07:01Z
])
def test_is_open_around_the_deadline(now, open_):
    assert is_open(DAILY, D(2026, 3, 10), now) is open_


def test_is_open_needs_a_publishing_day():
    far_ahead = datetime(2026, 1, 1, tzinfo=UTC)
    assert is_open(WEEKDAYS_ONLY, D(2026, 3, 13), far_ahead)        # Friday
    assert not is_open(WEEKDAYS_ONLY, D(2026, 3, 14), far_ahead)    # Saturday
    closed = PublishingCalendar(closed_dates=frozenset({D(2026, 2, 17)}))
    assert not is_open(closed, D(2026, 2, 17), far_ahead)
    assert is_open(closed, D(2026, 2, 18), far_ahead)
    assert not is_publishing_day(closed, D(2026, 2, 17))


def test_an_issue_gone_to_press_is_closed_before_its_deadline():
    printed = PublishingCalendar(printed_dates=frozenset({D(2026, 3, 10)}))
    early = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)          # the copy deadline is still ahead
    assert is_open(DAILY, D(2026, 3, 10), early) and not is_open(printed, D(2026, 3, 10), early)
    assert is_publishing_day(printed, D(2026, 3, 10))         # the paper does appear that day
    assert open_issue_dates(printed, early, count=1) == [D(2026, 3, 11)]
    from notices.checks import check_notice
    from tests.conftest import load_samples
    sample = load_samples()["correction"]
    result = check_notice(sample["type"], sample["fields"], sample.get("text"), "2026-03-10",
                          calendar=printed, now=early, missing_glyphs=lambda text: [])
    assert [f.message for f in result.findings if f.code == "issue-closed"] == [
        "2026年3月10日这一期已经付印，不能再加登，请另选刊登日期。"]


def test_is_open_refuses_naive_now():
    with pytest.raises(ValueError):
        is_open(DAILY, D(2026, 3, 10), datetime(2026, 3, 9, 6, 0))


@pytest.mark.parametrize("now, first", [
    (datetime(2026, 3, 9, 6, 59, tzinfo=UTC), D(2026, 3, 10)),    # before 15:00 Beijing
    (datetime(2026, 3, 9, 7, 1, tzinfo=UTC), D(2026, 3, 11)),     # after 15:00 Beijing
    # 00:30 Beijing on Mar 10 is still Mar 9 in UTC: Mar 10's copy closed yesterday
    (datetime(2026, 3, 9, 16, 30, tzinfo=UTC), D(2026, 3, 11)),
])
def test_open_issue_dates_first(now, first):
    dates = open_issue_dates(DAILY, now, count=5)
    assert dates[0] == first
    assert dates == [first + timedelta(days=n) for n in range(5)]


def test_open_issue_dates_weekly_with_closures():
    weekly = PublishingCalendar(weekdays=frozenset({3}), closed_dates=frozenset({D(2026, 3, 19)}))
    now = datetime(2026, 3, 11, 7, 30, tzinfo=UTC)   # Wed 15:30 Beijing: Thu Mar 12 just closed
    assert open_issue_dates(weekly, now, count=3) == [D(2026, 3, 26), D(2026, 4, 2), D(2026, 4, 9)]


def test_open_issue_dates_same_day_copy():
    # A paper that takes copy until 10:00 on the day of issue.
    same_day = PublishingCalendar(copy_deadline=time(10, 0), days_before=0)
    assert open_issue_dates(same_day, datetime(2026, 3, 10, 1, 59, tzinfo=UTC), 1) == [D(2026, 3, 10)]
    assert open_issue_dates(same_day, datetime(2026, 3, 10, 2, 0, tzinfo=UTC), 1) == [D(2026, 3, 11)]


def test_open_issue_dates_counts_days_in_beijing_not_in_the_callers_zone():
    # 00:30 on Mar 10 in Auckland is 19:30 on Mar 9 in Beijing: Mar 9's issue (copy until
    # 23:00 the same day) is still open although the caller's own date is already Mar 10.
    late_copy = PublishingCalendar(copy_deadline=time(23, 0), days_before=0)
    now = datetime(2026, 3, 10, 0, 30, tzinfo=ZoneInfo("Pacific/Auckland"))
    assert open_issue_dates(late_copy, now, 2) == [D(2026, 3, 9), D(2026, 3, 10)]


def test_open_issue_dates_default_count_and_edges():
    now = datetime(2026, 3, 9, 0, 0, tzinfo=UTC)
    assert len(open_issue_dates(DAILY, now)) == 30
    assert open_issue_dates(DAILY, now, count=0) == []
    assert open_issue_dates(PublishingCalendar(weekdays=frozenset()), now) == []
    with pytest.raises(ValueError):
        open_issue_dates(DAILY, datetime(2026, 3, 9))


@pytest.mark.parametrize("kwargs", [
    {"weekdays": frozenset({7})},
    {"days_before": -1},
    {"timezone": "Mars/Olympus_Mons"},
    {"copy_deadline": time(15, 0, tzinfo=UTC)},
])
def test_calendar_refuses_bad_settings(kwargs):
    with pytest.raises(ValueError):
        PublishingCalendar(**kwargs)


def test_calendar_accepts_plain_sets():
    cal = PublishingCalendar(weekdays={0, 2, 4}, closed_dates=[D(2026, 1, 1)])
    assert cal.weekdays == frozenset({0, 2, 4}) and isinstance(cal.closed_dates, frozenset)
    hash(cal)
