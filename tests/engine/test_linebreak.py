"""Setting one notice: 禁则, codes kept whole, justification, the text itself, bounds, cache."""

from __future__ import annotations

import json
import time
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from typesetting import (
    InputTooLarge,
    LayoutSettings,
    RenderError,
    find_missing_characters,
    linebreak,
    normalize_text,
    set_notice,
)
from typesetting.text import NO_LINE_END, NO_LINE_START, PROTECTED_RUN

SEED = json.loads((Path(__file__).parents[1] / "data" / "typeset-seed-notices.json")
                  .read_text(encoding="utf-8"))
SETTINGS = LayoutSettings()


def model_end(line, settings=SETTINGS) -> float:
    """Where the renderer will end this line, by the engine's own model of WeasyPrint."""
    return linebreak.drawn_end_pt(line, settings)


@pytest.mark.parametrize("raw, printed", [
    ("  遗失  声明\n作废。 ", "遗失 声明 作废。"),
    # Width and punctuation are the app's (notices/text.py): the engine prints them as given.
    ("编号：１２３ＡＢ", "编号：１２３ＡＢ"),
    ("公司,特此公告!", "公司,特此公告!"),
    ("代码 91440101340230099E", "代码 91440101340230099E"),
    ("零宽\u200b字符\u202e反转", "零宽字符反转"),               # zero-width and bidi removed
])
def test_normalize_text(raw, printed):
    assert normalize_text(raw) == printed


@pytest.mark.parametrize("notice", SEED, ids=[n["title"] + str(i) for i, n in enumerate(SEED)])
def test_seed_notices_set_cleanly(notice):
    notice_set = set_notice(notice["title"], notice["text"], SETTINGS)
    assert normalize_text(notice["text"]) == notice["text"]  # the seed is already clean
    assert notice_set.loose_lines == 0 and notice_set.kinsoku_breaks == 0
    # The title runs in: first line = title, ideographic space, start of the body.
    assert notice_set.lines[0].title == notice["title"] + "\u3000"
    # Word for word; only a space a line breaks at is not printed.
    assert "".join(line.text for line in notice_set.lines).replace(" ", "") == \
        notice_set.text.replace(" ", "")
    for line in notice_set.lines[:-1]:
        assert abs(model_end(line) - SETTINGS.column_width_pt) < 0.1
        assert line.letter_spacing_pt < 0.25 * SETTINGS.body_size_pt
    assert notice_set.lines[-1].letter_spacing_pt == 0


def test_a_credit_code_stays_whole_when_it_can():
    body = ("广州市东高房地产中介有限公司遗失营业执照正本，统一社会信用代码：914401013210446023，"
            "编号：S2612019050774G，声明作废。")
    notice = set_notice("遗失声明", body, SETTINGS)
    assert notice.split_runs == 0
    assert any("914401013210446023" in line.text for line in notice.lines)
    assert any("S2612019050774G" in line.text for line in notice.lines)


def test_a_date_breaks_after_a_unit_not_between_digits():
    notice = set_notice("撤销公告", SEED[1]["text"], SETTINGS)
    joined = [line.text for line in notice.lines]
    # The revocation notice must split one date; it does so after 月, keeping "19日" whole.
    assert any(text.endswith("2020年09月") for text in joined)


def test_codes_never_break_before_punctuation():
    # A phone number may break after its hyphen, never before it.
    for width in (9, 10, 11, 12, 13):
        settings = LayoutSettings(columns=1, area_width_mm=width * 8 / 72 * 25.4 + 1)
        notice = set_notice("更正声明", "本公司联系电话更正为020-87750217，特此声明。"
                                      "原电话020-87133731作废。", settings)
        for line in notice.lines[1:]:
            assert not line.text.startswith("-")
            assert line.text[0] not in NO_LINE_START


def _setting_without_run_breaks(title, body, settings):
    """The DP once more, with codes forbidden to break: is there then a non-loose setting?"""
    title_face, body_face = linebreak.faces(settings)
    clusters = linebreak._clusters(normalize_text(title), normalize_text(body), title_face,
                                   body_face)
    classes, short = linebreak._break_classes(normalize_text(title), normalize_text(body),
                                              clusters)
    classes = [linebreak._NEVER if c in (linebreak._RUN, linebreak._RUN_DIGITS) else c
               for c in classes]
    return linebreak._dp(clusters, classes, short, settings.column_width_pt,
                         settings.body_size_pt, strict=True)


