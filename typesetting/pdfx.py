"""PDF/X-1a:2001 (ISO 15930-1), the other print standard of the column besides PDF/X-4.

Many papers take ads, and classified pages, only as PDF/X-1a: GWG's 1v4 specifications
(NewspaperAds among them) and the Danish NewspaperAds_1v4 are built on it. What it asks of a
file, as far as our columns go (docs/typesetting.md, PDF/X-1a):

- PDF 1.3, and nothing PDF 1.3 does not define: no object or cross-reference streams (pydyf
  writes neither below PDF 1.5), no XMP metadata stream, no /Lang; fonts embedded, and a CFF font
  as a bare CFF program (FontFile3 /CIDFontType0C) - FontFile3 /OpenType is PDF 1.6;
- in the document information: GTS_PDFXVersion "PDF/X-1:2001", GTS_PDFXConformance
  "PDF/X-1a:2001", Trapped, the dates and a title; a file identifier in the trailer;
- an output intent /GTS_PDFX with the CMYK output profile;
- CMYK (or grey, or spot) colour only, no transparency: our text and rules are K, crop marks
  registration, and nothing is transparent.

The direct drawer (draw.py) writes this itself; for WeasyPrint, the reference, which writes
PDF/X-1a:2003 with an OpenType font program and XMP, `to_x1a_2001` turns its document into the
same standard before it is written (the render worker's finisher, _worker.py).
tests/engine/test_pdfx.py reads both back as a preflight would.
"""

from __future__ import annotations

import struct
from typing import Any

X1A_VERSION = "PDF/X-1:2001"
X1A_CONFORMANCE = "PDF/X-1a:2001"
X1A_PDF_VERSION = "1.3"


def cff_table(program: bytes) -> bytes:
    """The 'CFF ' table of an OpenType font program: its glyphs as a bare CFF font."""
    (count,) = struct.unpack(">H", program[4:6])
    for number in range(count):
        tag, _checksum, offset, length = struct.unpack(">4sIII", program[12 + 16 * number:28 + 16 * number])
        if tag == b"CFF ":
            return program[offset:offset + length]
    raise ValueError("the font program has no CFF table")


def to_x1a_2001(pdf: Any) -> None:
    """WeasyPrint's PDF/X-1a:2003 (pydyf objects, in its finisher) as PDF/X-1a:2001: the
    version keys, no XMP nor /Lang (PDF 1.4), OpenType font programs as bare CFF. The file's
    version (1.3) is the render job's pdf_version option."""
    import pydyf

    pdf.info["GTS_PDFXVersion"] = pydyf.String(X1A_VERSION)
    pdf.info["GTS_PDFXConformance"] = pydyf.String(X1A_CONFORMANCE)
    pdf.catalog.pop("Lang", None)
    metadata = pdf.catalog.pop("Metadata", None)
    if metadata is not None:
        # The XMP stream stays an object of the file, unreferenced: empty it.
        number = int(str(metadata.decode() if isinstance(metadata, bytes) else metadata).split()[0])
        pdf.objects[number].stream = []
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and any(
                isinstance(value, pydyf.Array) and value and value[0] in ("/Lab", "/ICCBased")
                for value in obj.values()):
            # WeasyPrint's colour space resources: Lab and the output profile as ICCBased, named
            # for CSS that may use them. Ours use device-cmyk only (pure K, tested), and a
            # device-independent space has no place in a PDF/X-1a, used or not.
            for key in [k for k, v in obj.items()
                        if isinstance(v, pydyf.Array) and v and v[0] in ("/Lab", "/ICCBased")]:
                del obj[key]
        if isinstance(obj, pydyf.Stream) and obj.extra.get("Subtype") == "/OpenType":
            program = b"".join(part if isinstance(part, bytes) else str(part).encode()
                               for part in obj.stream)
            obj.stream = [cff_table(program)]
            obj.extra["Subtype"] = "/CIDFontType0C"
