"""Lines drawn once, kept, and written again (issue 15 item 6: each notice's drawn lines beside its
stored setting): a column drawn from kept lines is the very PDF drawn from scratch, kept lines
that do not hold are refused or drawn again, and the render worker hands back what it drew."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest

from tests.engine.test_draw import generated
from tests.support.column import seed_items
from tests.support.pdfread import text_layer
from typesetting import (
    ColumnItem,
    KeptLines,
    LayoutSettings,
    RateCard,
    draw,
    drawn_from_json,
    drawn_to_data,
    render_column,
    set_notice,
)
from typesetting.column import _drawing, _Laid, _place, _set_notices, contact_box
from typesetting.linebreak import faces
from typesetting.markup import PageGeometry

ISSUE = dt.date(2021, 1, 8)
PARAGRAPHS = ("证券代码：600000 证券简称：示范科技 公告编号：2026-045\n关于减少注册资本暨通知债权人的公告\n"
              "公司于2026年11月20日召开董事会，审议通过了减少注册资本的议案，注册资本由10000万元减少至9800万元。\n"
              "债权人自本公告披露之日起四十五日内，有权要求本公司清偿债务或者提供相应的担保。\n特此公告。\n"
              "广东示范科技股份有限公司董事会\n2026年11月26日")


def _items() -> list[ColumnItem]:
    """The seed page's notices, generated ones (codes, numbers, marks that meet) and one of
    several paragraphs (header, heading, indents, a signature set flush right)."""
    return seed_items() + generated(40, seed=15) + [
        ColumnItem("p", "上市公司", "减资公告", PARAGRAPHS, "capital-reduction")]


def _drawing_of(items, settings):
    notices, errors = _set_notices(items, settings)
    assert not errors
    contact = contact_box(settings)
    pages, contact_at, overflow = _place(notices, settings, contact.height, True)
    laid = _Laid(notices, pages, contact, contact_at, PageGeometry(settings, contact.height))
    return notices, (lambda with_items: _drawing(laid, settings, ISSUE, with_items))


def _forget_drawn_lines():
    draw._DRAWN.clear()
    draw._shape.cache_clear()


def _kept_as_stored(items, notices, kept, settings):
    """items with their drawn lines, as the app stores and reads them back (JSON)."""
    out = []
    for index, item in enumerate(items):
        lines = tuple(kept[index][n] for n in range(notices[index].line_count))
        drawn = drawn_from_json(json.dumps(drawn_to_data(lines, settings), ensure_ascii=False),
                                notices[index], settings)
        assert drawn is not None and drawn.lines() == lines
        out.append(replace(item, setting=notices[index], drawn=drawn))
    return out


def test_a_column_drawn_from_kept_lines_is_the_same_pdf(monkeypatch):
    settings = LayoutSettings()
    items = _items()
    notices, drawing = _drawing_of(items, settings)
    _forget_drawn_lines()
    kept: dict = {}
    fresh = draw.draw_column(drawing(items), kept=kept)
    # Every line of every notice was drawn here and handed back.
    assert sorted(kept) == list(range(len(items)))
    assert all(len(kept[i]) == notices[i].line_count for i in kept)

    stored = _kept_as_stored(items, notices, kept, settings)
    # A process that has drawn nothing: nothing is shaped, no line is drawn anew.
    _forget_drawn_lines()
    def refuse(*args, **kwargs):
        raise AssertionError("a kept line was drawn again")
    monkeypatch.setattr(draw, "_make_line", refuse)
    again: dict = {}
    assert draw.draw_column(drawing(stored), kept=again) == fresh
    assert again == {}
    # Only the furniture is shaped: each page's header band (title, date line), the contact box.
    furniture = drawing(stored)
    assert draw._shape.cache_info().misses <= 2 * len(furniture.pages) + len(furniture.contact_lines)


def test_kept_lines_print_the_notices_text():
    settings = LayoutSettings()
    items = _items()
    notices, drawing = _drawing_of(items, settings)
    kept: dict = {}
    draw.draw_column(drawing(items), kept=kept)
    pdf = draw.draw_column(drawing(_kept_as_stored(items, notices, kept, settings)))
    text = "".join(c for page in text_layer(pdf) for c, _, _ in page)
    squeezed = "".join(text.split())
    for notice in notices:
        assert "".join(notice.text.split()) in squeezed


def _stored(title: str, body: str, settings: LayoutSettings):
    notice = set_notice(title, body, settings)
    lines = [draw._make_line(line, faces(settings)) for line in notice.lines]
    assert all(line is not None for line in lines)
    return notice, json.loads(json.dumps(drawn_to_data([line for line in lines if line], settings),
                                         ensure_ascii=False))


BODY = "广州示例贸易有限公司遗失营业执照正本，统一社会信用代码：91440101MA5CXXXX0X，声明作废。"


@pytest.mark.parametrize("spoil", [
    # Content-stream operators smuggled into a template: a white box over the page, a colour.
    lambda d: d["lines"][0][1][0].__setitem__(
        2, d["lines"][0][1][0][2].replace("] TJ", "] TJ\nQ 1 g 0 0 500 500 re f\nq")),
    lambda d: d["lines"][0][1][0].__setitem__(2, "[%s] TJ\n0 0 1 0 k\n"),
    # A glyph the line does not list (no width, no text for it in the document).
    lambda d: d["lines"][0][1][-1][3].__setitem__(0, 65000),
    lambda d: d["lines"][0][1][-1][3].__setitem__(0, -1),
    # Slots and glyphs that do not match.
    lambda d: d["lines"][0][1][-1][3].pop(),
    # Lines of another text, another count, another engine.
    lambda d: d["lines"][0].__setitem__(0, "某某" + d["lines"][0][0][2:]),
    lambda d: d["lines"].pop(),
    lambda d: d.__setitem__("fingerprint", "0" * 32),
    # Not numbers where numbers go.
    lambda d: d["lines"][0][1][0].__setitem__(1, "0"),
    lambda d: d["lines"][0][2][0].__setitem__(2, True),
    lambda d: d["lines"][0][2][0].__setitem__(0, 2),
    lambda d: d.__setitem__("lines", "x"),
])
def test_kept_lines_that_do_not_hold_are_refused(spoil):
    settings = LayoutSettings()
    notice, data = _stored("遗失声明", BODY, settings)
    assert drawn_from_json(json.dumps(data), notice, settings) is not None
    spoil(data)
    assert drawn_from_json(json.dumps(data), notice, settings) is None


def test_a_kept_glyph_width_the_document_has_otherwise_draws_the_line_again():
    """A document keeps a glyph's width from where it first meets it (as WeasyPrint does); a
    kept line that was made with another width for that glyph is drawn again with the
    document's, so that the TJ numbers and the font's /W agree, and it is not handed back."""
    settings = LayoutSettings()
    items = [ColumnItem("a", "#a", "遗失声明", "陈小明遗失身份证，声明作废。", "lost-document"),
             ColumnItem("b", "#b", "遗失声明", "陈大明遗失驾驶证，声明作废。", "lost-document")]
    notices, drawing = _drawing_of(items, settings)
    _forget_drawn_lines()
    kept: dict = {}
    reference = draw.draw_column(drawing(items), kept=kept)
    stored = _kept_as_stored(items, notices, kept, settings)
    # Notice a's kept lines say 陈 is one unit wider than the font has it; b is drawn anew.
    chen = faces(settings)[1].hb_font.get_nominal_glyph(ord("陈"))
    kept_a = stored[0].drawn.lines()
    first = kept_a[0]
    spoiled = replace(first, glyphs=tuple((r, g, w + 1 if g == chen and r == 1 else w, t)
                                          for r, g, w, t in first.glyphs))
    assert spoiled != first
    items = [replace(stored[0], drawn=KeptLines.of((spoiled, *kept_a[1:]), settings)), items[1]]
    _forget_drawn_lines()
    again: dict = {}
    pdf = draw.draw_column(drawing(items), kept=again)
    assert 0 not in again and 0 not in again.get(1, {}), "a line drawn for one document only"
    text = "".join(c for page in text_layer(pdf) for c, _, _ in page)
    assert "陈大明遗失驾驶证" in "".join(text.split())
    assert pdf != reference


def test_the_worker_hands_back_what_it_drew_and_takes_what_was_kept():
    settings = LayoutSettings()
    items = seed_items()
    first = render_column(items, settings, ISSUE, rate_card=RateCard(), renderer="direct")
    assert set(first.drawn) == {p.key for p in first.placements}
    notices = {item.key: set_notice(item.title, item.body, settings) for item in items}
    for key, kept in first.drawn.items():
        assert [line.text for line in kept.lines()] == [line.text for line in notices[key].lines]
        assert drawn_from_json(kept.text, notices[key], settings) == kept
    brought = [replace(item, setting=notices[item.key], drawn=first.drawn[item.key]) for item in items]
    second = render_column(brought, settings, ISSUE, rate_card=RateCard(), renderer="direct")
    assert second.drawn == {}
    assert second.pdf == first.pdf
