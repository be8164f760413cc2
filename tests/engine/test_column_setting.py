"""A cold column sets its notices on two cores: an idle render worker sets half of them while
the caller sets the others (typesetting/column.py _set_notices), and a column rendered again
sets nothing anew."""

from __future__ import annotations

import datetime as dt

from typesetting import ColumnItem, LayoutSettings, column as column_module, linebreak, render_column, set_notice

ISSUE = dt.date(2021, 1, 8)


def _items(count: int, tag: str) -> list[ColumnItem]:
    return [ColumnItem(f"{tag}{n}", f"#{n}", "遗失声明",
                       f"{tag}第{n}号广州市天河区石牌合亦汇商店遗失营业执照正本，"
                       f"统一社会信用代码：91440106MA5CL1{n:04d}，声明作废。", "lost-document")
            for n in range(count)]


def test_half_the_notices_are_set_by_an_idle_worker_and_print_the_same():
    settings = LayoutSettings()
    render_column(_items(1, "warm"), settings, ISSUE)        # the workers are up and idle
    items = _items(60, "half")
    misses = linebreak._set_notice_cached.cache_info().misses
    result = render_column(items, settings, ISSUE, continue_overflow=True)
    set_here = linebreak._set_notice_cached.cache_info().misses - misses
    assert set_here == 30                                    # the other 30 by a worker
    # What the worker set is what this process sets: the same lines, heights and prices.
    for item, placement in zip(items, result.placements, strict=True):
        assert placement.lines == set_notice(item.title, item.body, settings).line_count
    # Rendered again, nothing is set anew (a worker's settings are not in linebreak's cache).
    misses = linebreak._set_notice_cached.cache_info().misses
    again = render_column(items, settings, ISSUE, continue_overflow=True)
    assert linebreak._set_notice_cached.cache_info().misses == misses
    assert again.placements == result.placements


def test_without_an_idle_worker_the_caller_sets_them_all(monkeypatch):
    monkeypatch.setattr(column_module, "run_job_if_idle", lambda job, limits: None)
    settings = LayoutSettings()
    items = _items(50, "alone")
    misses = linebreak._set_notice_cached.cache_info().misses
    result = render_column(items, settings, ISSUE, continue_overflow=True)
    assert linebreak._set_notice_cached.cache_info().misses - misses == 50
    assert len(result.placements) == 50 and result.overflow == ()


def test_a_notice_the_worker_cannot_set_goes_to_overflow_with_its_reason():
    settings = LayoutSettings()
    render_column(_items(1, "warm"), settings, ISSUE)
    items = _items(49, "bad") + [ColumnItem("empty", "空白", "遗失声明", "   ", "lost-document")]
    result = render_column(items, settings, ISSUE, continue_overflow=True)
    assert [o.key for o in result.overflow] == ["empty"]     # in the worker's half
    assert "公告正文为空" in result.overflow[0].reason
    assert len(result.placements) == 49
