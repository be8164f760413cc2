"""Notices of several paragraphs (typesetting/paragraphs.py), read back from the PDF: a listed
company's 公告 keeps its header items on lines of their own, its sections and its signature; each
body paragraph's first line starts two ems in, every other line of a paragraph but its last is
justified to the column edge, a heading is centred, the signature flush right; the line count,
and so the price, is that of the lines printed. A notice of one paragraph sets as before
(test_column.py's seed column checks every line and glyph of it). A notice whose first paragraph
is its own heading (the company's name, 关于…的公告) has the title on a line of its own above it."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from itertools import pairwise

import pytest

from tests.engine.test_draw import assert_same_print, both
from tests.support.column import seed_items
from tests.support.pdfread import read_glyphs, rgb_operators, text_layer
from typesetting import ColumnItem, LayoutSettings, RateCard, SetNotice, linebreak, normalize_text, set_notice
from typesetting.linebreak import drawn_origins_pt
from typesetting.markup import PageGeometry
from typesetting.paragraphs import HEADER, HEADING, SECTION, SIGNATURE, TITLE, inside_words, is_section, paragraphs
from typesetting.preview import render_notice_pdf
from typesetting.settings import MM_TO_PT
from typesetting.text import NO_LINE_END, NO_LINE_START

ISSUE = dt.date(2021, 1, 8)
SETTINGS = LayoutSettings()
EM = SETTINGS.body_size_pt

LISTED = ("证券代码：603999 证券简称：示范科技 公告编号：2026-058\n"
          "广东示范科技股份有限公司\n"
          "关于回购注销部分限制性股票减少注册资本暨通知债权人的公告\n"
          "本公司董事会及全体董事保证本公告内容不存在任何虚假记载、误导性陈述或者重大遗漏，"
          "并对其内容的真实性、准确性和完整性承担法律责任。\n"
          "一、通知债权人的原因\n"
          "广东示范科技股份有限公司（以下简称“公司”）于2026年11月10日召开2026年第二次临时股东会，"
          "审议通过了《关于回购注销部分限制性股票的议案》。公司注册资本将由34675万元减少至34663万元。\n"
          "二、需债权人知晓的相关信息\n"
          "债权人自接到公司通知之日起三十日内、未接到通知者自本公告披露之日起四十五日内，"
          "有权要求公司清偿债务或者提供相应的担保。\n"
          "特此公告。\n"
          "广东示范科技股份有限公司董事会\n"
          "2026年11月26日")

LOST = ("广州市天河区石牌示范商店不慎遗失营业执照副本，注册号：440106600123457，特此声明作废。\n"
        "广州市天河区石牌示范商店\n"
        "2026年11月26日")

MERGER = ("广州市示范控股有限公司（统一社会信用代码：91440101MA5AY4CLX6）与广州市示范物流有限公司"
          "于2026年11月18日经各自股东会决议，由广州市示范控股有限公司吸收合并广州市示范物流有限公司。\n"
          "合并各方的债权、债务由合并后存续的广州市示范控股有限公司承继。自本公告见报之日起四十五日内，"
          "债权人有权要求公司清偿债务或者提供相应的担保。\n"
          "特此公告。\n"
          "广州市示范控股有限公司\n"
          "广州市示范物流有限公司\n"
          "2026年11月26日")

ITEMS = [ColumnItem("listed", "减资公告（上市公司）", "减资公告", LISTED, "capital-reduction"),
         ColumnItem("lost", "遗失声明（落款）", "遗失声明", LOST, "lost-document"),
         ColumnItem("merger", "合并公告", "合并公告", MERGER, "merger")]


def test_the_paragraphs_of_a_listed_company_notice_and_their_roles():
    roles = [(p.role, p.title) for p in paragraphs("减资公告", LISTED)]
    assert roles[0] == (HEADER, False)
    assert roles[1] == (TITLE, False)            # the title alone: the paragraph after it is a heading
    assert roles[2] == (HEADING, False)          # the company's name
    assert roles[3] == (HEADING, False)          # 关于…的公告
    # The sections' numbered headings, their text, 特此公告。
    assert [r for r, _ in roles[4:10]] == ["body", SECTION, "body", SECTION, "body", "body"]
    assert [r for r, _ in roles[10:]] == [SIGNATURE, SIGNATURE]
    assert paragraphs("减资公告", LISTED)[1].text == "减资公告"
    # The title runs into a first paragraph of body text, as before; without a title, none.
    assert [(p.role, p.title) for p in paragraphs("合并公告", MERGER)][:2] == [("body", True), ("body", False)]
    assert [p.role for p in paragraphs("", LISTED)][:3] == [HEADER, HEADING, HEADING]


def test_a_listed_company_notice_is_set_paragraph_by_paragraph():
    notice = set_notice("减资公告", LISTED, SETTINGS)
    texts = [line.text for line in notice.lines]
    # The header's items on lines of their own, before the title, flush left, not spread.
    assert texts[:3] == ["证券代码：603999", "证券简称：示范科技", "公告编号：2026-058"]
    assert all(line.indent_pt == 0 and line.spacing_pu == 0 for line in notice.lines[:3])
    # The title on a line of its own, flush left, then the heading centred.
    assert (notice.lines[3].title, notice.lines[3].body, notice.lines[3].indent_pt) == ("减资公告", "", 0)
    assert texts[4] == "广东示范科技股份有限公司" and notice.lines[4].indent_pt > 0
    # Each body paragraph starts on a line of its own, two ems in.
    starts: dict[str, float] = {}
    for line in notice.lines[texts.index("本公司董事会及全体董事"):]:
        starts.setdefault(line.text[:6], line.indent_pt)
    for opening in ("本公司董事会", "一、通知债权", "广东示范科技", "二、需债权人", "债权人自接到", "特此公告。"):
        assert starts[opening] == 2 * EM, opening
    # The signature: flush right, after 特此公告.
    assert texts[-2:] == ["董事会", "2026年11月26日"] or texts[-1] == "2026年11月26日"
    assert notice.lines[-1].is_last and not any(line.is_last for line in notice.lines[:-1])
    assert notice.spells_its_text()
    assert notice.text.startswith("证券代码：603999 证券简称：示范科技 公告编号：2026-058\n减资公告\n广东")
    # More lines than the same words run into one paragraph: every paragraph starts a line.
    joined = set_notice("减资公告", LISTED.replace("\n", ""), SETTINGS)
    assert notice.line_count > joined.line_count
    assert notice.char_count == joined.char_count


# Issue 15: the title ran into the company's name, the first line of the notice's own heading
# ("减资公告\u3000广东示范科技股份" / "有限公司").
HEADED = ("证券代码：600000 证券简称：示范科技 公告编号：2026-045\n"
          "广东示范科技股份有限公司\n"
          "关于回购注销部分限制性股票减少注册资本暨通知债权人的公告\n"
          "本公司及董事会全体成员保证信息披露的内容真实、准确、完整，没有虚假记载、误导性陈述或重大遗漏。\n"
          "一、通知债权人的原由\n"
          "公司于2026年11月20日召开董事会，审议通过了减少注册资本的议案。\n"
          "特此公告。\n"
          "广东示范科技股份有限公司董事会\n"
          "2026年11月26日")


@pytest.mark.parametrize("renderer", ["direct", "weasyprint"])
def test_the_title_stands_alone_above_the_notices_own_heading(renderer):
    notice = set_notice("减资公告", HEADED, SETTINGS)
    texts = [line.text for line in notice.lines]
    title = notice.lines[3]
    assert (title.title, title.body, title.indent_pt, title.spacing_pu) == ("减资公告", "", 0, 0)
    # The heading balanced (test_a_centred_heading_is_balanced): not "…部分限制性股 / 票… / 的公告".
    assert texts[4:8] == ["广东示范科技股份有限公司", "关于回购注销部分", "限制性股票减少注册资本",
                          "暨通知债权人的公告"]
    assert not any(line.title for line in notice.lines[4:])
    # 3 header items, the title, the heading's 4 lines, 9 of text, the signature's 3: the title's
    # own line takes the place of the name's second line ("有限公司").
    assert notice.line_count == 20 and notice.spells_its_text()
    assert notice.text.startswith("证券代码：600000 证券简称：示范科技 公告编号：2026-045\n减资公告\n广东示范")

    pdf = render_notice_pdf("减资公告", HEADED, SETTINGS, renderer=renderer)
    rows = defaultdict(list)
    for gl in read_glyphs(pdf):
        rows[round(gl.y, 1)].append(gl)
    rows_in_order = [sorted(rows[y], key=lambda gl: gl.x) for y in sorted(rows)]
    assert ["".join(gl.text for gl in row) for row in rows_in_order] == texts
    left = rows_in_order[0][0].x
    # The title alone on its line, in the bold sans, where the header lines start.
    title_row = rows_in_order[3]
    assert "".join(gl.text for gl in title_row) == "减资公告"
    assert all("Sans" in gl.font for gl in title_row) and abs(title_row[0].x - left) < 0.01
    # The heading, the company's name first, centred in the column.
    for row in rows_in_order[4:8]:
        assert abs((row[0].x - left) - (left + SETTINGS.column_width_pt - row[-1].right)) < 0.01
    # What a reader copies: the title on a line of its own, then the notice's words in order.
    copied = "".join(ch for ch, _, _ in text_layer(pdf)[0]).split("\r\n")
    assert copied[3:5] == ["减资公告", "广东示范科技股份有限公司"]
    assert "".join("".join(copied).split()) == "".join(notice.text.split())


def test_the_indent_is_a_setting():
    flush = LayoutSettings(paragraph_indent_em=0)
    notice = set_notice("遗失声明", MERGER, flush)
    body = [line for line in notice.lines if line.text.startswith("合并各方")]
    assert body and body[0].indent_pt == 0
    indented = set_notice("遗失声明", MERGER, SETTINGS)
    assert [line.indent_pt for line in indented.lines if line.text.startswith("合并各方")] == [2 * EM]
    with pytest.raises(ValueError, match="段首缩进"):
        LayoutSettings(paragraph_indent_em=6)


def test_a_stored_setting_of_several_paragraphs_is_taken_back():
    notice = set_notice("减资公告", LISTED, SETTINGS)
    data = notice.to_dict(SETTINGS)
    again = SetNotice.from_dict(data, "减资公告", LISTED, SETTINGS)
    assert again == notice
    # Lines that do not spell the text (a paragraph break moved into a line) are refused.
    bad = dict(data, lines=[list(values) for values in data["lines"]])
    bad["lines"][4][1] = bad["lines"][4][1] + "\n"
    assert SetNotice.from_dict(bad, "减资公告", LISTED, SETTINGS) is None


def test_one_paragraph_sets_as_before_and_line_breaks_are_its_only_switch():
    for item in seed_items():
        notice = set_notice(item.title, item.body, SETTINGS)
        assert all(line.indent_pt == 0 for line in notice.lines)
        assert notice.text == item.title + "\u3000" + normalize_text(item.body)
    # The engine keeps a line break as a paragraph break, and nothing else.
    assert normalize_text("特此公告。 \r\n\r\n 广州某某有限公司 ") == "特此公告。\n广州某某有限公司"


def _line_roles(item, notice):
    """The role of the paragraph each line of the notice belongs to, in order."""
    roles = []
    lines = iter(notice.lines)
    for paragraph in paragraphs(item.title, normalize_text(item.body)):
        wanted = "".join(((item.title + "\u3000") if paragraph.title else "") + paragraph.text.replace(" ", ""))
        got = ""
        while got != wanted:
            got += next(lines).text.replace(" ", "")
            roles.append(paragraph.role)
    return roles


def _rows(result, settings):
    """Per placed key, its glyph rows (one per printed line, left to right) and its column's left
    edge."""
    g = PageGeometry(settings)
    glyphs = read_glyphs(result.pdf)
    out = {}
    for placement in result.placements:
        rows = []
        for seg in placement.segments:
            left = g.column_left(seg.column)
            top = g.slug + seg.y_mm * MM_TO_PT
            bottom = top + seg.lines * settings.leading_pt
            by_y = defaultdict(list)
            for gl in glyphs:
                if gl.page == seg.page and left - 1 <= gl.x <= left + g.column_width and top <= gl.y <= bottom:
                    by_y[round(gl.y, 1)].append(gl)
            rows += [(left, sorted(by_y[y], key=lambda gl: gl.x)) for y in sorted(by_y)]
        out[placement.key] = rows
    return out


@pytest.mark.parametrize("renderer", ["direct", "weasyprint"])
def test_paragraphs_read_back_from_the_column(renderer):
    from typesetting import render_column

    items = seed_items()[:3] + ITEMS + seed_items()[3:5]
    result = render_column(items, SETTINGS, ISSUE, rate_card=RateCard(), renderer=renderer)
    assert result.overflow == ()
    width = SETTINGS.column_width_pt
    rows_of = _rows(result, SETTINGS)
    for item in ITEMS:
        notice = set_notice(item.title, item.body, SETTINGS)
        placement = next(p for p in result.placements if p.key == item.key)
        rows = rows_of[item.key]
        # The price follows the lines printed.
        assert placement.lines == notice.line_count == len(rows)
        assert placement.price.explanation == f"共{notice.line_count}行，每行¥50，合计¥{50 * notice.line_count}"
        assert ["".join(gl.text for gl in row) for _, row in rows] == [line.text for line in notice.lines]
        for (left, row), line, role in zip(rows, notice.lines, _line_roles(item, notice), strict=True):
            # Every glyph where the model puts it, from where the line starts.
            model = drawn_origins_pt(line, SETTINGS)
            assert max(abs(gl.x - left - line.indent_pt - x) for gl, x in zip(row, model, strict=True)) < 0.01
            end = row[-1].right - left
            if line.spacing_pu:        # justified: on the column edge
                assert abs(end - width) <= 0.5, line.text
            else:
                assert end <= width + 0.01
            if role == SIGNATURE:
                assert abs(end - width) < 0.01 and line.spacing_pu == 0, line.text
            elif role == HEADING:
                assert abs((row[0].x - left) - (width - end)) < 0.01, line.text
            elif role == SECTION:      # never spread to the column edge
                assert line.spacing_pu == 0, line.text
            elif role == TITLE:        # alone on its line, flush left
                assert (line.title, line.body) == (item.title, "") and abs(row[0].x - left) < 0.01
    # A body paragraph's first line starts two ems in.
    lost = rows_of["lost"]
    assert abs(lost[0][1][0].x - lost[0][0]) < 0.01          # the title's paragraph: flush left
    merger_rows = rows_of["merger"]
    second = next(row for _, row in merger_rows if "".join(gl.text for gl in row).startswith("合并各方"))
    column_left = merger_rows[0][0]
    assert abs(second[0].x - column_left - 2 * EM) < 0.01
    assert rgb_operators(result.pdf) == []


def test_paragraphs_are_drawn_as_weasyprint_draws_them():
    items = ITEMS + seed_items()[:4]
    reference, drawn = both(items, SETTINGS, False, rate_card=RateCard())
    assert_same_print(reference.pdf, drawn.pdf)


# A centred heading of 30 characters: set as full as its lines go it is 13, 13 and 4 ("…合并的公告"
# with "并的公告" alone); a compositor balances it.
BALANCED = "关于广州市天河区石牌示范商店与广州市南沙区物流中心合并的公告"
BALANCED_NOTICE = (f"{BALANCED}\n"
                   "广州市天河区石牌示范商店与广州市南沙区物流中心经股东会决议合并，合并后存续的公司承继各方的债权、债务。\n"
                   "特此公告。\n"
                   "广州市天河区石牌示范商店\n"
                   "2026年11月26日")


def _unbalanced(text, settings=SETTINGS):
    """A heading's lines as the line breaker sets them without balancing: each as full as it goes."""
    title_face, body_face = linebreak.faces(settings)
    lines, _ = linebreak._set_paragraph("", text, settings.column_width_pt, 0.0, False,
                                        settings.body_size_pt, title_face, body_face)
    return [line.text for line in lines]


