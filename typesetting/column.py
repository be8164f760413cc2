"""The classified column: place set notices into the columns of the page area, then render.

Measure, then place: every notice is set first (linebreak.set_notice, cached), so its height is
known exactly; the notices are then placed top to bottom, column after column, in the caller's
order. Nothing is cut: a notice that does not fit goes to `overflow` (or to the next page with
continue_overflow=True), and so does everything after it - the order is the caller's and is kept.

A notice never splits across columns, unless it is taller than a whole column: then it starts
at the top of the next column (or in the current one if at least MIN_SPLIT_LINES lines fit
there) and continues at the top of the following columns, never leaving a single line alone at
either end; it must finish on the page it started on. Where it can, a column does not end on a
line that keeps with the next (SetLine.keep_with_next: a heading, a paragraph's first line or
its last but one, the signature and the line above it); where the notice would not fit the page
so, it is split where the lines fall.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence, TypeVar

from ._worker import Job
from .draw import ColumnDrawing, ContactLine, DrawnPage, DrawnSegment, KeptLines
from .errors import InputTooLarge, RenderError
from .fonts import PANGO_SCALE, PX_PER_PT, FontFace, load_face, shape_clusters
from .linebreak import SetLine, SetNotice, set_notice
from .markup import PRINT_CSS, PageGeometry, render_template
from .pricing import Quote, RateCard, quote_price
from .render import COLUMN_LIMITS, RenderLimits, choose_renderer, pool_size, run_job_if_idle, run_jobs
from .settings import MM_TO_PT, LayoutSettings

MAX_COLUMN_ITEMS = 2000
MIN_SPLIT_LINES = 3
_EPS = 1e-6
_WEEKDAYS = "一二三四五六日"

T = TypeVar("T")


@dataclass(frozen=True)
class ColumnItem:
    """A notice for the column, in print order. price_category defaults to type_code."""

    key: str
    label: str
    title: str
    body: str
    type_code: str
    price_category: str | None = None
    # The notice already set at these settings (SetNotice.from_dict of a stored setting), so the
    # column does not break its lines again; None: set it here.
    setting: SetNotice | None = field(default=None, compare=False, repr=False)
    # Its lines as drawn before (draw.drawn_from_json of the lines kept with that setting), so
    # a drawer that has not drawn them does not shape them again; None: drawn here
    # (ColumnResult.drawn returns them).
    drawn: KeptLines | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Segment:
    """A run of a notice's lines in one column (a notice has one unless it is split)."""

    page: int
    column: int
    y_mm: float       # top of the first line, from the top edge of the area (trim)
    first_line: int   # 0-based index into the notice's lines
    lines: int


@dataclass(frozen=True)
class Placement:
    key: str
    label: str
    page: int
    column: int       # 1-based
    y_mm: float       # top of the notice, from the top edge of the area (trim)
    lines: int
    height_mm: float
    price: Quote | None
    segments: tuple[Segment, ...]
    missing: str = ""  # characters the fonts lack (printed as missing-glyph boxes)


@dataclass(frozen=True)
class OverflowItem:
    key: str
    label: str
    reason: str


@dataclass(frozen=True)
class ColumnResult:
    pdf: bytes
    placements: tuple[Placement, ...]
    overflow: tuple[OverflowItem, ...]
    fill: tuple[tuple[float, ...], ...]  # per page, per column: fraction of the height used
    pages: int
    warnings: tuple[str, ...] = ()
    render_cpu_s: float = 0.0  # CPU seconds the render workers spent (monitoring, benchmark)
    # The lines the drawer drew for this column that the items did not bring (ColumnItem.drawn),
    # by item key, every line of the notice: to keep with its setting (KeptLines.text).
    drawn: dict[str, KeptLines] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class _Contact:
    height: float
    lines: list[dict[str, Any]] = field(default_factory=list)


