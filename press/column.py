"""An issue's column: exported and recorded, and its pages as images for the desk's issue page.

The column itself is set by press/printing.py `render_issue_column`; here is what the desk and
`flask export-column` do with it. The database is passed in (`db`, a store.db.Database), so the
same functions serve a request and a command.
"""
from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field as dc_field
from datetime import date
from types import SimpleNamespace

from sqlalchemy.orm import Session

import typesetting
from press import printing
from store import issues
from store.models import Export, Notice, Publication
from store.settings import Publisher

PAGE_PNG_DPI = 108         # a 250 mm page is ~1060 px wide, sharp when shown at ~800 px
# A page takes ~0.1 s; the rest is for waiting for a worker busy with another column.
PAGE_IMAGE_LIMITS = typesetting.RenderLimits(timeout_s=60.0)


def export_column(publisher: Publisher, issue_date: date, *, db, actor: str, continue_overflow: bool = False):
    """Render and record one export (used by the issue page and by `flask export-column`)."""
    def render(notices):
        # The items once: each is the notice's text as it prints (ID numbers masked), some 0.2 ms
        # a notice to make.
        items = printing.column_items(publisher, notices)
        column = printing.render_issue_column(publisher, notices, issue_date, continue_overflow=continue_overflow,
                                              db=db, items=items)
        return issues.PrintedColumn(column, publisher.newspaper, printed_notices(publisher, notices, column, items))
    return issues.export_issue(db, issue_date, actor=actor, render=render)


def printed_notices(publisher: Publisher, notices, column, items=None) -> dict:
    """Per placed notice what the column printed (title, text as printed: the same items the
    column was set from) and where (typesetting.placement_boxes, at the layout it was set with):
    a publication keeps these, and the proof cuts the notice out of the stored page with them."""
    settings = printing.layout_settings(publisher)
    placements = issues.placements_by_key(column)
    return {item.key: {"title": item.title, "text": item.body,
                       "boxes": typesetting.placement_boxes(placements[item.key], settings)}
            for item in (printing.column_items(publisher, notices) if items is None else items)
            if item.key in placements}


def page_pngs(pdf: bytes) -> list[str]:
    """Each page of the column PDF as a PNG data: URI, for the issue page. Rasterised by the
    render workers (typesetting.render_pdf_pngs), under their limits: a RenderError otherwise."""
    return ["data:image/png;base64," + base64.b64encode(png).decode("ascii")
            for png in typesetting.render_pdf_pngs(pdf, PAGE_PNG_DPI, limits=PAGE_IMAGE_LIMITS)]


@dataclass
class ColumnView:
    result: object
    pngs: list[str] = dc_field(default_factory=list)
    placements: dict = dc_field(default_factory=dict)
    overflow: list[str] = dc_field(default_factory=list)
    error: str = ""


_COLUMN_CACHE: "OrderedDict[str, ColumnView]" = OrderedDict()
_COLUMN_LOCK = threading.Lock()
COLUMN_CACHE_SIZE = 8


def _column_key(publisher: Publisher, issue: date, notices: list[Notice], continued: bool = False) -> str:
    parts = [issue.isoformat(), json.dumps(publisher.as_dict(), sort_keys=True, ensure_ascii=False),
             "continued" if continued else "one page"]
    parts += [f"{n.reference}:{n.current_revision}:{n.revision.text_hash}:{n.type_code}" for n in notices]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def column_view(publisher: Publisher, issue: date, notices: list[Notice], *, db, with_pngs: bool = True,
                continued: bool = False) -> ColumnView:
    """The column as it will print, for the desk's issue page (cached by content in this process:
    a page view re-renders only after a change); `continued`: what does not fit continues on
    further pages, as the export's option does."""
    if not notices:
        return ColumnView(None)
    key = _column_key(publisher, issue, notices, continued)
    with _COLUMN_LOCK:
        cached = _COLUMN_CACHE.get(key)
        if cached is not None and (cached.pngs or not with_pngs or cached.error):
            _COLUMN_CACHE.move_to_end(key)
            return cached
    try:
        result = printing.render_issue_column(publisher, notices, issue, continue_overflow=continued, db=db)
    except (printing.RenderError, printing.AlteredText) as exc:
        return ColumnView(None, error=str(exc))
    view = ColumnView(result, placements=issues.placements_by_key(result),
                      overflow=[issues.item_key(o) for o in (result.overflow or [])])
    if with_pngs:
        try:
            view.pngs = page_pngs(result.pdf)
        except printing.RenderError as exc:
            # The column is set; only its pictures failed (a busy or stopped worker): say so, and
            # keep the view out of the cache so that reloading the page tries again.
            view.error = f"版面预览图未能生成（{exc}），请稍后刷新页面。"
            return view
    with _COLUMN_LOCK:
        _COLUMN_CACHE[key] = view
        while len(_COLUMN_CACHE) > COLUMN_CACHE_SIZE:
            _COLUMN_CACHE.popitem(last=False)
    return view


def printed_view(s: Session, publication: Publication) -> SimpleNamespace:
    """The column as printed, for a published issue's page: the publication's stored PDF (its
    page images, cached by its hash) and the places its snapshots state, never a rendering
    with today's settings (issue 11: a renamed paper or relabelled pages showed a new column)."""
    export = s.get(Export, publication.export_id) if publication.export_id else None
    lines = json.loads(export.placements_json or "{}") if export is not None else {}
    rows = [SimpleNamespace(reference=pn.reference, page=pn.page, page_label=pn.page_label,
                            column=pn.column_number, lines=(lines.get(pn.reference) or {}).get("lines"))
            for pn in publication.notices]
    rows.sort(key=lambda r: (r.page or 0, r.column or 0))
    view = SimpleNamespace(publication=publication, export=export, rows=rows, pngs=[], error="")
    if not publication.pdf_hash:
        return view
    key = "printed:" + publication.pdf_hash
    with _COLUMN_LOCK:
        cached = _COLUMN_CACHE.get(key)
    if cached is not None:
        view.pngs = cached.pngs
        return view
    pdf = issues.publication_pdf(s, publication.id)
    if pdf is None:
        return view     # published before migration 0004: the PDF was never kept
    try:
        view.pngs = page_pngs(pdf)
    except printing.RenderError as exc:
        view.error = f"版面预览图未能生成（{exc}），请稍后刷新页面。"
        return view
    with _COLUMN_LOCK:
        _COLUMN_CACHE[key] = ColumnView(None, pngs=view.pngs)
        while len(_COLUMN_CACHE) > COLUMN_CACHE_SIZE:
            _COLUMN_CACHE.popitem(last=False)
    return view
