"""Web or template markup pasted into a notice is pointed out: it prints as typed (the column
escapes it), so "<b>王小明</b>" would appear in the paper with its brackets."""
from __future__ import annotations

import json

import pytest

from notices.checks import CheckResult, Finding, check_notice
from tests.conftest import DATA, NOW

SAMPLES = json.loads((DATA / "samples.json").read_text(encoding="utf-8"))
LICENCE = SAMPLES["lost-document:licence"]


def _markup(result: CheckResult) -> list[Finding]:
    return [f for f in result.findings if f.code == "markup-in-text"]


def _body(text: str) -> CheckResult:
    return check_notice(LICENCE["type"], LICENCE["fields"], text, "2026-12-01", now=NOW)


COMPOSED = check_notice(LICENCE["type"], LICENCE["fields"], None, "2026-12-01", now=NOW).text


@pytest.mark.parametrize("markup", [
    "<b>王小明</b>", "<img src=x onerror=alert(1)>", "{{7*7}}", "{% if a %}", "&nbsp;", "&#160;",
    "＜b＞王小明＜/b＞",
])
def test_markup_in_the_body_is_a_warning_that_names_it(markup: str) -> None:
    result = _body(COMPOSED.replace("遗失", f"{markup}遗失", 1))
    found = _markup(result)
    assert len(found) == 1
    warning = found[0]
    assert warning.level == "warning" and warning.field == "text"
    assert "照原样印出" in warning.message and "例如" in warning.message
    assert result.ok, "a warning, not an error: the notice may still be sent"


def test_markup_in_a_field_is_pointed_out_in_that_field_and_not_again_in_the_composed_body() -> None:
    fields = {**LICENCE["fields"], "holder": "<b>广州市示例贸易有限公司</b>"}
    result = check_notice(LICENCE["type"], fields, None, "2026-12-01", now=NOW)
    assert "<b>" in result.text
    assert [(f.field, f.level) for f in _markup(result)] == [("holder", "warning")]
    assert "“<b>”“</b>”" in _markup(result)[0].message


@pytest.mark.parametrize("words", [
    "《广州日报》", "〈通知〉", "面积<2平方米，温度>3度", "AT&T", "第{1}项", "甲 < 乙 > 丙",
])
def test_chinese_brackets_and_lone_signs_are_not_markup(words: str) -> None:
    result = _body(COMPOSED.replace("遗失", f"（另见{words}）遗失", 1))
    assert _markup(result) == []


def test_the_sample_notices_carry_no_markup_warning() -> None:
    for key, sample in SAMPLES.items():
        result = check_notice(sample["type"], sample["fields"], sample.get("text"), "2026-12-01", now=NOW)
        assert _markup(result) == [], key
