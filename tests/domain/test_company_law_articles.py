"""Every citation of the Company Law that the advertiser or the editor reads names its article:
the creditors' 45 days of a 减资 cite 第二百二十四条第二款 as its 30-day window cites 第二百二十四条."""
from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest

from notices.catalogue import CATALOGUE
from notices.checks import check_notice
from tests.conftest import DATA, NOW

SAMPLES: dict[str, dict[str, Any]] = json.loads((DATA / "samples.json").read_text(encoding="utf-8"))
PUBLICATION = "2026-12-01"
# 《公司法》 not followed by its article, after its edition if named (《公司法》（2023年修订）第一百一十一条);
# 最高人民法院《公司法》司法解释（二）第十三条 names its own.
BARE = re.compile(r"《公司法》(?!(?:（\d{4}年修订）)?第[零一二三四五六七八九十百]+条|司法解释)")
# Old wording and missing sentences, so that the warnings and errors that cite the law are given.
RISKY = "本公告刊登三次。请债权人于九十日内申报，逾期不申报的，视为放弃权利。"


def bare_citations(texts: list[str]) -> list[str]:
    return [t for t in texts if BARE.search(t)]


def test_every_sentence_a_type_asks_for_or_warns_about_names_its_article() -> None:
    messages = [p.message for t in CATALOGUE.values() for p in (*t.required, *t.recommended, *t.warns)]
    assert bare_citations(messages) == []


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_the_windows_and_findings_of_each_sample_name_their_article(key: str) -> None:
    sample = SAMPLES[key]
    composed = check_notice(sample["type"], sample["fields"], None, PUBLICATION, now=NOW)
    shown = [composed]
    if composed.text:
        # The statutory sentences taken out, old wording put in: every finding that cites the law.
        stripped = re.sub(r"[^。]*(?:四十五日|申报债权|连带责任|承继)[^。]*。", "", composed.text)
        shown.append(check_notice(sample["type"], sample["fields"], RISKY + stripped, PUBLICATION, now=NOW))
    texts = [w.article for r in shown for w in r.windows] + [f.message for r in shown for f in r.findings]
    assert bare_citations(texts) == []


@pytest.mark.parametrize(("key", "article"), [
    ("capital-reduction", "《公司法》第二百二十四条第二款"),
    ("merger", "《公司法》第二百二十条"),
    ("liquidation", "《公司法》第二百三十五条"),
])
def test_the_creditors_45_days_cite_the_types_article(key: str, article: str) -> None:
    sample = SAMPLES[key]
    result = check_notice(sample["type"], sample["fields"], None, PUBLICATION, now=NOW)
    [window] = [w for w in result.windows if w.starts == date(2026, 12, 1)]
    assert (window.days, window.article) == (45, article)


def test_a_missing_creditors_sentence_cites_the_reductions_article() -> None:
    sample = SAMPLES["capital-reduction"]
    text = check_notice(sample["type"], sample["fields"], None, PUBLICATION, now=NOW).text
    text = re.sub(r"[^。]*四十五日[^。]*。", "", text)
    result = check_notice(sample["type"], sample["fields"], text, PUBLICATION, now=NOW)
    [error] = [e for e in result.errors if e.code == "missing:creditor-45-days"]
    assert "《公司法》第二百二十四条第二款" in error.message


def test_ninety_days_in_a_division_is_not_told_the_law_gives_forty_five() -> None:
    sample = SAMPLES["division"]
    text = check_notice(sample["type"], sample["fields"], None, PUBLICATION, now=NOW).text
    result = check_notice(sample["type"], sample["fields"], "请债权人于九十日内申报。" + text, PUBLICATION, now=NOW)
    [warning] = [w for w in result.warnings if w.code == "outdated-90-days"]
    assert "第二百二十二条" in warning.message and "四十五日" not in warning.message