def _heading_lines(notice, heading):
    """The notice's lines that spell `heading`, in order."""
    texts = [line.text for line in notice.lines]
    for start in range(len(texts)):
        for end in range(start + 1, len(texts) + 1):
            if "".join(texts[start:end]) == heading:
                return notice.lines[start:end]
    raise AssertionError(f"no lines spell {heading}")


def test_a_centred_heading_is_balanced():
    assert len(BALANCED) == 30
    assert [len(text) for text in _unbalanced(BALANCED)] == [13, 13, 4]
    notice = set_notice("合并公告", BALANCED_NOTICE, SETTINGS)
    heading = _heading_lines(notice, BALANCED)
    assert [line.text for line in heading] == ["关于广州市天河区石牌", "示范商店与广州市南沙", "区物流中心合并的公告"]
    # As many lines as before (the advertiser pays per line), each centred.
    assert notice.line_count == 1 + 3 + 5 + 1 + 1 + 1
    for line in heading:
        assert line.spacing_pu == 0 and line.indent_pt == pytest.approx(
            (SETTINGS.column_width_pt - line.natural_width_pt) / 2, abs=0.01)
    # Not inside a word ("…的公 / 告"), and 禁则 kept: the lines as even as that allows.
    assert _unbalanced("关于公司拟减少注册资本的公告") == ["关于公司拟减少注册资本的公", "告"]
    assert [line.text for line in set_notice("", "关于公司拟减少注册资本的公告\n正文。", SETTINGS).lines[:2]] == \
        ["关于公司拟减少", "注册资本的公告"]
    bracketed = "广州雅静服饰（集团）有限公司关于减少注册资本暨通知债权人的公告"
    lines = [line.text for line in _heading_lines(set_notice("", bracketed + "\n正文。", SETTINGS), bracketed)]
    assert lines == ["广州雅静服饰（集团）", "有限公司关于减少注册资本", "暨通知债权人的公告"]
    assert len(lines) == len(_unbalanced(bracketed))


