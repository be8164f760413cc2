"""Reading our PDFs back the way a reader or a printer sees them.

Independent of the engine's layout code: glyph positions come from interpreting the content
stream (text matrices, TJ arrays, the embedded fonts' /W widths, ToUnicode maps) with pypdf;
the text layer comes from PDFium (what a reader copies); colours are the operators themselves.
Tests import these helpers from here; their own tests are tests/engine/test_pdfread.py.
"""

from __future__ import annotations

import ctypes
import io
import re
from dataclasses import dataclass
from typing import Any

import pypdf
import pypdfium2
import pypdfium2.raw as pdfium_c
from pypdf.generic import ContentStream


@dataclass(frozen=True)
class Glyph:
    page: int        # 1-based
    x: float         # origin, pt from the page's left edge
    right: float     # origin + advance width (the font's /W), pt
    y: float         # baseline, pt from the page's top edge
    text: str        # Unicode of the glyph (ToUnicode), may be 2 chars ("——")
    font: str        # BaseFont
    size: float      # effective font size, pt


def _matmul(a, b):
    """Affine matrices as PDF 6-tuples: a then b (row-vector convention)."""
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5])


def _apply(m, x, y):
    return (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])


def _parse_to_unicode(data: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>",
                                      block):
            start = int(dst, 16)
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


def _font_info(font) -> dict:
    font = font.get_object()
    descendant = font["/DescendantFonts"][0].get_object()
    widths: dict[int, float] = {}
    w = descendant.get("/W", [])
    i = 0
    while i < len(w):
        first = int(w[i])
        if isinstance(w[i + 1], (list, pypdf.generic.ArrayObject)):
            for offset, value in enumerate(w[i + 1]):
                widths[first + offset] = float(value)
            i += 2
        else:
            for code in range(first, int(w[i + 1]) + 1):
                widths[code] = float(w[i + 2])
            i += 3
    to_unicode = _parse_to_unicode(font["/ToUnicode"].get_object().get_data()) \
        if "/ToUnicode" in font else {}
    return {"name": str(font.get("/BaseFont")), "widths": widths,
            "default": float(descendant.get("/DW", 1000)), "unicode": to_unicode}


def _raw_bytes(operand) -> bytes:
    """The string operand's bytes as written (2-byte glyph codes, Identity-H)."""
    if isinstance(operand, bytes):
        return bytes(operand)
    # pypdf decodes string operands as text; a code like <0015> then looks like UTF-16 and
    # get_original_bytes() would add a BOM. The bytes it read are kept in _original_bytes.
    original = getattr(operand, "_original_bytes", None)
    return original if original is not None else operand.get_original_bytes()


