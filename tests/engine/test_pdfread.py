"""The PDF-reading helpers of tests/support/pdfread.py, checked on a hand-made document."""

from __future__ import annotations

from tests.support.pdfread import colour_operators, embedded_files, fonts, read_glyphs, rgb_operators, text_layer


def _tiny_pdf() -> bytes:
    from weasyprint import HTML

    from typesetting.fetcher import AssetOnlyFetcher
    html = ('<html lang="zh-CN"><style>@page{size:100pt 40pt;margin:0} body{margin:0}'
            'p{margin:0;position:absolute;left:10pt;top:10pt;font:10pt "Noto Serif CJK SC";'
            'color:device-cmyk(0 0 0 1);white-space:pre}</style><p>公告1</p></html>')
    return HTML(string=html, url_fetcher=AssetOnlyFetcher({})).write_pdf()


def test_read_glyphs_positions_and_text():
    glyphs = read_glyphs(_tiny_pdf())
    assert "".join(g.text for g in glyphs) == "公告1"
    first, second = glyphs[0], glyphs[1]
    assert abs(first.x - 10) < 0.01
    assert abs(first.size - 10) < 0.01
    assert abs((first.right - first.x) - 10) < 0.01   # an ideograph is 1 em
    assert abs(second.x - first.right) < 0.01          # no letter-spacing here
    assert first.y == second.y


def test_colour_and_font_helpers():
    pdf = _tiny_pdf()
    assert rgb_operators(pdf) == []
    assert ("scn", "/DeviceCMYK") in colour_operators(pdf)
    assert all(f["embedded"] and f["subset"] for f in fonts(pdf))
    assert embedded_files(pdf) == 0
    layer = "".join(ch for ch, _, _ in text_layer(pdf)[0])
    assert "".join(layer.split()) == "公告1"