@pytest.mark.parametrize("chars", [9, 11, 13, 16])
def test_balancing_never_adds_a_line_nor_breaks_kinsoku(chars):
    settings = LayoutSettings(columns=1, area_width_mm=(chars + 0.6) * 8 / 72 * 25.4)
    title_face, body_face = linebreak.faces(settings)
    rng = random.Random(chars)
    filler = "广州市天河区石牌示范商店物流中心吸收合并减少注册资本暨通知债权人分立清算变更名称"
    for _ in range(60):
        middle = "".join(rng.choice(filler) for _ in range(rng.randint(chars - 4, 54)))
        at = rng.randint(0, len(middle))
        heading = "关于" + middle[:at] + rng.choice(["（集团）", "、", "2026年", "的"]) + middle[at:] + "的公告"
        before = _unbalanced(heading, settings)
        lines, stats = linebreak._set_paragraph("", heading, settings.column_width_pt, 0.0, False,
                                                settings.body_size_pt, title_face, body_face,
                                                inside_words(heading))
        texts = [line.text for line in lines]
        assert "".join(texts) == heading and len(texts) <= len(before), (heading, before, texts)
        assert all(line.natural_width_pt <= settings.column_width_pt + 1e-6 for line in lines)
        assert stats[0] == 0 and not any(after[0] in NO_LINE_START or first[-1] in NO_LINE_END
                                         for first, after in pairwise(texts))
        # Even: no line more than three characters' width longer than another (a word or a
        # date kept whole may take that much), where unbalanced the last could be one character.
        widths = [line.natural_width_pt for line in lines]
        assert max(widths) - min(widths) <= 3 * settings.body_size_pt, texts


