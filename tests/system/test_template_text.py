"""No line break inside Chinese running text in a template (review of issues 13–15).

HTML turns a line break into a space, and between two Chinese characters a space shows: the
home page read “检查法定语句和期限， 并给出与见报版式完全一致的预览”. Latin text needs the
space, Chinese text must not have it, so a sentence of a template is continued on the same line
(or the break is put inside a tag or a Jinja comment). The templates' source is read; nothing is
rendered."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Chinese characters, the full-width punctuation and forms, and the quotes, dash and ellipsis
# that run with them.
CHINESE = re.compile(r"[\u2014\u2018-\u201d\u2026\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def broken_sentences(source: str) -> list[tuple[int, str]]:
    """(line number, the join) of each line that ends in a Chinese character where the next line
    goes on with one: the break renders as a space between them."""
    lines = source.split("\n")
    found = []
    for number, (line, following) in enumerate(zip(lines, lines[1:], strict=False), start=1):
        before, after = line.rstrip(), following.lstrip()
        if before and after and CHINESE.match(before[-1]) and CHINESE.match(after[0]):
            found.append((number, f"…{before[-12:]}⏎{after[:12]}…"))
    return found


def test_the_check_finds_a_break_between_two_chinese_characters():
    assert [number for number, _ in broken_sentences("<p>检查法定语句和期限，\n  并给出预览。</p>")] == [1]
    assert broken_sentences("<p>Chinese text,\n  continued</p>\n<li>一</li>\n<li>二</li>") == []


def test_no_template_breaks_a_chinese_sentence_across_lines():
    problems = [f"{path.relative_to(ROOT)}:{number}: {join}"
                for path in sorted((ROOT / "templates").rglob("*.html"))
                for number, join in broken_sentences(path.read_text(encoding="utf-8"))]
    assert not problems, "a line break between two Chinese characters renders as a space:\n" + "\n".join(problems)
