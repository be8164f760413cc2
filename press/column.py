"""An issue's column: exported and recorded, and its pages as images for the desk's issue page.

The column itself is set by press/printing.py `render_issue_column`; here is what the desk and
`flask export-column` do with it. The database is passed in (`db`, a store.db.Database), so the
same functions serve a request and a command.
"""
from __future__ import annotations

import base64
from datetime import date

import typesetting
from press import printing
from store import issues
from store.settings import Publisher

PAGE_PNG_DPI = 108         # a 250 mm page is ~1060 px wide, sharp when shown at ~800 px
# A page takes ~0.1 s; the rest is for waiting for a worker busy with another column.
PAGE_IMAGE_LIMITS = typesetting.RenderLimits(timeout_s=60.0)


def export_column(publisher: Publisher, issue_date: date, *, db, actor: str, continue_overflow: bool = False):
    """Render and record one export (used by the issue page and by `flask export-column`)."""
    def render(notices):
        column = printing.render_issue_column(publisher, notices, issue_date, continue_overflow=continue_overflow,
                                              db=db)
        return issues.PrintedColumn(column, publisher.newspaper, printed_notices(publisher, notices, column))
    return issues.export_issue(db, issue_date, actor=actor, render=render)


def printed_notices(publisher: Publisher, notices, column) -> dict:
    """Per placed notice what the column printed (title, text as printed: the same items the
    column was set from) and where (typesetting.placement_boxes, at the layout it was set with):
    a publication keeps these, and the proof cuts the notice out of the stored page with them."""
    settings = printing.layout_settings(publisher)
    placements = issues.placements_by_key(column)
    return {item.key: {"title": item.title, "text": item.body,
                       "boxes": typesetting.placement_boxes(placements[item.key], settings)}
            for item in printing.column_items(publisher, notices) if item.key in placements}


def page_pngs(pdf: bytes) -> list[str]:
    """Each page of the column PDF as a PNG data: URI, for the issue page. Rasterised by the
    render workers (typesetting.render_pdf_pngs), under their limits: a RenderError otherwise."""
    return ["data:image/png;base64," + base64.b64encode(png).decode("ascii")
            for png in typesetting.render_pdf_pngs(pdf, PAGE_PNG_DPI, limits=PAGE_IMAGE_LIMITS)]
