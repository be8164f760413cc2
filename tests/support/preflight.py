"""A PDF/X-1a:2001 preflight of our own: the file read back with pypdf, as a printer's preflight
profile checks what ISO 15930-1 asks of it (typesetting/pdfx.py says which rules apply to us).

`x1a_problems(pdf)` lists every rule the file breaks, in words; an empty list is a pass. It is
independent of the code that writes the file: it reads the objects, the content streams and the
header, and knows nothing of how they were made.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pypdf
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, IndirectObject, StreamObject

_TEXT_SHOWING = {b"Tj", b"TJ", b"'", b'"'}
_PDF_14_CATALOG_KEYS = ("/Metadata", "/Lang", "/MarkInfo", "/StructTreeRoot", "/OCProperties",
                        "/AcroForm")


def _walk_objects(reader: pypdf.PdfReader) -> list[Any]:
    """Every object of the file reachable from the trailer (resolved, each once)."""
    seen: set[tuple[int, int]] = set()
    out = []
    stack: list[Any] = [reader.trailer["/Root"], reader.trailer.get("/Info")]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):   # streams are dictionaries too
            out.append(obj)
            stack.extend(value for name, value in obj.items() if name != "/Parent")
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return out


def _inside(inner: list[float], outer: list[float], eps: float = 0.01) -> bool:
    return inner[0] >= outer[0] - eps and inner[1] >= outer[1] - eps \
        and inner[2] <= outer[2] + eps and inner[3] <= outer[3] + eps


def _text_colour_problems(reader: pypdf.PdfReader) -> list[str]:
    """Text shown in any colour but K (DeviceCMYK 0 0 0 1), and any RGB or device-independent
    colour at all, in every content stream (form XObjects included)."""
    problems: list[str] = []

    def walk(content: Any, resources: Any) -> None:
        stack = []
        fill: tuple[str, tuple[float, ...]] = ("/DeviceGray", (0.0,))
        space = "/DeviceGray"
        for operands, op in ContentStream(content, reader).operations:
            if op == b"q":
                stack.append((fill, space))
            elif op == b"Q":
                fill, space = stack.pop()
            elif op == b"cs":
                space = str(operands[0])
                if space not in ("/DeviceCMYK", "/DeviceGray"):
                    problems.append(f"colour space {space} (only CMYK or grey in PDF/X-1a)")
            elif op in (b"sc", b"scn"):
                fill = (space, tuple(float(v) for v in operands))
            elif op == b"k":
                fill = ("/DeviceCMYK", tuple(float(v) for v in operands))
            elif op == b"g":
                fill = ("/DeviceGray", tuple(float(v) for v in operands))
            elif op in (b"rg", b"RG"):
                problems.append(f"RGB colour ({op.decode()})")
            elif op in (b"CS",) and str(operands[0]) not in ("/DeviceCMYK", "/DeviceGray"):
                problems.append(f"stroke colour space {operands[0]}")
            elif op in _TEXT_SHOWING and fill != ("/DeviceCMYK", (0.0, 0.0, 0.0, 1.0)):
                problems.append(f"text in {fill[0]} {fill[1]}, not K only")
            elif op == b"Do":
                xobject = resources["/XObject"][operands[0]].get_object()
                if xobject.get("/Subtype") == "/Form":
                    walk(xobject, xobject.get("/Resources", resources))

    for page in reader.pages:
        walk(page.get_contents(), page["/Resources"])
    return problems


def x1a_problems(pdf: bytes) -> list[str]:
    """What keeps `pdf` from being a PDF/X-1a:2001, each in words ([] when nothing does)."""
    problems: list[str] = []
    header = pdf[:9]
    if header not in (b"%PDF-1.3\n", b"%PDF-1.3\r"):
        problems.append(f"header {header!r}: PDF/X-1a:2001 is PDF 1.3")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    trailer = reader.trailer
    if "/ID" not in trailer:
        problems.append("no file identifier (/ID) in the trailer")
    if "/Encrypt" in trailer:
        problems.append("encrypted")
    info = trailer.get("/Info")
    info = info.get_object() if info is not None else {}
    if info.get("/GTS_PDFXVersion") != "PDF/X-1:2001":
        problems.append(f"GTS_PDFXVersion is {info.get('/GTS_PDFXVersion')!r}")
    if info.get("/GTS_PDFXConformance") != "PDF/X-1a:2001":
        problems.append(f"GTS_PDFXConformance is {info.get('/GTS_PDFXConformance')!r}")
    if info.get("/Trapped") not in ("/True", "/False"):
        problems.append("Trapped is not True or False")
    for key in ("/Title", "/CreationDate", "/ModDate"):
        if not info.get(key):
            problems.append(f"no {key} in the document information")
    root: Any = trailer["/Root"].get_object()
    intents = [i.get_object() for i in root.get("/OutputIntents", [])]
    pdfx = [i for i in intents if i.get("/S") == "/GTS_PDFX"]
    if len(pdfx) != 1:
        problems.append(f"{len(pdfx)} /GTS_PDFX output intents, one is needed")
    for intent in pdfx:
        if not intent.get("/OutputConditionIdentifier"):
            problems.append("the output intent has no OutputConditionIdentifier")
        profile = intent.get("/DestOutputProfile")
        if profile is None or int(profile.get_object().get("/N", 0)) != 4:
            problems.append("the output intent's profile is not a CMYK (N 4) profile")
    for key in _PDF_14_CATALOG_KEYS:
        if key in root:
            problems.append(f"{key} in the catalog: not PDF 1.3")
    # Nothing transparent, nothing PDF 1.3 does not have, every font embedded (and not as an
    # OpenType program, a PDF 1.6 form), no device-independent colour.
    for obj in _walk_objects(reader):
        kind = obj.get("/Type")
        if kind in ("/ObjStm", "/XRef"):
            problems.append(f"a {kind} stream (PDF 1.5)")
        smask = obj.get("/SMask")
        if smask is not None and smask != "/None":
            problems.append("a soft mask (/SMask): transparency")
        for key in ("/CA", "/ca"):
            if key in obj and float(obj[key]) < 1:
                problems.append(f"{key} {float(obj[key])}: transparency")
        if obj.get("/BM") not in (None, "/Normal", "/Compatible"):
            problems.append(f"blend mode {obj.get('/BM')}: transparency")
        group = obj.get("/Group")
        if group is not None and group.get_object().get("/S") == "/Transparency":
            problems.append("a transparency group")
        if kind == "/FontDescriptor":
            programs = [k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in obj]
            if not programs:
                problems.append(f"font {obj.get('/FontName')} not embedded")
            for key in programs:
                subtype = obj[key].get_object().get("/Subtype")
                if key == "/FontFile3" and subtype not in ("/Type1C", "/CIDFontType0C"):
                    problems.append(f"font {obj.get('/FontName')} embedded as {subtype} (not PDF 1.3)")
        if kind == "/Font" and obj.get("/Subtype") in ("/Type1", "/TrueType", "/CIDFontType0",
                                                       "/CIDFontType2", "/MMType1") \
                and "/FontDescriptor" not in obj:
            problems.append(f"font {obj.get('/BaseFont')} not embedded")
        if isinstance(obj, ArrayObject) or not isinstance(obj, DictionaryObject):
            continue
        for value in obj.values():
            value = value.get_object() if isinstance(value, IndirectObject) else value
            if isinstance(value, ArrayObject) and value and value[0] in ("/ICCBased", "/Lab",
                                                                         "/CalRGB", "/CalGray",
                                                                         "/DeviceRGB"):
                problems.append(f"colour space {value[0]}")
        if kind in ("/Action",) or "/JS" in obj or obj.get("/S") == "/JavaScript":
            problems.append("an action or JavaScript")
        if isinstance(obj, StreamObject) and obj.get("/Subtype") == "/Image" and \
                obj.get("/ColorSpace") in ("/DeviceRGB",):
            problems.append("an RGB image")
    # Page boxes: a TrimBox on every page, TrimBox within BleedBox within MediaBox.
    for number, page_object in enumerate(reader.pages, start=1):
        page: Any = page_object
        media = [float(v) for v in page["/MediaBox"]]
        if "/TrimBox" not in page and "/ArtBox" not in page:
            problems.append(f"page {number}: no TrimBox")
            continue
        trim = [float(v) for v in page.get("/TrimBox", page.get("/ArtBox"))]
        bleed = [float(v) for v in page.get("/BleedBox", page["/MediaBox"])]
        if not _inside(bleed, media):
            problems.append(f"page {number}: BleedBox outside MediaBox")
        if not _inside(trim, bleed):
            problems.append(f"page {number}: TrimBox outside BleedBox")
        if page.get("/Annots"):
            problems.append(f"page {number}: annotations")
    problems += _text_colour_problems(reader)
    return sorted(set(problems), key=problems.index)


def pdfx_version(pdf: bytes) -> str | None:
    """The PDF/X version a file claims: GTS_PDFXVersion (X-1a), else its XMP's (X-4)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    info: Any = reader.trailer.get("/Info")
    if info is not None and info.get_object().get("/GTS_PDFXVersion"):
        return str(info.get_object()["/GTS_PDFXVersion"])
    root: Any = reader.trailer["/Root"].get_object()
    metadata = root.get("/Metadata")
    if metadata is None:
        return None
    found = re.search(rb"<pdfxid:GTS_PDFXVersion>([^<]+)<", metadata.get_object().get_data())
    return found.group(1).decode() if found else None
