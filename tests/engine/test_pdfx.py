"""PDF/X-1a:2001 beside PDF/X-4 (typesetting/pdfx.py): the column with an output profile, by both
renderers, read back by a preflight of our own (tests/support/preflight.py): PDF 1.3, the
GTS_PDFX version keys and output intent, no transparency, the page boxes inside each other,
every font embedded as a bare CFF program, text K only. The same glyphs at the same places as
the PDF/X-4 column."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from pathlib import Path

import pypdf
import pytest

from tests.engine.test_column import check_column
from tests.engine.test_draw import assert_same_print, both
from tests.support.column import seed_items
from tests.support.pdfread import read_glyphs
from tests.support.preflight import pdfx_version, x1a_problems
from typesetting import LayoutSettings, RateCard

ISSUE = dt.date(2021, 1, 8)
PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")

pytestmark = pytest.mark.skipif(not PROFILE.exists(), reason=(
    "no CMYK ICC profile on this machine (Debian: apt-get install libgs10-common gives "
    "/usr/share/color/icc/ghostscript/default_cmyk.icc)"))


def _settings(standard: str, **more) -> LayoutSettings:
    return LayoutSettings(icc_profile_path=str(PROFILE), pdf_standard=standard, **more)


@pytest.fixture(scope="module")
def x1a_columns():
    """The seed column as PDF/X-1a with bleed, crop marks and rules between notices, by
    WeasyPrint and by the drawer."""
    settings = _settings("pdf/x-1a", bleed_mm=3, crop_marks=True, notice_rule_weight_pt=0.25,
                         notice_rule_space_pt=2.875)
    items = seed_items()
    reference, drawn = both(items, settings, False, rate_card=RateCard())
    return settings, items, reference, drawn


def test_the_x1a_column_passes_the_preflight(x1a_columns):
    settings, items, reference, drawn = x1a_columns
    for result in (reference, drawn):
        assert x1a_problems(result.pdf) == []
        assert pdfx_version(result.pdf) == "PDF/X-1:2001"
        assert result.pdf.startswith(b"%PDF-1.3\n")
        check_column(result, items, settings)


def test_both_renderers_draw_the_same_x1a_column(x1a_columns):
    _, _, reference, drawn = x1a_columns
    assert_same_print(reference.pdf, drawn.pdf)


def test_the_preflight_fails_a_pdf_x4():
    """The preflight can fail: PDF/X-4 is PDF 1.6, with XMP and OpenType font programs."""
    settings = _settings("pdf/x-4")
    for renderer in ("direct", "weasyprint"):
        from typesetting import render_column
        pdf = render_column(seed_items()[:3], settings, ISSUE, renderer=renderer).pdf
        problems = x1a_problems(pdf)
        assert pdfx_version(pdf) == "PDF/X-4"
        assert any("PDF 1.3" in p for p in problems)
        assert any("/OpenType" in p for p in problems)
        assert any("GTS_PDFXVersion" in p for p in problems)


def test_x1a_prints_what_x4_prints(x1a_columns, tmp_path):
    """The same glyphs at the same places, and the same pixels in poppler: only the file's
    standard differs (a bare CFF program holds the same outlines)."""
    settings, items, _, drawn = x1a_columns
    from dataclasses import replace

    from typesetting import render_column
    x4 = render_column(items, replace(settings, pdf_standard="pdf/x-4"), ISSUE).pdf
    ours, theirs = read_glyphs(drawn.pdf), read_glyphs(x4)
    assert [(g.text, round(g.x, 3), round(g.y, 3)) for g in ours] == \
        [(g.text, round(g.x, 3), round(g.y, 3)) for g in theirs]
    from PIL import Image, ImageChops
    images = []
    for name, pdf in (("x1a", drawn.pdf), ("x4", x4)):
        (tmp_path / f"{name}.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(tmp_path / f"{name}.pdf"),
                        str(tmp_path / name)], check=True)
        images.append(Image.open(tmp_path / f"{name}.png").convert("L"))
    a, b = images
    assert ImageChops.difference(a, b).getbbox() is None


def test_x1a_needs_no_transparency_and_reads_as_pdf_13(x1a_columns):
    _, _, reference, drawn = x1a_columns
    for result in (reference, drawn):
        reader = pypdf.PdfReader(io.BytesIO(result.pdf))
        assert reader.pdf_header == "%PDF-1.3"
        root = reader.trailer["/Root"]
        assert "/Metadata" not in root and "/Lang" not in root
        intent = root["/OutputIntents"][0].get_object()
        assert intent["/S"] == "/GTS_PDFX" and int(intent["/DestOutputProfile"].get_object()["/N"]) == 4


def test_the_standard_is_a_setting():
    assert LayoutSettings().pdf_standard == "pdf/x-4"
    with pytest.raises(ValueError, match="pdf_standard"):
        LayoutSettings(pdf_standard="pdf/x-3")
    assert LayoutSettings.from_dict(_settings("pdf/x-1a").to_dict()).pdf_standard == "pdf/x-1a"
