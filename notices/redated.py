"""The findings of a notice moved to another date, its text and fields as they are.

What a notice was checked for is kept with its revision (store/models.py NoticeRevision:
findings and windows), as of the date it was checked for. Some of it is about that date: the
creditors' period counted from it, a statutory window it keeps or misses, a date in a field that
must come before it. When the notice moves (the advertiser's or an agency's date change, an
editor scheduling it into another issue), those must be said again for the new date, or the desk
reads "2026年12月7日起45日" for a notice printed on the 14th.

The text is not checked again for anything else: the findings that do not depend on the date
are kept as they were stored (those of a text read into fields, those the newspaper's settings
worded), and only the ones a check for the old date and a check for the new one disagree on are
exchanged. No new revision is made: the text the advertiser confirmed and its hash are not
touched, only what was said about its date.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Mapping, Sequence

from notices.checks import check_notice

__all__ = ["redated_findings"]


def redated_findings(type_code: str, fields: Mapping[str, object], text: str, findings: Sequence[Mapping[str, Any]],
                     old: date | None, new: date, *,
                     now: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(findings, windows) of a notice whose stored `findings` were made for `old`, now for `new`.

    The stored findings a check for `old` gives and a check for `new` does not are dropped, those
    only the check for `new` gives are added; the windows are the new date's. Both checks are made
    alike (the same clock; the issue's being open is not checked: the move was allowed already),
    so what they disagree on is the date alone."""
    def check(day: date | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        result = check_notice(type_code, fields, text, day, now=now, require_open=False)
        data = result.as_json()
        return [f.as_json() for f in result.findings], list(data["windows"])

    before, _ = check(old)
    after, windows = check(new)
    stale = [f for f in before if f not in after]
    fresh = [f for f in after if f not in before]
    kept = [dict(f) for f in findings if dict(f) not in stale]
    return kept + [f for f in fresh if f not in kept], windows