def _rows_read_back(title: str, body: str, renderer: str) -> list[list]:
    """The notice's preview PDF read back: its glyphs by row, top to bottom, left to right."""
    pdf = render_notice_pdf(title, body, SETTINGS, renderer=renderer)
    rows = defaultdict(list)
    for gl in read_glyphs(pdf):
        rows[round(gl.y, 1)].append(gl)
    return [sorted(rows[y], key=lambda gl: gl.x) for y in sorted(rows)]


@pytest.mark.parametrize("renderer", ["direct", "weasyprint"])
def test_a_balanced_heading_reads_back_centred(renderer):
    notice = set_notice("合并公告", BALANCED_NOTICE, SETTINGS)
    rows_in_order = _rows_read_back("合并公告", BALANCED_NOTICE, renderer)
    assert ["".join(gl.text for gl in row) for row in rows_in_order] == [line.text for line in notice.lines]
    left = rows_in_order[0][0].x        # the title, flush left on its own line
    for row in rows_in_order[1:4]:
        assert len(row) == 10
        assert abs((row[0].x - left) - (left + SETTINGS.column_width_pt - row[-1].right)) < 0.01


def test_balanced_headings_are_drawn_as_weasyprint_draws_them():
    items = [ColumnItem("balanced", "合并公告（标题均衡）", "合并公告", BALANCED_NOTICE, "merger"),
             ColumnItem("words", "减资公告（不拆词）", "减资公告",
                        "广州雅静服饰（集团）有限公司关于减少注册资本暨通知债权人的公告\n"
                        "本公司经股东会决议，注册资本由1000万元减少至500万元，请债权人自本公告见报之日起四十五日内申报债权。\n"
                        "特此公告。\n广州雅静服饰（集团）有限公司\n2026年11月26日", "capital-reduction"),
             *ITEMS[:1]]
    reference, drawn = both(items, SETTINGS, False, rate_card=RateCard())
    assert_same_print(reference.pdf, drawn.pdf)


