"""The direct drawer (typesetting/draw.py) against WeasyPrint, the reference: the same columns
and previews rendered both ways must read back the same - the same text, every glyph at the
same place (within 0.01 pt), the same pixels at 150 dpi (PDFium, 0 differing pixels) - and the
drawer's PDF must still be a print PDF: fonts embedded as exact subsets, pure K, exact boxes,
PDF/X-4 with an output profile. What the drawer does differently on purpose is tested as such:
a character the fonts lack is drawn at the advance the engine measured."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pypdfium2
import pytest
from PIL import Image, ImageChops

from tests.support.column import SEED, seed_items
from tests.support.pdfread import colour_operators, fonts, read_glyphs, rgb_operators, text_layer
from typesetting import (
    ColumnItem,
    LayoutSettings,
    RateCard,
    RenderLimits,
    RenderTimeout,
    render_column,
    render_notice_pdf,
    render_notice_png,
    set_notice,
)
from typesetting.linebreak import drawn_end_pt
from typesetting.render import choose_renderer

ISSUE = dt.date(2021, 1, 8)
POSITION_PT = 0.01
PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")


def _pages(pdf: bytes, dpi: int = 150) -> list[Image.Image]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72).to_pil() for page in document]
    finally:
        document.close()


def assert_same_print(reference: bytes, drawn: bytes) -> None:
    """Text, glyph positions, pixels and page boxes of two PDFs of one column or preview."""
    theirs, ours = read_glyphs(reference), read_glyphs(drawn)
    assert len(ours) == len(theirs)
    for a, b in zip(theirs, ours, strict=True):
        assert (a.page, a.text) == (b.page, b.text), (a, b)
        assert abs(a.x - b.x) < POSITION_PT and abs(a.right - b.right) < POSITION_PT, (a, b)
        assert abs(a.y - b.y) < POSITION_PT and abs(a.size - b.size) < POSITION_PT, (a, b)
    # What a reader copies, character by character, at the same places.
    layers = text_layer(reference), text_layer(drawn)
    assert [[c for c, _, _ in page] for page in layers[0]] == \
        [[c for c, _, _ in page] for page in layers[1]]
    for page_a, page_b in zip(*layers, strict=True):
        for (_, xa, ya), (_, xb, yb) in zip(page_a, page_b, strict=True):
            assert abs(xa - xb) < POSITION_PT and abs(ya - yb) < POSITION_PT
    # The same pixels: not one differs.
    for number, (image_a, image_b) in enumerate(zip(_pages(reference), _pages(drawn), strict=True)):
        assert image_a.size == image_b.size
        assert ImageChops.difference(image_a, image_b).getbbox() is None, f"page {number + 1} differs"
    pages_a = pypdf.PdfReader(io.BytesIO(reference)).pages
    pages_b = pypdf.PdfReader(io.BytesIO(drawn)).pages
    for pdf_page_a, pdf_page_b in zip(pages_a, pages_b, strict=True):
        for box in ("mediabox", "trimbox", "bleedbox"):
            assert [round(float(v), 3) for v in getattr(pdf_page_a, box)] == \
                [round(float(v), 3) for v in getattr(pdf_page_b, box)]


def _poppler_pages(pdf: bytes, directory: Path) -> list[Image.Image]:
    """The pages as poppler rasterises them (pdftoppm, 150 dpi, grey)."""
    source = directory / f"{hashlib.sha256(pdf).hexdigest()[:12]}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-gray", str(source), str(source.with_suffix(""))],
                   check=True, timeout=60)
    return [Image.open(path) for path in sorted(directory.glob(f"{source.stem}-*.pgm"))]


def assert_print_pdf(pdf: bytes) -> None:
    """Fonts embedded as subsets with names of their own, nothing but CMYK."""
    embedded = fonts(pdf)
    assert embedded and all(f["embedded"] and f["subset"] for f in embedded)
    assert all(len(f["programs"]) == 1 for f in embedded)
    assert rgb_operators(pdf) == []
    assert {space for _, space in colour_operators(pdf)} == {"/DeviceCMYK"}


def both(items, settings, continue_overflow=True, **kwargs):
    """The column by WeasyPrint in one job (a big column is otherwise cut between two workers
    and laid back together, which orders the text layer otherwise), and by the drawer."""
    from typesetting import column

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(column, "pool_size", lambda: 1)
        reference = render_column(items, settings, ISSUE, continue_overflow,
                                  renderer="weasyprint", **kwargs)
    drawn = render_column(items, settings, ISSUE, continue_overflow, renderer="direct", **kwargs)
    assert drawn.placements == reference.placements and drawn.overflow == reference.overflow
    assert drawn.pages == reference.pages and drawn.fill == reference.fill
    return reference, drawn


_CODE = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_NAMES = ["广州市天河区石牌合亦汇商店", "广东甘全建材有限公司", "阳春市欣欣远阳汽车信息咨询有限公司",
          "广州雅静服饰有限公司", "佛山市南海区桂城美嘉五金经营部", "Guangzhou Yajing Trading Co., Ltd."]


def generated(count: int, seed: int) -> list[ColumnItem]:
    """Notices with what a column holds: credit codes, numbers, dates, phone numbers, brackets
    and quotes that meet (标点挤压, opening pairs), Latin names, long notices."""
    rng = random.Random(seed)
    items = []
    for n in range(count):
        code = "".join(rng.choice(_CODE) for _ in range(18))
        pieces = [f"{rng.choice(_NAMES)}遗失营业执照正、副本，统一社会信用代码：{code}，",
                  f"于{rng.randint(2015, 2025)}年{rng.randint(1, 12):02d}月{rng.randint(1, 28):02d}日"
                  f"经股东会决议（联系电话：020-{rng.randint(30000000, 89999999)}），",
                  rng.choice(["", "将名称变更为“广州东高置业有限公司”，", "（“本公司”）",
                              "《「注册资本」》由1000万元减少至100万元，"]),
                  rng.choice(["声明作废。", "特此公告！", "请债权人自本公告见报之日起45日内向本公司申报债权，"
                              "逾期不申报，视为放弃权利。" * rng.randint(1, 6)])]
        title = rng.choice(["遗失声明", "减资公告", "注销公告", "清算公告"])
        items.append(ColumnItem(f"g{n}", f"{title}#{n}", title, "".join(pieces), "lost-document"))
    return items


def test_the_seed_column_is_drawn_as_weasyprint_draws_it(tmp_path):
    settings = LayoutSettings()
    reference, drawn = both(seed_items(), settings, False, rate_card=RateCard())
    assert_same_print(reference.pdf, drawn.pdf)
    if shutil.which("pdftoppm"):   # poppler-utils: a second rasteriser, the same pixels
        pages = _poppler_pages(reference.pdf, tmp_path), _poppler_pages(drawn.pdf, tmp_path)
        assert len(pages[0]) == len(pages[1]) == 1
        assert ImageChops.difference(pages[0][0], pages[1][0]).getbbox() is None
    assert_print_pdf(drawn.pdf)
    reader = pypdf.PdfReader(io.BytesIO(drawn.pdf))
    assert reader.metadata.title == "示例日报 分类广告 2021年1月8日"
    assert reader.metadata.subject == "示例日报2021年1月8日分类广告版，共13则"
    # Exact subsets, cut once for the document: a fifth of WeasyPrint's file.
    assert len(drawn.pdf) < len(reference.pdf) / 3


LONG = "本公司股东会决议，注册资本由原来1000万元人民币减少至100万元人民币。" * 12


@pytest.mark.parametrize("case", ["generated", "split", "pages", "bleed and crop marks",
                                  "five columns", "eight columns"])
def test_generated_columns_are_drawn_as_weasyprint_draws_them(case):
    items = generated(40, seed=20261126)
    settings = LayoutSettings()
    if case == "split":         # a notice taller than a column runs on at the next one's top
        settings = LayoutSettings(area_height_mm=80, header_height_mm=10, columns=4,
                                  area_width_mm=170)
        items = [ColumnItem("a", "短", "遗失声明", SEED[0]["text"], "lost-document"),
                 ColumnItem("long", "长", "减资公告", LONG, "capital-reduction"),
                 ColumnItem("b", "后", "遗失声明", SEED[3]["text"], "lost-document")]
    elif case == "pages":       # continued on further pages, the contact box on the last
        settings = LayoutSettings(area_height_mm=120, columns=3, area_width_mm=130)
    elif case == "bleed and crop marks":
        settings = LayoutSettings(bleed_mm=3, crop_marks=True)
    elif case == "five columns":
        settings = LayoutSettings(columns=5)
    elif case == "eight columns":   # ten characters a line: codes broken, lines spaced
        settings = LayoutSettings(columns=8, gutter_mm=3.0)
    reference, drawn = both(items, settings)
    if case == "split":
        assert len(next(p for p in drawn.placements if p.key == "long").segments) >= 2
    if case == "pages":
        assert drawn.pages >= 2
    assert_same_print(reference.pdf, drawn.pdf)
    assert_print_pdf(drawn.pdf)
    if case == "bleed and crop marks":
        content = pypdf.PdfReader(io.BytesIO(drawn.pdf)).pages[0].get_contents().get_data()
        assert b"1 1 1 1 scn" in content      # marks in registration colour


def test_previews_are_drawn_as_weasyprint_draws_them():
    settings = LayoutSettings()
    notices = [(n["title"], n["text"]) for n in SEED]
    notices += [(item.title, item.body) for item in generated(12, seed=7)]
    for title, body in notices:
        reference = render_notice_pdf(title, body, settings, renderer="weasyprint")
        drawn = render_notice_pdf(title, body, settings, renderer="direct")
        assert_same_print(reference, drawn)
        assert_print_pdf(drawn)
    # The PNG the advertiser sees (the drawer's fonts are then the worker's shared subsets).
    for title, body in notices[:4] + notices[-4:]:
        pngs = [Image.open(io.BytesIO(render_notice_png(title, body, settings, dpi=150,
                                                        renderer=renderer)))
                for renderer in ("weasyprint", "direct")]
        assert pngs[0].size == pngs[1].size
        assert ImageChops.difference(pngs[0], pngs[1]).getbbox() is None


def test_pdf_x4_when_the_settings_name_an_output_profile():
    if not PROFILE.exists():
        pytest.skip("no CMYK ICC profile on this machine (Debian: libgs10-common)")
    settings = LayoutSettings(icc_profile_path=str(PROFILE), bleed_mm=3, crop_marks=True)
    reference, drawn = both(seed_items(), settings, False)
    assert_same_print(reference.pdf, drawn.pdf)
    assert_print_pdf(drawn.pdf)
    assert drawn.pdf.startswith(b"%PDF-1.6")
    reader = pypdf.PdfReader(io.BytesIO(drawn.pdf))
    intent = reader.trailer["/Root"]["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFX"
    assert intent["/OutputConditionIdentifier"] == "Artifex CMYK SWOP Profile"
    profile = intent["/DestOutputProfile"].get_object()
    assert int(profile["/N"]) == 4 and profile.get_data() == PROFILE.read_bytes()
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
    assert "示例日报 分类广告".encode() in xmp
    identifier = reader.trailer["/ID"]
    assert len(identifier) == 2 and identifier[0] == identifier[1]
    assert reader.metadata["/Trapped"] == "/False"
    assert re.fullmatch(r"D:\d{14}[+-]\d\d'\d\d'", reader.metadata["/CreationDate"])


def test_a_character_the_fonts_lack_prints_as_a_box_at_the_engines_advance():
    """生僻字: WeasyPrint (Pango) draws the missing-glyph box about half an em wide, where the
    engine measured the font's own box (an em), so its line fell short of the column edge.
    The drawer draws the box where the engine set it: the line ends on the edge, and the
    character is still what a reader copies."""
    settings = LayoutSettings()
    body = "张𪚥遗失身份证，声明作废。"
    items = [ColumnItem("x", "缺字", "遗失声明", body, "lost-document")]
    reference, drawn = both(items, settings)
    assert drawn.placements[0].missing == "𪚥" and any("𪚥" in w for w in drawn.warnings)
    # What a reader copies (PDFium's page text: the character is outside the BMP, a surrogate
    # pair that the per-character helper text_layer cannot show), as from WeasyPrint's PDF.
    for pdf in (reference.pdf, drawn.pdf):
        document = pypdfium2.PdfDocument(pdf)
        assert "张𪚥遗失身份证" in document[0].get_textpage().get_text_range()
        document.close()
    ours = [g for g in read_glyphs(drawn.pdf) if abs(g.size - settings.body_size_pt) < 0.01]
    theirs = [g for g in read_glyphs(reference.pdf) if abs(g.size - settings.body_size_pt) < 0.01]
    assert [g.text for g in ours] == [g.text for g in theirs]
    box = next(i for i, g in enumerate(ours) if g.text == "𪚥")
    for a, b in zip(theirs[:box + 1], ours[:box + 1], strict=True):   # up to the box: the same
        assert abs(a.x - b.x) < POSITION_PT
    assert ours[box].right - ours[box].x == pytest.approx(settings.body_size_pt, abs=0.01)
    first_line = set_notice("遗失声明", body, settings).lines[0]
    row = [g for g in ours if abs(g.y - ours[box].y) < 0.01]
    left = row[0].x
    assert row[-1].right - left == pytest.approx(drawn_end_pt(first_line, settings), abs=0.01)
    assert row[-1].right - left == pytest.approx(settings.column_width_pt, abs=0.05)
    # The box is the font's own missing-glyph outline: the code maps to CID 0.
    font = next(f.get_object() for f in pypdf.PdfReader(io.BytesIO(drawn.pdf)).pages[0]
                ["/Resources"]["/Font"].values()
                if "Serif" in str(f.get_object()["/BaseFont"]))
    encoding = font["/Encoding"].get_object().get_data()
    assert re.search(rb"<[0-9a-f]{4}> 0\s", encoding)


def test_notice_text_is_drawn_as_text_never_read_as_markup():
    settings = LayoutSettings()
    body = "<b>粗体</b>&amp;<script>alert(1)</script>遗失公章一枚，声明作废。"
    pdf = render_notice_pdf("遗失声明", body, settings, renderer="direct")
    text = "".join(c for c, _, _ in text_layer(pdf)[0])
    assert "".join(text.split()) == "遗失声明" + "".join(body.split())


def test_fonts_are_cut_to_the_glyphs_drawn():
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    settings = LayoutSettings()
    pdf = render_notice_pdf("遗失声明", "陈小明遗失购房收据，特此声明。", settings, renderer="direct")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        cid_font = font["/DescendantFonts"][0].get_object()
        program = cid_font["/FontDescriptor"].get_object()["/FontFile3"].get_object().get_data()
        glyphs = TTFont(io.BytesIO(program)).getGlyphOrder()
        cmap = font["/ToUnicode"].get_object().get_data()
        codes = [int(code, 16) for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S)
                 for code in re.findall(rb"<([0-9a-f]{4})> <", block)]
        # Every glyph drawn, renumbered from 1, and .notdef: nothing else.
        assert sorted(codes) == list(range(1, len(glyphs)))


def test_a_drawn_column_over_its_time_limit_stops():
    body = "广州市天河区石牌合亦汇商店遗失营业执照正本，注册号：440106601059045，声明作废。"
    items = [ColumnItem(f"k{i}", f"#{i}", "遗失声明", body + str(i), "lost-document")
             for i in range(1500)]
    settings = LayoutSettings()
    for item in items:
        set_notice(item.title, item.body, settings)
    with pytest.raises(RenderTimeout):
        render_column(items, settings, ISSUE, continue_overflow=True, renderer="direct",
                      limits=RenderLimits(timeout_s=0.05))
    assert render_notice_png("遗失声明", "测试。", settings, dpi=72,
                             renderer="direct").startswith(b"\x89PNG")


def test_the_renderer_is_chosen_in_one_place(monkeypatch):
    from typesetting import render

    assert choose_renderer(None) == render.DEFAULT_RENDERER
    monkeypatch.setattr(render, "DEFAULT_RENDERER", "weasyprint")
    assert choose_renderer(None) == "weasyprint" and choose_renderer("direct") == "direct"
    with pytest.raises(ValueError):
        choose_renderer("cairo")
    # The preview takes the default: here WeasyPrint's, whose PDF says so.
    pdf = render_notice_pdf("遗失声明", "测试。", LayoutSettings())
    assert pypdf.PdfReader(io.BytesIO(pdf)).metadata.producer.startswith("WeasyPrint")
    monkeypatch.setattr(render, "DEFAULT_RENDERER", "direct")
    pdf = render_notice_pdf("遗失声明", "测试。", LayoutSettings())
    assert not pypdf.PdfReader(io.BytesIO(pdf)).metadata.producer.startswith("WeasyPrint")
