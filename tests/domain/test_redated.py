"""The findings of a notice moved to another date: what is about the date is said again for the
new one, everything else is kept as it was stored."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from notices.checks import check_notice
from notices.redated import redated_findings
from tests.conftest import DATA, NOW

SAMPLE: dict[str, Any] = json.loads((DATA / "samples.json").read_text(encoding="utf-8"))["capital-reduction"]
FIRST, MOVED, LATE = date(2026, 12, 7), date(2026, 12, 14), date(2026, 12, 22)   # resolved 20 November


def stored_for(day: date, **fields: str) -> tuple[dict[str, str], str, list[dict[str, Any]]]:
    result = check_notice(SAMPLE["type"], {**SAMPLE["fields"], **fields}, None, day, now=NOW)
    return result.fields, result.text, [f.as_json() for f in result.findings]


def test_the_creditors_period_and_the_windows_are_those_of_the_new_date() -> None:
    fields, text, findings = stored_for(FIRST)
    moved, windows = redated_findings(SAMPLE["type"], fields, text, findings, FIRST, MOVED, now=NOW)
    creditors = [f["message"] for f in moved if f["code"] == "creditor-window"]
    assert len(creditors) == 1 and "2027年1月28日" in creditors[0]
    assert [(w["starts"], w["days"]) for w in windows] == [("2026-11-20", 30), ("2026-12-14", 45)]
    expected = check_notice(SAMPLE["type"], fields, text, MOVED, now=NOW, require_open=False)
    assert sorted(map(str, moved)) == sorted(str(f.as_json()) for f in expected.findings)


def test_a_date_past_the_statutory_window_is_now_warned() -> None:
    fields, text, findings = stored_for(FIRST)
    moved, _ = redated_findings(SAMPLE["type"], fields, text, findings, FIRST, LATE, now=NOW)
    assert [f for f in findings if f["code"] == "late"] == []
    [late] = [f for f in moved if f["code"] == "late"]
    assert "截至2026年12月21日" in late["message"]     # thirty days, to the Monday after a Sunday


def test_findings_not_about_the_date_are_kept_as_stored() -> None:
    fields, text, findings = stored_for(FIRST)
    # What the newspaper's settings worded at submission (an ID number printed in full), which a
    # check made now with other settings would word otherwise: kept.
    kept = {"level": "warning", "code": "id-number", "field": "text",
            "message": "公告正文中含有身份证号码……本报设定为全号刊登"}
    moved, _ = redated_findings(SAMPLE["type"], fields, text, [*findings, kept], FIRST, MOVED, now=NOW)
    assert kept in moved
    unchanged, _ = redated_findings(SAMPLE["type"], fields, text, findings, FIRST, FIRST, now=NOW)
    assert unchanged == findings
