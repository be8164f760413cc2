"""The engine's other documents (typesetting/document.py): an HTML document of the app's own to
PDF, and a PDF's pages to PNG, both as jobs of the render workers."""

from __future__ import annotations

import datetime as dt
import io
import time

import pypdfium2
import pytest
from PIL import Image

from tests.conftest import REFUSED_LOG, refused_since
from tests.support.column import seed_items
from typesetting import InputTooLarge, LayoutSettings, render_column, render_document_pdf, render_pdf_pngs
from typesetting.document import MAX_DOCUMENT_CHARS


def _text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


@pytest.mark.refused_fetches_expected
def test_a_document_is_written_with_every_url_refused(tmp_path):
    """A proof is the app's own template with the notice's text escaped in it; should markup ever
    reach it, the worker's fetcher refuses every URL, files and data: included."""
    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY-DOCUMENT-7f3a")
    urls = [secret.as_uri(), "http://127.0.0.1:9/style.css", "data:text/plain,CANARY-DATA-URL"]
    offset = REFUSED_LOG.stat().st_size
    html = (f'<html><head><link rel="stylesheet" href="{urls[1]}"></head><body><p>见报证明</p>'
            f'<img src="{urls[0]}"><object data="{urls[2]}"></object></body></html>')
    pdf = render_document_pdf(html)
    assert pdf.startswith(b"%PDF") and "见报证明" in _text(pdf)
    assert b"CANARY" not in pdf
    assert sorted(refused_since(offset)) == sorted(urls)


def test_a_document_over_its_bound_is_refused_before_any_work():
    started = time.monotonic()
    with pytest.raises(InputTooLarge, match="文档过长"):
        render_document_pdf("<p>" + "字" * MAX_DOCUMENT_CHARS + "</p>")
    assert time.monotonic() - started < 0.5


def test_page_images_are_the_pixels_the_desk_showed_before():
    """The desk's page images come from the workers' rasteriser (the preview's) at 108 dpi, in
    colour: the same pixels as the pypdfium2 render at scale 1.5 the desk ran itself before."""
    pdf = render_column(seed_items(), LayoutSettings(), dt.date(2021, 1, 8), continue_overflow=True).pdf
    pngs = render_pdf_pngs(pdf, 108)
    document = pypdfium2.PdfDocument(pdf)
    try:
        before = [page.render(scale=1.5).to_pil() for page in document]
    finally:
        document.close()
    assert len(pngs) == len(before) >= 1
    for png, image in zip(pngs, before, strict=True):
        shown = Image.open(io.BytesIO(png))
        assert shown.size == image.size and shown.mode == image.mode
        assert shown.tobytes() == image.tobytes()