# Issue 15: a numbered section heading ("二、需债权人知晓的相关信息") was set as a body paragraph,
# its first line letter-spaced across the column ("二、 需 债 权 人 知 晓 的 相 / 关信息").
SECTIONED = ("证券代码：600000 证券简称：示范科技 公告编号：2026-045\n"
             "广东示范科技股份有限公司\n"
             "关于回购注销部分限制性股票减少注册资本暨通知债权人的公告\n"
             "本公司及董事会全体成员保证信息披露的内容真实、准确、完整，没有虚假记载、误导性陈述或重大遗漏。\n"
             "一、通知债权人的原由\n"
             "公司于2026年11月20日召开董事会，审议通过了减少注册资本的议案。\n"
             "二、需债权人知晓的相关信息\n"
             "债权人自本公告披露之日起四十五日内，有权要求本公司清偿债务或者提供相应的担保。\n"
             "（一）债权申报所需材料\n"
             "债权人可持证明债权债务关系存在的合同、协议及其他凭证的原件及复印件到公司申报债权。\n"
             "一、公司于2026年11月20日召开董事会，审议通过了减少注册资本的议案。\n"
             "特此公告。\n"
             "广东示范科技股份有限公司董事会\n"
             "2026年11月26日")
SECTIONS = ("一、通知债权人的原由", "二、需债权人知晓的相关信息", "（一）债权申报所需材料")
NUMBERED_SENTENCE = "一、公司于2026年11月20日召开董事会，审议通过了减少注册资本的议案。"


