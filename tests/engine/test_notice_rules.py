"""Rules between notices (LayoutSettings.notice_rule_weight_pt): a hairline in pure K between
each two notices of a column, in the middle of the space between them, none above a column's
first notice; the space around it is a setting; both renderers draw it alike."""

from __future__ import annotations

import datetime as dt
import io

import pypdfium2
import pytest

from tests.engine.test_column import check_column
from tests.engine.test_draw import assert_print_pdf, assert_same_print, both
from tests.support.column import SEED, seed_items
from typesetting import ColumnItem, LayoutSettings, RateCard, placement_boxes, render_column
from typesetting.markup import PageGeometry
from typesetting.settings import MM_TO_PT

ISSUE = dt.date(2021, 1, 8)
# A gap of 6 pt: check_column reads baselines to 0.1 pt, and compares them between notices.
RULED = LayoutSettings(notice_rule_weight_pt=0.25, notice_rule_space_pt=2.875)
DPI = 250


def _grey_page(pdf: bytes, dpi: int = DPI):
    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()


def _ink_across(image, left_pt: float, width_pt: float, y_pt: float) -> float:
    """The share of the pixels across [left, left + width] on the row at y (pt) that are inked."""
    scale = DPI / 72
    row = round(y_pt * scale)
    xs = range(round(left_pt * scale) + 2, round((left_pt + width_pt) * scale) - 2)
    darkest = [min(image.getpixel((x, r)) for r in (row - 1, row, row + 1)) for x in xs]
    return sum(1 for value in darkest if value < 230) / len(darkest)


@pytest.fixture(scope="module")
def ruled():
    items = seed_items()
    return items, render_column(items, RULED, ISSUE, rate_card=RateCard())


def test_the_gap_between_notices_holds_the_rule_and_its_space(ruled):
    items, result = ruled
    assert RULED.notice_gap_pt == 2 * 2.875 + 0.25
    by_column: dict[int, list] = {}
    for placement in result.placements:
        seg = placement.segments[0]
        by_column.setdefault(seg.column, []).append(seg)
    pairs = 0
    for segments in by_column.values():
        for above, below in zip(segments, segments[1:], strict=False):
            end = above.y_mm * MM_TO_PT + above.lines * RULED.leading_pt
            assert abs(below.y_mm * MM_TO_PT - end - RULED.notice_gap_pt) < 0.01  # y_mm: 3 decimals
            pairs += 1
    assert pairs >= 10
    check_column(result, items, RULED)
    assert_print_pdf(result.pdf)


def test_a_rule_is_drawn_between_each_two_notices_and_nowhere_else(ruled):
    _, result = ruled
    g = PageGeometry(RULED)
    image = _grey_page(result.pdf)
    plain = _grey_page(render_column(seed_items(), LayoutSettings(notice_spacing_pt=6.0), ISSUE).pdf)
    by_column: dict[int, list] = {}
    for placement in result.placements:
        seg = placement.segments[0]
        by_column.setdefault(seg.column, []).append(seg)
    for column, segments in by_column.items():
        left = g.column_left(column)
        top = g.slug                      # y_mm is from the area's top edge
        for above in segments[:-1]:
            end = top + above.y_mm * MM_TO_PT + above.lines * RULED.leading_pt
            middle = end + RULED.notice_rule_space_pt + RULED.notice_rule_weight_pt / 2
            assert _ink_across(image, left, g.column_width, middle) > 0.98
            # The same column without rules (the same gap) has nothing there.
            assert _ink_across(plain, left, g.column_width, middle) == 0
        # Nothing above a column's first notice.
        first = top + segments[0].y_mm * MM_TO_PT
        assert _ink_across(image, left, g.column_width, first - RULED.notice_rule_space_pt) == 0


def test_rules_are_drawn_as_weasyprint_draws_them():
    items = [ColumnItem(f"r{n}", f"#{n}", s["title"], s["text"] + f"（第{n}号）", s["type"])
             for n, s in enumerate(SEED * 3)]
    settings = LayoutSettings(notice_rule_weight_pt=0.25, notice_rule_space_pt=2.0, columns=5)
    reference, drawn = both(items, settings, True, rate_card=RateCard())
    assert reference.pages >= 1
    assert_same_print(reference.pdf, drawn.pdf)


def test_a_cut_notice_leaves_the_rules_out(ruled):
    _, result = ruled
    for placement in result.placements:
        boxes = placement_boxes(placement, RULED)
        for _page, _x0, y0, _x1, y1 in boxes["notice"]:
            seg = placement.segments[0]
            g = PageGeometry(RULED)
            top = g.media_height - (g.slug + seg.y_mm * MM_TO_PT)
            bottom = top - seg.lines * RULED.leading_pt
            assert y1 - top < RULED.notice_rule_space_pt and bottom - y0 < RULED.notice_rule_space_pt


def test_the_rule_is_a_setting():
    assert not LayoutSettings().notice_rules
    assert LayoutSettings().notice_gap_pt == LayoutSettings().notice_spacing_pt
    with pytest.raises(ValueError, match="公告间线"):
        LayoutSettings(notice_rule_weight_pt=3)
    assert LayoutSettings.from_dict(RULED.to_dict()) == RULED


def test_the_rule_is_pure_k(ruled):
    _, result = ruled
    import pypdf
    content = pypdf.PdfReader(io.BytesIO(result.pdf)).pages[0].get_contents().get_data()
    assert b" rg" not in content and b" RG" not in content