def contact_box(settings: LayoutSettings) -> _Contact:
    """The publisher's bordered contact box: its lines (centred) and its height in points.

    The first line is the call (欢迎刊登 各类公告) in bold sans a size up; the others are body
    type. A line too wide for the box is first set a little smaller (down to 80 %), then broken
    at its spaces, so a long phone list never overflows the border.
    """
    g = PageGeometry(settings)
    inner = settings.column_width_pt - 2 * g.contact_border - 4.0
    lines: list[dict[str, Any]] = []
    for number, text in enumerate(settings.contact_lines):
        if number == 0:
            family, weight, size = settings.title_font, 700, settings.body_size_pt * 1.25
        else:
            family, weight, size = settings.body_font, 400, settings.body_size_pt
        face = load_face(family, weight, size)

        def width(s: str, face: FontFace = face) -> float:
            return sum(sum(a) for _, _, a in shape_clusters(face, s)) / PANGO_SCALE / PX_PER_PT

        pieces = [text]
        if width(text) * 0.8 > inner:
            pieces = []
            for word in text.split(" "):
                if pieces and width(pieces[-1] + " " + word) * 0.8 <= inner:
                    pieces[-1] += " " + word
                else:
                    pieces.append(word)
        for piece in pieces:
            w = width(piece)
            piece_size = size if w <= inner else max(size * inner / w, 4.0)
            lines.append({"text": piece, "font": family, "weight": weight,
                          "size": round(piece_size - 0.005, 2),
                          "line_height": size * 1.4 if number == 0 else settings.leading_pt})
    height = 2 * g.contact_border + 2 * g.contact_padding + sum(line["line_height"] for line in lines)
    return _Contact(height, lines)


def _type_code(item: Any) -> str:
    code: str = item.type_code
    return code


def order_items(items: Iterable[T], settings: LayoutSettings,
                type_of: Callable[[T], str] = _type_code) -> list[T]:
    """Items grouped by the publisher's type order (stable; unknown types last, in order)."""
    rank = {code: i for i, code in enumerate(settings.type_order)}
    return sorted(items, key=lambda item: rank.get(type_of(item), len(rank)))


# -- placement ------------------------------------------------------------------------------

@dataclass
class _Seg:
    index: int
    page: int
    column: int
    y: float  # pt from the top of the column area
    first: int
    count: int


_Span = tuple[int, float, int, int]   # a notice's lines in one column: (column, y, first, count)
_ContactAt = tuple[int, int, float]   # where the contact box goes: (page, column, y)


@dataclass(frozen=True)
class _Laid:
    """The column as placed: what the renderer draws."""

    notices: list[SetNotice | None]
    pages: list[list[_Seg]]            # per page, the notices' segments
    contact: _Contact
    contact_at: _ContactAt | None
    g: PageGeometry


class _Placer:
    def __init__(self, settings: LayoutSettings, contact_height: float) -> None:
        self.s = settings
        self.col_h = settings.column_height_pt
        self.lead = settings.leading_pt
        self.gap = settings.notice_gap_pt   # the notice spacing, or a rule and its space
        self.contact_height = contact_height

    def fit(self, lines: int, col: int, y: float,
            keep: Sequence[bool] = ()) -> tuple[list[_Span], int, float] | None:
        """Segments for a notice of `lines` lines starting at (col, y); None if the page is full.
        keep: per line, whether it keeps with the next (SetLine.keep_with_next): a column does
        not end on it where the notice is split - where the notice still fits so. Moving breaks
        up can leave each column a few lines short (the signature block is up to five lines),
        and a notice that just fits a page would not fit at all: a widow is better than a
        notice that is not printed, or that starts a page of its own."""
        placed = self._fit(lines, col, y, keep)
        if placed is None and any(keep):
            placed = self._fit(lines, col, y)
        return placed

    def _fit(self, lines: int, col: int, y: float,
             keep: Sequence[bool] = ()) -> tuple[list[_Span], int, float] | None:
        height = lines * self.lead
        gap = self.gap if y > _EPS else 0.0
        if y + gap + height <= self.col_h + _EPS:
            return [(col, y + gap, 0, lines)], col, y + gap + height
        if height <= self.col_h + _EPS:
            if col < self.s.columns:
                return [(col + 1, 0.0, 0, lines)], col + 1, height
            return None
        # Taller than a column: split at line boundaries.
        segments: list[_Span] = []
        first = 0
        avail = math.floor((self.col_h - y - gap) / self.lead + _EPS) if y > _EPS else \
            math.floor(self.col_h / self.lead + _EPS)
        if y > _EPS and _split_count(0, avail, lines, keep) < MIN_SPLIT_LINES:
            col, y, gap = col + 1, 0.0, 0.0
            avail = math.floor(self.col_h / self.lead + _EPS)
        elif y <= _EPS:
            gap = 0.0
        top = y + gap
        while first < lines:
            if col > self.s.columns:
                return None
            count = _split_count(first, avail, lines, keep)
            segments.append((col, top, first, count))
            first += count
            end_y = top + count * self.lead
            if first < lines:
                col, top = col + 1, 0.0
                avail = math.floor(self.col_h / self.lead + _EPS)
        return segments, col, end_y

    def contact_fits(self, col: int, y: float) -> tuple[int, float] | None:
        gap = self.gap if y > _EPS else 0.0
        if y + gap + self.contact_height <= self.col_h + _EPS:
            return col, y + gap
        if col < self.s.columns and self.contact_height <= self.col_h + _EPS:
            return col + 1, 0.0
        return None