def test_numbered_section_headings_are_read_from_their_text():
    roles = {p.text: p.role for p in paragraphs("减资公告", SECTIONED)}
    assert [roles[text] for text in SECTIONS] == [SECTION] * 3
    # A sentence that starts with a number is body text, justified.
    assert roles[NUMBERED_SENTENCE] == "body"
    assert [is_section(text) for text in ("1. 申报方式", "2、申报地址", "（3）联系方式", "十二、其他事项",
                                          "第一章 总则", "第三部分 债权申报")] == [True] * 6
    assert not any(is_section(text) for text in (
        "1.5亿元的债务由存续公司承继", "一、申报时间：2026年11月26日至2027年1月9日",  # a number; a colon
        "二、债权人可持证明债权债务关系存在的合同协议及其他凭证申报债权",               # over 30
        "一、", "广东示范科技股份有限公司", "关于减少注册资本的公告"))
    # A numbered line is a section, never the notice's centred heading (nor its name line).
    assert [p.role for p in paragraphs("", "公司名称\n一、关于减资的通知\n正文。")] == ["body", SECTION, "body"]


def test_a_section_heading_is_indented_and_not_justified():
    notice = set_notice("减资公告", SECTIONED, SETTINGS)
    texts = [line.text for line in notice.lines]
    for section in SECTIONS:
        start = next(k for k, text in enumerate(texts) if section.startswith(text))
        lines = notice.lines[start:start + 2]
        # Where a body paragraph starts, two ems in, and set solid: no letter-spacing.
        assert lines[0].indent_pt == 2 * EM and lines[0].spacing_pu == 0, section
    # The long one wraps: its wrapped part flush left, unjustified too.
    at = texts.index("二、需债权人知晓的相")
    assert texts[at + 1] == "关信息" and notice.lines[at + 1].indent_pt == 0
    assert notice.lines[at + 1].spacing_pu == 0
    # The sentence that starts with 一、 stays justified body text, its first line indented.
    at = next(k for k, text in enumerate(texts) if text.startswith("一、公司"))
    assert notice.lines[at].indent_pt == 2 * EM and notice.lines[at].spacing_pu > 0
    assert notice.spells_its_text() and notice.loose_lines == 0
    # A wrong guess changes only where a line starts and how it is spaced: the same 34 lines as
    # when its headings were set as body text (the line count, and so the price, follows them).
    assert notice.line_count == 34