def _setting_without_kinsoku_breaks(title, body, settings):
    """The DP once more, with no break against 禁则 allowed: is there then any setting?"""
    title_face, body_face = linebreak.faces(settings)
    clusters = linebreak._clusters(normalize_text(title), normalize_text(body), title_face,
                                   body_face)
    classes, short = linebreak._break_classes(normalize_text(title), normalize_text(body),
                                              clusters)
    classes = [linebreak._NEVER if c == linebreak._KINSOKU else c for c in classes]
    return linebreak._dp(clusters, classes, short, settings.column_width_pt,
                         settings.body_size_pt, strict=False)


CJK = ("公司遗失营业执照正副本声明作废股东会决议注册资本由原来减少至人民币请债权人自本告见报之日起"
       "内向申报逾期不视为放弃权利将登记机关变更")
PUNCT = "，。、；：？！（）“”《》"


@st.composite
def notice_bodies(draw):
    parts = []
    for _ in range(draw(st.integers(2, 8))):
        kind = draw(st.sampled_from(["text", "text", "uscc", "reg", "date", "phone", "punct"]))
        if kind == "text":
            parts.append(draw(st.text(CJK, min_size=1, max_size=14)))
        elif kind == "uscc":
            parts.append("统一社会信用代码：" + draw(st.text("0123456789ABCDEFGHJKLMNPQRTUWXY",
                                                         min_size=18, max_size=18)) + "，")
        elif kind == "reg":
            parts.append("注册号" + draw(st.text("0123456789", min_size=15, max_size=15)))
        elif kind == "date":
            parts.append(f"{draw(st.integers(1990, 2030))}年{draw(st.integers(1, 12))}月"
                         f"{draw(st.integers(1, 31))}日")
        elif kind == "phone":
            parts.append("电话020-" + draw(st.text("0123456789", min_size=8, max_size=8)))
        else:
            parts.append(draw(st.sampled_from(list(PUNCT))))
    return "".join(parts) + "。"


@hsettings(max_examples=150, deadline=None)
@given(notice_bodies(), st.integers(9, 16))
def test_generated_notices_obey_the_rules(body, chars):
    settings = LayoutSettings(columns=1, area_width_mm=(chars + 0.6) * 8 / 72 * 25.4)
    notice = set_notice("遗失声明", body, settings)
    width = settings.column_width_pt
    text = normalize_text(body)
    assert "".join(line.text for line in notice.lines).replace(" ", "") == \
        ("遗失声明\u3000" + text).replace(" ", "")
    # 禁则: no line starts with a closing mark or ends with an opening one, but where the text
    # leaves no choice; every such break is counted, and then no setting at all avoids one.
    against = [(before.text, after.text) for before, after in pairwise(notice.lines)
               if after.text[0] in NO_LINE_START or before.text[-1] in NO_LINE_END]
    assert len(against) <= notice.kinsoku_breaks, against
    if notice.kinsoku_breaks:
        assert _setting_without_kinsoku_breaks("遗失声明", body, settings) is None
    for line in notice.lines[:-1]:
        if notice.loose_lines == 0:
            assert line.letter_spacing_pt < 0.25 * settings.body_size_pt
        assert abs(model_end(line, settings) - width) < 0.25
    # Codes, numbers and dates: whole on a line unless that would make a loose line.
    starts = []
    position = 0
    for line in notice.lines:
        starts.append(position)
        position += len(line.text)
    offset = len("遗失声明\u3000")
    split = [m.group() for m in PROTECTED_RUN.finditer(text) if len(m.group()) > 1 and any(
        offset + m.start() < s < offset + m.end() for s in starts[1:])]
    assert len(split) <= notice.split_runs  # every split is counted
    if notice.split_runs:
        # Keeping every run whole must leave no setting without a loose line.
        assert _setting_without_run_breaks("遗失声明", body, settings) is None
    for s in starts[1:]:
        # A split run never leaves punctuation at the start of the next line.
        assert ("遗失声明\u3000" + text)[s] not in ",.;:-/"


def test_kinsoku_is_broken_only_when_the_text_leaves_no_choice():
    # Twenty closing brackets in a row cannot all avoid the line start.
    notice = set_notice("更正声明", "说明" + "）" * 40, LayoutSettings())
    assert notice.kinsoku_breaks >= 1
    assert "".join(line.text for line in notice.lines).endswith("）" * 40)