def _split_count(first: int, avail: int, lines: int, keep: Sequence[bool]) -> int:
    """How many of a split notice's lines, from line `first`, go in a column with room for
    `avail`: all that fit, but never one line alone at the top of the next column, and never a
    line that keeps with the next (SetLine.keep_with_next) at the bottom of this one."""
    count = min(avail, lines - first)
    if lines - first - count == 1 and count > 2:
        count -= 1  # never leave one line alone at the top of the next column
    if first + count < lines:
        end = count
        while end > 1 and first + end - 1 < len(keep) and keep[first + end - 1]:
            end -= 1
        if end > 1 or not keep[first]:
            count = end   # a column of nothing but a heading block keeps what fits
    return count


def _place(notices: list[SetNotice | None], settings: LayoutSettings, contact_height: float,
           continue_overflow: bool) -> tuple[list[list[_Seg]], _ContactAt | None, list[tuple[int, str]]]:
    """Returns (segments per page, contact position (page, col, y), overflow [(index, reason)])."""
    placer = _Placer(settings, contact_height)
    overflow: list[tuple[int, str]] = []
    line_counts = {i: n.line_count for i, n in enumerate(notices) if n is not None}
    keeps = {i: tuple(line.keep_with_next for line in n.lines) for i, n in enumerate(notices) if n is not None}
    queue = list(line_counts)
    pages: list[list[_Seg]] = []
    contact: _ContactAt | None = None
    while True:
        page = len(pages) + 1
        placed: list[tuple[int, list[_Span], int, float]] = []  # (index, segments, col, y after)
        col, y = 1, 0.0
        position = 0
        while position < len(queue):
            index = queue[position]
            result = placer.fit(line_counts[index], col, y, keeps[index])
            if result is None:
                if col == 1 and y <= _EPS:
                    # Does not fit even an empty page: it never will.
                    overflow.append((index, "公告太长，整版也排不下，请删减或分成几则"))
                    queue.pop(position)
                    continue
                break
            segments, col, y = result
            placed.append((index, segments, col, y))
            position += 1
        rest = queue[position:]
        box_alone = False
        if not rest or not continue_overflow:
            # This page ends the column: the contact box must close it. Give notices back
            # (to the next page, or to overflow) until it fits after the last one.
            kept = list(placed)
            while True:
                spot = placer.contact_fits(*(placed[-1][2:] if placed else (1, 0.0)))
                if spot is not None or not placed:
                    break
                rest.insert(0, placed.pop()[0])
            if continue_overflow and rest and not placed:
                # Nothing would stay on this page: keep it full, the box gets a page of its own.
                placed, rest, box_alone = kept, [], True
            elif spot is not None and (not rest or not continue_overflow):
                contact = (page, spot[0], spot[1])
        pages.append([_Seg(index, page, c, top, first, count)
                      for index, segments, _, _ in placed
                      for c, top, first, count in segments])
        if box_alone:
            pages.append([])
            contact = (page + 1, 1, 0.0)
            break
        if not rest:
            break
        if not continue_overflow:
            overflow.extend((i, "本版已排满") for i in rest)
            break
        queue = rest
    return pages, contact, overflow


# -- the public entry point -----------------------------------------------------------------

def _date_cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def render_column(items: list[ColumnItem], settings: LayoutSettings, issue_date: dt.date,
                  continue_overflow: bool = False, *, rate_card: RateCard | None = None,
                  limits: RenderLimits = COLUMN_LIMITS, renderer: str | None = None) -> ColumnResult:
    """Set, place and render the classified column of one issue.

    items are in print order (the caller groups them by type, see order_items). Returns the PDF
    and where each notice went; notices that do not fit are in `overflow` (with
    continue_overflow=True they continue on further pages instead). renderer: "direct" or
    "weasyprint" (render.RENDERERS); None: the process's default.
    """
    renderer = choose_renderer(renderer)
    drawn: dict[str, KeptLines] = {}
    _check_items(items, issue_date)
    icc = _icc_profile(settings)
    notices, errors = _set_notices(items, settings, limits)
    contact = contact_box(settings)
    pages, contact_at, overflowed = _place(notices, settings, contact.height, continue_overflow)
    overflowed = sorted([(i, reason) for i, reason in errors.items()] + overflowed)
    g = PageGeometry(settings, contact.height)
    placements = _placements(items, notices, pages, g, rate_card)
    fill = _fill(pages, settings, contact_at, contact.height)
    laid = _Laid(notices, pages, contact, contact_at, g)
    if renderer == "direct":
        # One job: the drawer needs no second worker (it draws 200 notices in a tenth of the
        # time WeasyPrint took), and one document has its fonts subset once.
        results = run_jobs([{"kind": "draw-column", "keep_lines": True,
                             "drawing": _drawing(laid, settings, issue_date, items)}], limits)
        pdf = results[0]["pdf"]
        drawn = _kept_lines(items, notices, results[0].get("drawn") or {})
    else:
        pdf, results = _render_pdf(laid, settings, issue_date, icc, limits)
    return ColumnResult(
        pdf=pdf, placements=tuple(placements),
        overflow=tuple(OverflowItem(items[i].key, items[i].label, reason)
                       for i, reason in overflowed),
        fill=fill, pages=len(pages), warnings=_warnings(results, placements),
        render_cpu_s=round(sum(r.get("cpu_s", 0.0) for r in results), 3), drawn=drawn)


