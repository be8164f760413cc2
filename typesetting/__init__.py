"""公告台's typesetting engine: one engine for the advertiser's preview, the price and the column.

Public API (everything else in the package is internal):

Settings
    LayoutSettings(...)                      publisher's layout; .to_dict() / .from_dict(d)
    RateCard(default, categories)            刊例; PriceRule("flat"|"per_line"|"block", ...);
                                             .to_dict() / .from_dict(d)

One notice
    set_notice(title, body, settings) -> SetNotice
        Break the notice into justified lines at the column width (cached per input).
        SetNotice: .lines (SetLine: .title, .body, .letter_spacing_pt, .is_last),
        .line_count, .height_pt / .height_mm, .char_count, .text, .missing;
        .to_dict(settings) / SetNotice.from_dict(data, title, body, settings) to store a setting
        and reuse it in another process (None when settings, fonts or engine code changed);
        setting_key(title, body, settings) is the key to store it under.
    find_missing_characters(title, body, settings) -> str
        Characters the print fonts lack (生僻字); the form should ask for another wording.
    normalize_text(text) -> str
        The text as it will print (spaces, half/full width); what the preview shows.
    render_notice_png(title, body, settings, dpi=200, renderer=None) -> bytes
    render_notice_pdf(title, body, settings, renderer=None) -> bytes
    quote_price(line_count, char_count, category, rate_card) -> Quote
        Quote(amount_cents, lines, explanation) e.g. "共5行，每行¥50，合计¥250".

The column
    render_column(items, settings, issue_date, continue_overflow=False, *, rate_card=None,
                  limits=COLUMN_LIMITS, renderer=None)
        -> ColumnResult(pdf, placements, overflow, fill, pages, warnings, render_cpu_s)
        items: [ColumnItem(key, label, title, body, type_code, price_category=None,
        setting=None)] in print order (setting: the notice already set, e.g. from_dict);
        order_items(items, settings) groups them by settings.type_order.
        Placement(key, label, page, column (1-based), y_mm (from the area's top edge), lines,
        height_mm, price: Quote | None, segments, missing); OverflowItem(key, label, reason);
        fill[page][column] = fraction of the column's height used.
        A notice never splits across columns unless it is taller than a column: then it
        continues at the top of the next columns of the same page (≥ 2 lines per part).
    placement_boxes(placement, settings) -> {"notice": [[page index, x0, y0, x1, y1], …],
        "header": [...]}: where a placed notice (and its page's header band) is on the PDF, in
        points from the lower-left corner, to cut it out of the printed page.

Other documents
    render_document_pdf(html) -> bytes
        An HTML document of the app's own (the proof of publication) as a PDF, every URL refused.
    render_pdf_pngs(pdf, dpi, grayscale=False) -> [bytes]
        Every page of a PDF as a PNG (the desk's page images), by the preview's rasteriser.

Rendering runs in worker processes with a time and memory limit (RenderLimits(timeout_s,
memory_mb); render functions take limits=); every failure raises RenderError (InputTooLarge,
RenderTimeout) whose str() is a Chinese message for the user. warm_up() starts the workers ahead
of the first preview; shutdown_renderer() stops idle ones. The CLI core is typesetting.cli
(typeset_file, typeset_command - the only module that imports Flask).

How lines are set (see linebreak.py): glyph advances come from HarfBuzz on the very font files
fontconfig gives WeasyPrint; a dynamic programme breaks the text obeying 禁则 and keeping codes,
numbers and dates whole where it can; every line but the last gets the letter-spacing that
lands its last glyph on the column edge (codes and numbers set solid where the Chinese characters
can take the space). The line count is therefore known before rendering, and the price is
a function of it. The lines are then drawn as set: straight into PDF by draw.py (the default),
or through HTML by WeasyPrint, the reference (render.RENDERERS; render functions take
renderer=).
"""

from .column import (
    ColumnItem,
    ColumnResult,
    OverflowItem,
    Placement,
    Segment,
    order_items,
    placement_boxes,
    render_column,
)
from .document import render_document_pdf, render_pdf_pngs
from .draw import DrawnLine, KeptLines, drawn_from_json, drawn_to_data
from .errors import InputTooLarge, RenderError, RenderTimeout
from .linebreak import SetLine, SetNotice, find_missing_characters, set_notice, setting_key
from .preview import render_notice_pdf, render_notice_png
from .pricing import PriceRule, Quote, RateCard, quote_price
from .render import RenderLimits, shutdown_renderer
from .settings import LayoutSettings
from .text import normalize_text

__all__ = [
    "ColumnItem", "ColumnResult", "DrawnLine", "InputTooLarge", "KeptLines", "LayoutSettings", "OverflowItem",
    "Placement", "PriceRule", "Quote", "RateCard", "RenderError", "RenderLimits",
    "RenderTimeout", "Segment", "SetLine", "SetNotice", "drawn_from_json", "drawn_to_data",
    "find_missing_characters",
    "normalize_text", "order_items", "placement_boxes", "quote_price", "render_column", "render_document_pdf",
    "render_notice_pdf", "render_notice_png", "render_pdf_pngs", "set_notice", "setting_key", "shutdown_renderer",
    "warm_up",
]


def warm_up() -> None:
    """Start the render workers and render a sample preview on each, so that the first
    previews are fast (a worker start ~1.4 s, its shared font subsets 0.1-0.4 s)."""
    from .preview import _notice_job
    from .render import PREVIEW_LIMITS, pool_size, run_jobs

    job = dict(_notice_job("遗失声明", "预热排版引擎，统一社会信用代码：91440101MA5CXXXX0X。",
                           LayoutSettings(), None), png_dpi=72, shared_subsets=True)
    run_jobs([job] * pool_size(), PREVIEW_LIMITS)