def test_missing_characters_are_found():
    assert find_missing_characters("遗失声明", "张𪚥遗失身份证，声明作废。", SETTINGS) == "𪚥"
    assert find_missing_characters("遗失声明", SEED[0]["text"], SETTINGS) == ""
    notice = set_notice("遗失声明", "张𪚥遗失身份证，声明作废。", SETTINGS)
    assert notice.missing == "𪚥"


def test_setting_is_cached():
    a = set_notice("遗失声明", SEED[0]["text"], SETTINGS)
    b = set_notice("遗失声明", SEED[0]["text"], SETTINGS)
    assert a is b
    other = set_notice("遗失声明", SEED[0]["text"], LayoutSettings(columns=5))
    assert other is not a and other.line_count != a.line_count


def test_input_is_bounded_before_any_work():
    started = time.perf_counter()
    with pytest.raises(InputTooLarge, match="公告正文过长"):
        set_notice("遗失声明", "字" * (linebreak.MAX_BODY_CHARS + 1), SETTINGS)
    with pytest.raises(InputTooLarge):
        set_notice("遗失声明", "字" * 1_000_000, SETTINGS)
    with pytest.raises(InputTooLarge, match="标题过长"):
        set_notice("遗" * 40, "正文", SETTINGS)
    assert time.perf_counter() - started < 0.5


def test_empty_body_is_an_error():
    with pytest.raises(RenderError, match="公告正文为空"):
        set_notice("遗失声明", " \n ", SETTINGS)


def test_longest_allowed_notice_sets_quickly():
    body = (SEED[2]["text"] * 30)[:linebreak.MAX_BODY_CHARS]
    started = time.perf_counter()
    notice = set_notice("清算公告", body, LayoutSettings(columns=5))
    assert time.perf_counter() - started < 2.0
    assert notice.loose_lines == 0


def test_a_notice_without_title_is_just_its_body():
    notice = set_notice("", SEED[0]["text"], SETTINGS)
    assert notice.text == SEED[0]["text"]
    assert notice.lines[0].title == ""
    assert "".join(line.text for line in notice.lines) == SEED[0]["text"]


def test_half_width_marks_are_the_fonts_own_and_only_where_marks_meet():
    from typesetting.fonts import half_width_advances
    from typesetting.text import compressed_positions

    _, body_face = linebreak.faces(SETTINGS)
    em_pu = sum(half_width_advances(body_face, "）") or ()) * 2
    assert em_pu and abs(em_pu - body_face.size_pu) <= 2  # half of an em
    # An opening mark's half-width form is drawn shifted left, and "…" has none: not used.
    assert half_width_advances(body_face, "（") is None
    assert half_width_advances(body_face, "…") is None
    assert compressed_positions("认购书（房号：505房），编号：“甲”。特此声明。") == (11, 15, 18)
    # Set: the first mark of each pair on a line is half-width, and its line is still justified.
    notice = set_notice("遗失声明", "经股东会决议（决议日期：2024年05月20日），将公司名称由“甲”，变更为“乙”。"
                        "特此声明。", SETTINGS)
    halted = [(line.body[at], line.body[at + 1]) for line in notice.lines for at in line.halts]
    assert ("）", "，") in halted and ("”", "，") in halted and ("”", "。") in halted
    for line in notice.lines[:-1]:
        assert abs(model_end(line) - SETTINGS.column_width_pt) < 0.05


def test_a_code_split_keeps_at_least_three_characters_on_each_side():
    """When a code must break (keeping it whole would make a loose line), it does not leave a
    character or two alone on a line: S069201408086|G becomes S06920140|8086G or so."""
    settings = LayoutSettings()
    bodies = [f"广州市天河区石牌合亦汇商店遗失营业执照正本，注册号：{reg}，编号：S{serial}G，声明作废。"
              for reg, serial in (("440106601059045", "0692014080867"), ("440106600012345", "0692019050774"),
                                  ("440111600098765", "2612015012019"), ("440183601234567", "1112015003684"))]
    splits = 0
    for body in bodies:
        notice = set_notice("遗失声明", body, settings)
        runs = [m.span() for m in PROTECTED_RUN.finditer(notice.body)]
        at = -len(notice.title) - 1  # body offset of each line's start
        for line in notice.lines:
            at += len(line.title) + len(line.body)
            if line.is_last:
                break
            for start, end in runs:
                if start < at < end:
                    splits += 1
                    assert min(at - start, end - at) >= linebreak.MIN_SPLIT_SIDE, (line.body, body)
            at += 1 if notice.text[len(notice.title) + 1 + at:][:1] == " " else 0
    assert splits >= 1   # the column is narrow enough that some of these codes must break