def _check_items(items: list[ColumnItem], issue_date: dt.date) -> None:
    if not isinstance(issue_date, dt.date):
        raise TypeError("issue_date must be a datetime.date")
    if len(items) > MAX_COLUMN_ITEMS:
        raise InputTooLarge(f"一次最多排 {MAX_COLUMN_ITEMS} 则公告（现 {len(items)} 则），请分批排版。")
    keys = [item.key for item in items]
    if len(set(keys)) != len(keys):
        raise ValueError("公告编号（key）重复，无法对应排版结果。")


def _icc_profile(settings: LayoutSettings) -> Path | None:
    """The output-intent ICC profile the settings name (a PDF/X column), None for none."""
    if not settings.icc_profile_path:
        return None
    icc = Path(settings.icc_profile_path)
    if not icc.is_file():
        raise RenderError(f"找不到版面设置中的 ICC 色彩配置文件：{icc}")
    return icc


# From this many notices to set, an idle render worker sets half of them while this process
# sets the others (two cores; setting is two thirds of a cold column drawn directly). Measured
# on 200 new notices: 155 ms of setting alone.
SHARE_SETTING_FROM = 40
# Notices set here or by a worker for a column, so that rendering it again sets nothing (a
# worker's settings are not in linebreak's cache of this process). As many as that cache holds.
_SET: dict[tuple[str, str, LayoutSettings], SetNotice] = {}
_SET_MAX = 8192
_SET_LOCK = threading.Lock()      # columns are rendered from several web threads


