"""The proof of publication's PDF: its statement pages, and the notice cut out of the printed page.

The statement pages are HTML the caller made (views/proof.py renders templates/proof/proof.html,
autoescaped: every notice character is text, never markup), written to PDF by the engine's render
workers (typesetting.render_document_pdf): with a time and a memory limit, outside the web
process, and with the deny-by-default URL fetcher, so nothing in a notice can make the renderer
fetch a file or an address (docs/typesetting.md, Safety). The last page then gets the notice CUT
FROM THE STORED PRINTED PAGE (press/pagecut.py, with the rectangles stored at export time), never
set again: a later change of the newspaper's name, page labels, layout or fonts cannot change a
proof.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import typesetting

# A proof is two A4 pages: about a second of rendering; the rest of the limit is for waiting for a
# worker busy with a column export (the limit counts the wait too, typesetting/render.py).
PROOF_LIMITS = typesetting.RenderLimits(timeout_s=60.0)


# The cut page (templates/proof/proof.html, its .cut section): A4 in PDF points, the area
# between the page's heading and its bottom margin; the seal box sits in its lower right corner.
MM = 72 / 25.4
A4_WIDTH_PT, A4_HEIGHT_PT = 595.28, 841.89
MARGIN_PT = 20 * MM
CUT_TOP_PT = 52 * MM                      # from the top edge: below the heading and caption
CUT_BOTTOM_PT = 22 * MM                   # from the bottom edge
SEAL_PT = 48 * MM                         # the seal box and its caption, a square in the corner
GAP_PT = 6 * MM
CUT_SCALE_MAX = 2.0                       # twice the printed size: 8 pt type is small on screen


@dataclass(frozen=True)
class CutLayout:
    """Where each cut goes on the proof's last page: (box, scale, x, y) with x, y the lower-left
    corner of the placed cut in points from the page's lower-left corner."""
    header: tuple | None
    parts: tuple
    scale: float


def cut_layout(boxes: dict) -> CutLayout | None:
    """The header band across the top, then the notice's parts side by side (as they ran in the
    columns), as large as fits (at most CUT_SCALE_MAX), beside or above the seal box."""
    parts = boxes.get("notice") or []
    if not parts:
        return None
    width = A4_WIDTH_PT - 2 * MARGIN_PT
    top = A4_HEIGHT_PT - CUT_TOP_PT
    header = None
    if boxes.get("header"):
        hb = boxes["header"]
        h_scale = min(1.0, width / (hb[3] - hb[1]))
        h_height = (hb[4] - hb[2]) * h_scale
        header = (hb, h_scale, MARGIN_PT, top - h_height)
        top -= h_height + GAP_PT
    widths = [b[3] - b[1] for b in parts]
    heights = [b[4] - b[2] for b in parts]
    total_w = sum(widths) + GAP_PT * (len(parts) - 1)
    tall = max(heights)
    full_h = top - CUT_BOTTOM_PT
    # Beside the seal box (the whole height) if narrow enough, else above it (the whole width).
    beside = min(CUT_SCALE_MAX, (width - SEAL_PT - GAP_PT) / total_w, full_h / tall)
    above = min(CUT_SCALE_MAX, width / total_w, (full_h - SEAL_PT - GAP_PT) / tall)
    scale = max(beside, above)
    x = MARGIN_PT
    placed = []
    for box, w, h in zip(parts, widths, heights, strict=True):
        placed.append((box, scale, x, top - h * scale))
        x += w * scale + GAP_PT
    return CutLayout(header, tuple(placed), round(scale, 4))


def render_proof_pdf(html: str, column_pdf: bytes | None = None, layout: CutLayout | None = None) -> bytes:
    """The proof: the pages written from `html`, and on the last one the cuts of the stored
    column PDF (vector drawings, text kept), where `layout` puts them. Raises
    typesetting.RenderError (a Chinese message) when the render fails or passes its limits."""
    from pypdf import PdfReader, PdfWriter

    from press.pagecut import PageCutter
    pdf = typesetting.render_document_pdf(html, limits=PROOF_LIMITS)
    if not column_pdf or layout is None:
        return pdf
    # The renderer's PDF version kept (pypdf would write 1.3): a tagged PDF's /MarkInfo, /Lang
    # and DisplayDocTitle are PDF 1.4.
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)), keep_initial_header=True)
    last = writer.pages[-1]
    cutter = PageCutter(column_pdf, writer)
    cuts = ((layout.header,) if layout.header else ()) + layout.parts
    mcids = _figure_for_cuts(writer, last, len(cuts))
    for (box, scale, x, y), mcid in zip(cuts, mcids, strict=True):
        cutter.place(last, cutter.cut(*box), scale=scale, x=x, y=y, mcid=mcid)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


CUT_ALT = "从当日付印的版面上原样剪下的本公告（上为该页页眉）；其文字见第一页“见报原文”。"


def _figure_for_cuts(writer, page, count: int) -> list[int | None]:
    """The cuts as one /Figure of the proof's structure tree (the statement pages are tagged by
    the renderer, typesetting/_worker.py), with a text alternative, so that a screen reader
    meets them after the last page's heading instead of untagged content. Returns the marked
    content id of each cut on `page`; none if the document is not tagged. Numbers follow the
    page's existing marks, so the same proof gives the same bytes."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    root = writer.root_object.get("/StructTreeRoot")
    if root is None or "/StructParents" not in page:
        return [None] * count
    root = root.get_object()
    document = root["/K"][0].get_object() if isinstance(root["/K"], ArrayObject) else root["/K"].get_object()
    nums = root["/ParentTree"].get_object()["/Nums"]
    key = int(page["/StructParents"])
    marks = next(nums[i + 1].get_object() for i in range(0, len(nums), 2) if int(nums[i]) == key)
    first = len(marks)
    mcids = list(range(first, first + count))
    figure = DictionaryObject({
        NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Figure"),
        NameObject("/P"): document.indirect_reference, NameObject("/Pg"): page.indirect_reference,
        NameObject("/Alt"): TextStringObject(CUT_ALT),
        NameObject("/K"): ArrayObject(NumberObject(m) for m in mcids),
    })
    figure_ref = writer._add_object(figure)
    document["/K"].append(figure_ref)
    for _ in mcids:
        marks.append(figure_ref)
    return list(mcids)