@pytest.mark.parametrize("renderer", ["direct", "weasyprint"])
def test_a_section_heading_reads_back_unspaced(renderer):
    notice = set_notice("减资公告", SECTIONED, SETTINGS)
    rows_in_order = _rows_read_back("减资公告", SECTIONED, renderer)
    texts = [line.text for line in notice.lines]
    assert ["".join(gl.text for gl in row) for row in rows_in_order] == texts
    left = rows_in_order[0][0].x
    at = texts.index("二、需债权人知晓的相")
    first, wrapped = rows_in_order[at], rows_in_order[at + 1]
    # Each glyph starts where the one before it ends: no letter-spacing (a justified line has
    # 0.1 em and more between its glyphs); it starts two ems in and ends short of the edge.
    assert max(b.x - a.right for a, b in pairwise(first)) < 0.01
    assert abs(first[0].x - left - 2 * EM) < 0.01
    assert first[-1].right < left + SETTINGS.column_width_pt - EM
    assert abs(wrapped[0].x - left) < 0.01 and max(b.x - a.right for a, b in pairwise(wrapped)) < 0.01
    # The numbered sentence's first line is justified to the column edge.
    sentence = rows_in_order[next(k for k, text in enumerate(texts) if text.startswith("一、公司"))]
    assert abs(sentence[-1].right - left - SETTINGS.column_width_pt) < 0.5


def test_section_headings_are_drawn_as_weasyprint_draws_them():
    items = [ColumnItem("sections", "减资公告（章节标题）", "减资公告", SECTIONED, "capital-reduction"),
             *ITEMS[:1]]
    reference, drawn = both(items, SETTINGS, False, rate_card=RateCard())
    assert_same_print(reference.pdf, drawn.pdf)
