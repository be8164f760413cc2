"""What the paper adds to a notice's text when it prints it, beyond the text the advertiser
confirmed: the creditors' last day, where the newspaper wants it (a publisher setting; ID
numbers masked are notices/privacy.py's).

The day depends on the issue the notice is printed in, so it is never stored with the notice:
press/printing.py adds it whenever the notice is set for a known date (the preview for the chosen
date, the desk's preview for its issue, the issue's column, the proof, the status page). A notice
moved to another issue prints that issue's day; the confirmed text stays as confirmed.
"""
from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Mapping

import cn2an

from notices.dates import format_date
from notices.deadlines import firm_last_day

if TYPE_CHECKING:   # only for the annotations: the catalogue imports the wording, not this module
    from notices.catalogue import NoticeType

# The start of a creditors' period counted from publication, as texts write it.
FROM_PUBLICATION = r"公告|见报|刊登|刊发|发布|公示"
_CN_NUMERALS = "一二三四五六七八九十"


def with_creditor_last_day(notice_type: NoticeType, fields: Mapping[str, str], text: str,
                           issue: date | None) -> str:
    """The text with the creditors' last day after their period from publication, counted from
    the issue by the statutory window (notices/deadlines.py, Civil Code Arts. 201, 203):
    "…自本公告见报之日起四十五日内（即至2027年1月21日）…".

    The text is left as it is where the type gives creditors no such period, the text does not
    state that period counted from publication (a 90-day period is not confirmed with a date), a
    day already follows it, or the day is not yet certain (firm_last_day: a holiday schedule not
    yet published)."""
    days = notice_type.creditor_days if notice_type.creditor_days and notice_type.creditors_when(fields) else None
    if not days or issue is None:
        return text
    last = firm_last_day(issue, days)
    number = rf"(?<![\d{_CN_NUMERALS}])(?:{days}|{cn2an.an2cn(days)})"
    period = re.search(rf"(?:{FROM_PUBLICATION})[^，。；]{{0,4}}?(?:之日起|后)[^，。；]{{0,4}}?"
                       rf"{number}\s*(?:日|天|个自然日)内?", text)
    if last is None or period is None or re.match(r"\s*[（(]\s*即", text[period.end():]):
        return text
    return f"{text[:period.end()]}（即至{format_date(last)}）{text[period.end():]}"