def _set_notices(items: list[ColumnItem], settings: LayoutSettings,
                 limits: RenderLimits = COLUMN_LIMITS) -> tuple[list[SetNotice | None], dict[int, str]]:
    """Each item set at the column width (or its stored setting, where it still holds); None and
    the reason, by index, for an item that cannot be set."""
    notices: list[SetNotice | None] = [None] * len(items)
    errors: dict[int, str] = {}
    todo = []
    for index, item in enumerate(items):
        if item.setting is not None and item.setting.holds(item.title, item.body, settings):
            notices[index] = item.setting  # what prints is still exactly the item's text
        elif (known := _SET.get((item.title, item.body, settings))) is not None:
            notices[index] = known
        else:
            todo.append(index)
    shared: list[int] = todo[len(todo) // 2:] if len(todo) >= SHARE_SETTING_FROM else []
    answer: list[Job | None] = []
    failure: list[BaseException] = []

    def in_worker() -> None:
        job = {"kind": "set", "settings": settings,
               "notices": [(items[i].title, items[i].body) for i in shared]}
        try:
            answer.append(run_job_if_idle(job, limits))
        except BaseException as exc:  # re-raised below, in the caller's thread
            failure.append(exc)

    helper = threading.Thread(target=in_worker, daemon=True) if shared else None
    if helper is not None:
        helper.start()
        todo = todo[:len(todo) // 2]
    for index in todo:
        _set_here(items, index, settings, notices, errors)
    if helper is not None:
        helper.join()
        if failure:
            raise failure[0]
        if answer[0] is None:          # no worker was idle: set them here after all
            for index in shared:
                _set_here(items, index, settings, notices, errors)
        else:
            for index, result in zip(shared, answer[0]["set"], strict=True):
                if isinstance(result, SetNotice):
                    notices[index] = _remember(items[index], settings, result)
                else:
                    errors[index] = str(result)
    return notices, errors


def _set_here(items: list[ColumnItem], index: int, settings: LayoutSettings,
              notices: list[SetNotice | None], errors: dict[int, str]) -> None:
    item = items[index]
    try:
        notices[index] = _remember(item, settings, set_notice(item.title, item.body, settings))
    except RenderError as exc:
        errors[index] = str(exc)


def _remember(item: ColumnItem, settings: LayoutSettings, notice: SetNotice) -> SetNotice:
    with _SET_LOCK:
        if len(_SET) >= _SET_MAX:
            del _SET[next(iter(_SET))]     # the oldest
        _SET[(item.title, item.body, settings)] = notice
    return notice


def _placements(items: list[ColumnItem], notices: list[SetNotice | None], pages: list[list[_Seg]],
                g: PageGeometry, rate_card: RateCard | None) -> list[Placement]:
    """Where each placed notice went (in item order), with its price when there is a rate card."""
    by_index: dict[int, list[_Seg]] = {}
    for page_segments in pages:
        for seg in page_segments:
            by_index.setdefault(seg.index, []).append(seg)

    def to_mm(y: float) -> float:
        return round((g.header_height + y) / MM_TO_PT, 3)

    placements = []
    for index, segs in sorted(by_index.items()):
        item, notice = items[index], notices[index]
        assert notice is not None, "only notices that were set are placed"
        price = None
        if rate_card is not None:
            price = quote_price(notice.line_count, notice.char_count,
                                item.price_category or item.type_code, rate_card)
        placements.append(Placement(
            key=item.key, label=item.label, page=segs[0].page, column=segs[0].column,
            y_mm=to_mm(segs[0].y), lines=notice.line_count, height_mm=round(notice.height_mm, 3),
            price=price, missing=notice.missing,
            segments=tuple(Segment(s.page, s.column, to_mm(s.y), s.first, s.count)
                           for s in segs)))
    return placements


def _fill(pages: list[list[_Seg]], settings: LayoutSettings, contact_at: _ContactAt | None,
          contact_height: float) -> tuple[tuple[float, ...], ...]:
    """The lowest point used in each column, over the column's height, per page."""
    lead = settings.leading_pt
    used = {(p, c): 0.0 for p in range(1, len(pages) + 1) for c in range(1, settings.columns + 1)}
    for page_segments in pages:
        for seg in page_segments:
            key = (seg.page, seg.column)
            used[key] = max(used[key], seg.y + seg.count * lead)
    if contact_at:
        key = (contact_at[0], contact_at[1])
        used[key] = max(used[key], contact_at[2] + contact_height)
    return tuple(tuple(round(min(used[(p, c)] / settings.column_height_pt, 4), 4)
                       for c in range(1, settings.columns + 1))
                 for p in range(1, len(pages) + 1))


def _render_pdf(laid: _Laid, settings: LayoutSettings, issue_date: dt.date, icc: Path | None,
                limits: RenderLimits) -> tuple[bytes, list[Job]]:
    """The column's PDF, rendered on both workers at once when there is enough to share (see
    _plan_chunks), and the workers' answers."""
    assets = {"print.css": str(PRINT_CSS)}
    if icc:
        assets["output-intent.icc"] = str(icc)
    chunks = _plan_chunks(laid.pages, settings, workers=pool_size())
    jobs = []
    for chunk in chunks:
        html = _column_html(laid, chunk, settings, issue_date)
        jobs.append({"kind": "column", "html": html, "assets": assets, "boxes": laid.g.boxes(),
                     "pages": len(chunk.pages), "pdf_variant": settings.pdf_standard if icc else None})
    results = run_jobs(jobs, limits)
    parts: list[bytes] = [r["pdf"] for r in results]
    if len(parts) == 1:
        pdf = parts[0]
    elif chunks[1].columns is not None:
        pdf = _overlay_pdfs(parts[0], parts[1])
    else:
        pdf = _join_pdfs(parts)
    return pdf, results


def _warnings(results: list[Job], placements: list[Placement]) -> tuple[str, ...]:
    warnings = [w for r in results for w in r.get("warnings", ())]
    # Our templates reference nothing outside the bundle: a refused URL is a bug to see.
    warnings += [f"排版时拒绝了外部资源：{url}" for r in results for url in r.get("refused", ())]
    for placement in placements:
        if placement.missing:
            warnings.append(f"{placement.label}：字库缺字「{placement.missing}」，印出来是空框")
    return tuple(warnings)


CUT_PAD_PT = 2.0    # around a notice's lines: its glyphs, not its neighbours (notice_spacing_pt ≥ 4)


def placement_boxes(placement: Placement, settings: LayoutSettings) -> dict[str, Any]:
    """Where a placed notice is on the column PDF, to cut it out of the printed page: its part
    in each column it runs in ("notice") and the header band of its page ("header": the section
    title, newspaper name and date as printed), each [page index (0-based), x0, y0, x1, y1] in
    points from the page's lower-left corner (PDF user space), with `settings` the layout the
    column was rendered with. Stored when the column is exported, so a later change of the
    layout settings cannot move a cut."""
    g = PageGeometry(settings)
    lead = settings.leading_pt
    pad_x = min(CUT_PAD_PT, settings.gutter_mm * MM_TO_PT / 4)     # half-way to the column rule at most
    # Half-way to the next notice at most, and never over a rule between notices.
    pad_y = min(CUT_PAD_PT, settings.notice_rule_space_pt if settings.notice_rules
                else settings.notice_spacing_pt / 2)
    boxes = []
    for seg in placement.segments:
        top = g.slug + seg.y_mm * MM_TO_PT
        bottom = top + seg.lines * lead
        left = g.column_left(seg.column)
        boxes.append([seg.page - 1, round(left - pad_x, 3), round(g.media_height - bottom - pad_y, 3),
                      round(left + g.column_width + pad_x, 3), round(g.media_height - top + pad_y, 3)])
    # The band down to just below its thin rule: not the tops of the column rules and of a
    # contact box that start where the columns do.
    band_bottom = min(g.thin_rule_top + g.thin_rule + 1.0, g.columns_top)
    header = [placement.page - 1, round(g.slug, 3), round(g.media_height - band_bottom, 3),
              round(g.slug + g.area_width, 3), round(g.media_height - g.slug, 3)]
    return {"notice": boxes, "header": header}


@dataclass(frozen=True)
class _Chunk:
    """What one render job draws: some pages, all their columns or a range of them."""

    pages: tuple[int, ...]            # 0-based page indexes
    columns: range | None = None      # None: every column
    furniture: bool = True            # header band, rules, contact box, crop marks


# Below this many lines a second job costs more (its own fonts, PDF, merge) than it saves.
MIN_LINES_TO_SHARE = 150


def _plan_chunks(pages: list[list[_Seg]], settings: LayoutSettings, workers: int) -> list[_Chunk]:
    """Share the rendering between two workers (WeasyPrint is single-threaded; two cores).

    Whole pages when the pages divide evenly enough (the PDFs are then simply concatenated);
    otherwise - one page, or four pages of which the last is nearly empty - every page is cut
    between two columns, the left part with the header band, rules and contact box, the right
    part alone, and the right part is laid over the left as a form XObject (_overlay_pdfs).
    """
    everything = _Chunk(tuple(range(len(pages))))
    weights = [sum(seg.count for seg in page) for page in pages]
    total = sum(weights)
    if workers < 2 or total < MIN_LINES_TO_SHARE:
        return [everything]
    if len(pages) >= 2:
        k = min(range(1, len(pages)), key=lambda k: abs(total - 2 * sum(weights[:k])))
        if max(sum(weights[:k]), total - sum(weights[:k])) <= 0.55 * total:
            return [_Chunk(tuple(range(k))), _Chunk(tuple(range(k, len(pages))))]
    if settings.columns < 2:
        return [everything]
    by_column = [0] * (settings.columns + 1)
    for page in pages:
        for seg in page:
            by_column[seg.column] += seg.count
    # The left part also draws the furniture: count it as a few lines' work per page.
    furniture = 20 * len(pages)
    split = min(range(1, settings.columns),
                key=lambda c: abs(furniture + sum(by_column[:c + 1]) - sum(by_column[c + 1:])))
    if sum(by_column[split + 1:]) == 0:
        return [everything]
    return [_Chunk(everything.pages, range(1, split + 1), True),
            _Chunk(everything.pages, range(split + 1, settings.columns + 1), False)]


def _overlay_pdfs(base: bytes, top: bytes) -> bytes:
    """Draw each page of `top` over the same page of `base`, as a form XObject.

    A form XObject keeps the top page's content stream as it is (still compressed) with its own
    resources, so nothing is parsed or renamed; readers and RIPs draw it like any other content.
    Uses pypdf's _add_object (pypdf is pinned exactly in requirements.txt).
    """
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        EncodedStreamObject,
        FloatObject,
        NameObject,
    )

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(base)))
    overlay = PdfReader(io.BytesIO(top))
    for number, (page, source) in enumerate(zip(writer.pages, overlay.pages, strict=False)):
        contents: Any = source["/Contents"].get_object()   # a stream: its _data is read below
        form = EncodedStreamObject()
        form._data = contents._data  # the encoded bytes, as written by WeasyPrint
        if "/Filter" in contents:
            form[NameObject("/Filter")] = contents["/Filter"]
        form[NameObject("/Type")] = NameObject("/XObject")
        form[NameObject("/Subtype")] = NameObject("/Form")
        form[NameObject("/BBox")] = ArrayObject(FloatObject(v) for v in source.mediabox)
        form[NameObject("/Resources")] = source["/Resources"].clone(writer)
        name = NameObject(f"/Overlay{number}")
        resources: Any = page["/Resources"].get_object()
        if "/XObject" not in resources:
            resources[NameObject("/XObject")] = DictionaryObject()
        resources["/XObject"].get_object()[name] = writer._add_object(form)
        # WeasyPrint's page content leaves its y-flip in the graphics state: save the state
        # before it and restore it before drawing the overlay in page space.
        save, draw = DecodedStreamObject(), DecodedStreamObject()
        save.set_data(b"q\n")
        draw.set_data(f"\nQ q {name} Do Q\n".encode())
        existing = page.raw_get("/Contents")  # the reference: a stream must stay indirect
        streams = list(existing.get_object()) if isinstance(existing.get_object(),
                                                            ArrayObject) else [existing]
        page[NameObject("/Contents")] = ArrayObject(
            [writer._add_object(save), *streams, writer._add_object(draw)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _join_pdfs(parts: list[bytes]) -> bytes:
    """Concatenate the pages of parts; the first part's catalog (PDF/X output intent, XMP)
    and document information are kept."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(parts[0])))
    for part in parts[1:]:
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stacked(notices: list[SetNotice | None], segs: list[_Seg], gap: float,
             lead: float) -> list[dict[str, Any]]:
    """One column's segments top to bottom, as column.html draws them: their lines, and a top
    margin for a segment that is not where the normal flow would put it."""
    stacked = []
    end = None  # where the previous notice of this column ends, None at the top
    for seg in sorted(segs, key=lambda seg: seg.y):
        notice = notices[seg.index]
        assert notice is not None, "only notices that were set are placed"
        lines: tuple[SetLine, ...] = notice.lines[seg.first:seg.first + seg.count]
        # In normal flow a notice starts at the top, or a notice spacing below the one
        # before it (column.html); a placement elsewhere gets a margin of its own.
        flow_y = 0.0 if end is None else end + gap
        style = None
        if abs(seg.y - flow_y) > _EPS:
            style = f"margin-top:{seg.y - (0.0 if end is None else end):.4f}pt"
        stacked.append({"lines": lines, "style": style})
        end = seg.y + seg.count * lead
    return stacked


def _page_model(laid: _Laid, chunk: _Chunk, columns: range, page_index: int, settings: LayoutSettings,
                date_text: str) -> dict[str, Any]:
    """One page as column.html draws it: the header band, the column rules, the columns of this
    chunk with their notices, and the contact box if it is on this page."""
    g, contact, contact_at = laid.g, laid.contact, laid.contact_at
    number = page_index + 1
    by_column: dict[int, list[_Seg]] = {c: [] for c in columns}
    for seg in laid.pages[page_index]:
        if seg.column in by_column:
            by_column[seg.column].append(seg)
    gap, lead = settings.notice_gap_pt, settings.leading_pt
    rule_x = [g.column_left(c) + g.column_width + settings.gutter_mm * MM_TO_PT / 2
              for c in range(1, settings.columns)]
    rule_height = g.area_height - g.header_height
    model: dict[str, Any] = {
        "furniture": chunk.furniture,
        "header": settings.header_text + ("（续）" if number > 1 else ""),
        "meta": f"{settings.newspaper_name}　{date_text}"
                + (f"　第{number}页" if len(laid.pages) > 1 else ""),
        "rules": [{"x": x, "top": g.columns_top, "height": rule_height} for x in rule_x]
                 if settings.column_rules and settings.columns > 1 else [],
        "columns": [_stacked(laid.notices, by_column[column], gap, lead) for column in columns],
        "notice_rules": [{"x": x, "y": y, "w": w}
                         for x, y, w in _notice_rules(laid, page_index, columns, settings)],
        "contact": None}
    if contact_at and contact_at[0] == number and chunk.furniture:
        model["contact"] = {"x": g.column_left(contact_at[1]),
                            "y": g.columns_top + contact_at[2],
                            "height": contact.height, "lines": contact.lines}
    return model


def _notice_rules(laid: _Laid, page_index: int, columns: range,
                  settings: LayoutSettings) -> list[tuple[float, float, float]]:
    """The rules between notices (LayoutSettings.notice_rule_weight_pt) on a page, in `columns`:
    (x, y of the rule's top, width) in pt from the media box's top-left corner. One between
    each two notices of a column, in the middle of the space between them (with the notices in
    normal flow: notice_rule_space_pt below the one above); none above a column's first notice
    (a notice continued from the column before included), none above the contact box."""
    if not settings.notice_rules:
        return []
    g, lead = laid.g, settings.leading_pt
    rules = []
    for column in columns:
        segments = sorted((seg for seg in laid.pages[page_index] if seg.column == column),
                          key=lambda seg: seg.y)
        for above, below in pairwise(segments):
            end = above.y + above.count * lead
            y = end + (below.y - end - settings.notice_rule_weight_pt) / 2
            rules.append((g.column_left(column), g.columns_top + y, g.column_width))
    return rules


def _kept_lines(items: list[ColumnItem], notices: list[SetNotice | None],
                kept: dict[int, KeptLines]) -> dict[str, KeptLines]:
    """The drawer's newly drawn lines (the worker's "drawn"), by item key, for the notices it
    drew whole."""
    return {items[index].key: lines for index, lines in kept.items()
            if (notice := notices[index]) is not None and lines.count == notice.line_count}


def _drawing(laid: _Laid, settings: LayoutSettings, issue_date: dt.date,
             items: list[ColumnItem] | None = None) -> ColumnDrawing:
    """The column as the direct drawer (draw.py) takes it: what _page_model gives the
    template, with each notice's lines where they were placed (and as drawn before, where an
    item brings them)."""
    date_text = f"{_date_cn(issue_date)}　星期{_WEEKDAYS[issue_date.weekday()]}"
    pages = []
    for page_index, page_segments in enumerate(laid.pages):
        number = page_index + 1
        segments = []
        for seg in sorted(page_segments, key=lambda seg: (seg.column, seg.y)):
            notice = laid.notices[seg.index]
            assert notice is not None, "only notices that were set are placed"
            kept = items[seg.index].drawn if items is not None else None
            segments.append(DrawnSegment(
                seg.column, seg.y, notice.lines[seg.first:seg.first + seg.count], notice=seg.index,
                first=seg.first, drawn=kept if kept is not None and kept.count == notice.line_count else None))
        contact = None
        if laid.contact_at and laid.contact_at[0] == number:
            contact = (laid.g.column_left(laid.contact_at[1]),
                       laid.g.columns_top + laid.contact_at[2])
        pages.append(DrawnPage(
            header=settings.header_text + ("（续）" if number > 1 else ""),
            meta=f"{settings.newspaper_name}　{date_text}"
                 + (f"　第{number}页" if len(laid.pages) > 1 else ""),
            segments=tuple(segments), contact=contact,
            notice_rules=tuple(_notice_rules(laid, page_index, range(1, settings.columns + 1),
                                             settings))))
    return ColumnDrawing(
        settings=settings, pages=tuple(pages),
        contact_lines=tuple(ContactLine(line["text"], line["font"], line["weight"], line["size"],
                                        line["line_height"]) for line in laid.contact.lines),
        contact_height_pt=laid.contact.height,
        title=f"{settings.newspaper_name} {settings.header_text} {_date_cn(issue_date)}",
        description=f"{settings.newspaper_name}{_date_cn(issue_date)}分类广告版，"
                    f"共{len({seg.index for page in laid.pages for seg in page})}则")


def _column_html(laid: _Laid, chunk: _Chunk, settings: LayoutSettings, issue_date: dt.date) -> str:
    g, pages = laid.g, laid.pages
    date_text = f"{_date_cn(issue_date)}　星期{_WEEKDAYS[issue_date.weekday()]}"
    columns = chunk.columns or range(1, settings.columns + 1)
    page_models = [_page_model(laid, chunk, columns, page_index, settings, date_text)
                   for page_index in chunk.pages]
    return render_template(
        "column.html", settings=settings, g=g, pages=page_models,
        cols_left=g.column_left(columns[0]), gutter=settings.gutter_mm * MM_TO_PT,
        # Room for every float with its right margin (the gutter), and a point to spare, so
        # that none wraps below the others.
        cols_width=len(columns) * (g.column_width + settings.gutter_mm * MM_TO_PT) + 1.0,
        marks=g.crop_marks() if chunk.furniture else [],
        all_lines=[line for page in page_models for column in page["columns"]
                   for seg in column for line in seg["lines"]],
        icc=bool(settings.icc_profile_path),
        doc_title=f"{settings.newspaper_name} {settings.header_text} {_date_cn(issue_date)}",
        doc_description=f"{settings.newspaper_name}{_date_cn(issue_date)}分类广告版，"
                        f"共{len({seg.index for page in pages for seg in page})}则")