def read_glyphs(pdf: bytes) -> list[Glyph]:
    """Every glyph shown on every page, with its position and advance, in content order
    (form XObjects included, as they are drawn)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    glyphs: list[Glyph] = []

    def walk(content, resources, ctm, page_number, height):
        fonts = {name: _font_info(f) for name, f in resources.get("/Font", {}).items()}
        stack = []
        tm = (1, 0, 0, 1, 0, 0)
        font, size = None, 0.0
        for operands, op in ContentStream(content, reader).operations:
            if op == b"q":
                stack.append(ctm)
            elif op == b"Q":
                ctm = stack.pop()
            elif op == b"cm":
                ctm = _matmul(tuple(float(v) for v in operands), ctm)
            elif op == b"BT":
                tm = (1, 0, 0, 1, 0, 0)
            elif op == b"Tm":
                tm = tuple(float(v) for v in operands)
            elif op == b"Td":
                tm = _matmul((1, 0, 0, 1, float(operands[0]), float(operands[1])), tm)
            elif op == b"Tf":
                font, size = fonts[operands[0]], float(operands[1])
            elif op == b"Do":
                xobject = resources["/XObject"][operands[0]].get_object()
                if xobject.get("/Subtype") == "/Form":
                    matrix = tuple(float(v) for v in xobject.get("/Matrix", (1, 0, 0, 1, 0, 0)))
                    walk(xobject, xobject.get("/Resources", resources), _matmul(matrix, ctm),
                         page_number, height)
            elif op in (b"TJ", b"Tj"):
                parts = operands[0] if op == b"TJ" else [operands[0]]
                tx = 0.0
                for part in parts:
                    if isinstance(part, (int, float, pypdf.generic.FloatObject,
                                         pypdf.generic.NumberObject)):
                        tx -= float(part) / 1000 * size
                        continue
                    data = _raw_bytes(part)
                    for k in range(0, len(data), 2):
                        code = int.from_bytes(data[k:k + 2], "big")
                        advance = font["widths"].get(code, font["default"]) / 1000 * size
                        m = _matmul(tm, ctm)
                        x0, y0 = _apply(m, tx, 0)
                        x1, _ = _apply(m, tx + advance, 0)
                        effective = size * (m[0] ** 2 + m[1] ** 2) ** 0.5
                        glyphs.append(Glyph(page_number, x0, x1, height - y0,
                                            font["unicode"].get(code, "\ufffd"),
                                            font["name"], effective))
                        tx += advance
                # TJ leaves the text matrix where the text ended (only one TJ per Tm here).
                tm = _matmul((1, 0, 0, 1, tx, 0), tm)

    for page_number, page in enumerate(reader.pages, start=1):
        walk(page.get_contents(), page["/Resources"], (1, 0, 0, 1, 0, 0), page_number,
             float(page.mediabox.top))
    return glyphs


def text_layer(pdf: bytes) -> list[list[tuple[str, float, float]]]:
    """Per page, the characters PDFium extracts (what a reader copies), with their origins
    (x, y from the page top)."""
    document = pypdfium2.PdfDocument(pdf)
    pages = []
    try:
        for page in document:
            height = page.get_height()
            textpage = page.get_textpage()
            chars = []
            for i in range(textpage.count_chars()):
                x, y = ctypes.c_double(), ctypes.c_double()
                pdfium_c.FPDFText_GetCharOrigin(textpage.raw, i, ctypes.byref(x), ctypes.byref(y))
                char = textpage.get_text_range(i, 1)
                # PDFium reports a hyphen that ends a line as U+FFFE ("soft hyphen here"); the
                # PDF has a plain hyphen (a phone number broken after its 020-).
                chars.append(("-" if char == "\ufffe" else char, x.value, height - y.value))
            pages.append(chars)
    finally:
        document.close()
    return pages


_RGB_SPACES = {"/DeviceRGB", "/CalRGB"}


def colour_operators(pdf: bytes) -> list[tuple[str, str]]:
    """(operator, colour space) for every colour-setting operator in every content stream,
    including form XObjects. Spaces named in resources are resolved (ICCBased: by N)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found = []

    def space_name(name, resources):
        name = str(name)
        if name in ("/DeviceRGB", "/DeviceCMYK", "/DeviceGray", "/Pattern"):
            return name
        spaces = resources.get("/ColorSpace", {})
        spaces = spaces.get_object() if hasattr(spaces, "get_object") else spaces
        entry = spaces.get(name) if spaces else None
        if entry is None:
            return name
        entry = entry.get_object()
        kind = str(entry[0])
        if kind == "/ICCBased":
            components = int(entry[1].get_object()["/N"])
            return {1: "/ICCGray", 3: "/ICCRGB", 4: "/ICCCMYK"}[components]
        return kind

    def walk(stream_data, resources):
        fill = stroke = "/DeviceGray"
        for operands, op in ContentStream(stream_data, reader).operations:
            op = op.decode()
            if op == "cs":
                fill = space_name(operands[0], resources)
            elif op == "CS":
                stroke = space_name(operands[0], resources)
            elif op in ("sc", "scn"):
                found.append((op, fill))
            elif op in ("SC", "SCN"):
                found.append((op, stroke))
            elif op in ("rg", "RG"):
                found.append((op, "/DeviceRGB"))
            elif op in ("k", "K"):
                found.append((op, "/DeviceCMYK"))
            elif op in ("g", "G"):
                found.append((op, "/DeviceGray"))
            elif op == "Do":
                xobject = resources["/XObject"][operands[0]].get_object()
                if xobject.get("/Subtype") == "/Form":
                    walk(xobject, xobject.get("/Resources", resources))

    for page in reader.pages:
        walk(page.get_contents(), page["/Resources"])
    return found


def rgb_operators(pdf: bytes) -> list[tuple[str, str]]:
    return [(op, space) for op, space in colour_operators(pdf)
            if space in _RGB_SPACES or space == "/ICCRGB"]


def fonts(pdf: bytes) -> list[dict]:
    """Like `pdffonts`: one entry per font name (pages and form XObjects): name, embedded,
    subset, and `programs`, the digests of the embedded font programs under that name (two
    means two different subsets share a name)."""
    import hashlib

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    out: dict[str, Any] = {}

    def collect(resources):
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            name = str(font["/BaseFont"])
            descriptors = [font.get("/FontDescriptor")]
            for descendant in font.get("/DescendantFonts", []):
                descriptors.append(descendant.get_object().get("/FontDescriptor"))
            programs = {hashlib.sha256(d.get_object()[k].get_object().get_data()).hexdigest()
                        for d in descriptors if d is not None
                        for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in d.get_object()}
            entry = out.setdefault(name, {"name": name, "embedded": True, "programs": set(),
                                          "subset": bool(re.match(r"/[A-Z]{6}\+", name))})
            entry["embedded"] = entry["embedded"] and bool(programs)
            entry["programs"] |= programs
        for xobject in resources.get("/XObject", {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
                collect(xobject["/Resources"])

    for page in reader.pages:
        collect(page["/Resources"])
    return list(out.values())


def embedded_files(pdf: bytes) -> int:
    """Attachments: EmbeddedFiles name tree entries plus FileAttachment annotations."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    count = len(reader.attachments)
    for page in reader.pages:
        for annot in page.get("/Annots", []) or []:
            if annot.get_object().get("/Subtype") == "/FileAttachment":
                count += 1
    return count


def all_stream_bytes(pdf: bytes) -> bytes:
    """Every stream decoded, concatenated (to search for content that must not be there)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    chunks = []
    size = reader.trailer["/Size"]
    assert isinstance(size, int), size       # a NumberObject, an int
    for number in range(1, size):
        try:
            obj = reader.get_object(number)
        except Exception:  # free entries in the xref table
            continue
        if isinstance(obj, pypdf.generic.StreamObject):
            chunks.append(obj.get_data())
    return b"\n".join(chunks)
