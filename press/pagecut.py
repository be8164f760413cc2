"""Cut a rectangle out of a stored PDF page, as a vector drawing (text stays text).

The proof of publication shows the notice cut from the column PDF that was printed (stored with
the publication), not a new rendering. Each cut becomes a form XObject: its /BBox is the
rectangle, which clips what is drawn; and every text-showing operator whose origin lies outside
the rectangle is left out, so the proof carries no hidden text of the neighbouring notices
(a clip alone would keep it: copied or extracted from the proof, it would read as part of it).
Lines, rules and shapes are kept and clipped. pypdf parses and writes the content streams (it
is pinned exactly, requirements.txt); the walk below only follows the PDF graphics and text
state operators (PDF 32000-1:2008, 8.4.4 and 9.4) to know where each text run starts.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ContentStream, DecodedStreamObject, DictionaryObject, FloatObject, NameObject

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
SHOW_TEXT = {b"Tj", b"TJ"}
# A run starting this far outside the rectangle is still the notice's (rounding of positions).
TOLERANCE_PT = 0.5


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """m × n in PDF's row-vector convention: apply m, then n."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _origin(m: Matrix) -> tuple[float, float]:
    return m[4], m[5]


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def holds(self, x: float, y: float) -> bool:
        t = TOLERANCE_PT
        return self.x0 - t <= x <= self.x1 + t and self.y0 - t <= y <= self.y1 + t


def _floats(operands) -> Matrix:
    return tuple(float(v) for v in operands)  # type: ignore[return-value]


class _State:
    """The graphics and text state the walk follows (PDF 32000-1:2008, 8.4.4 and 9.4.2): the
    current transformation matrix with its q/Q stack, the text and line matrices, the leading."""

    def __init__(self, ctm: Matrix):
        self.ctm = ctm
        self.stack: list[Matrix] = []
        self.tm = self.tlm = IDENTITY
        self.leading = 0.0

    def apply(self, operator: bytes, operands) -> None:
        if operator == b"q":
            self.stack.append(self.ctm)
        elif operator == b"Q":
            self.ctm = self.stack.pop() if self.stack else self.ctm
        elif operator == b"cm":
            self.ctm = _mul(_floats(operands), self.ctm)
        elif operator == b"BT":
            self.tm = self.tlm = IDENTITY
        elif operator == b"Tm":
            self.tm = self.tlm = _floats(operands)
        elif operator in (b"Td", b"TD"):
            tx, ty = (float(v) for v in operands)
            if operator == b"TD":
                self.leading = -ty
            self.tm = self.tlm = _mul((1.0, 0.0, 0.0, 1.0, tx, ty), self.tlm)
        elif operator == b"TL":
            self.leading = float(operands[0])
        elif operator in NEXT_LINE:
            self.tm = self.tlm = _mul((1.0, 0.0, 0.0, 1.0, 0.0, -self.leading), self.tlm)

    def origin(self) -> tuple[float, float]:
        """Where the next glyph is drawn, in the page's (or the outer form's) space."""
        return _origin(_mul(self.tm, self.ctm))


NEXT_LINE = {b"T*", b"'", b'"'}
NEXT_LINE_SHOWING = {b"'", b'"'}


def _next_line_only(operator: bytes, operands) -> list:
    """A ' or " whose text is left out: the move to the next line (and, for ", the spacing it
    sets) is kept, so that what follows is where it was."""
    spacing = [([operands[0]], b"Tw"), ([operands[1]], b"Tc")] if operator == b'"' else []
    return spacing + [([], b"T*")]


def _filter(operations: list, ctm: Matrix, box: Box, resources, reader: PdfReader, writer: PdfWriter,
            depth: int = 0) -> tuple[list, dict]:
    """The operations with text outside `box` left out; nested form XObjects filtered likewise.
    Returns (operations, {XObject name: filtered form}) for the resources of the caller."""
    out: list = []
    forms: dict = {}
    state = _State(ctm)
    xobjects = resources.get("/XObject") if resources is not None else None
    xobjects = xobjects.get_object() if xobjects is not None else None
    for operands, operator in operations:
        state.apply(operator, operands)
        if operator in NEXT_LINE_SHOWING and not box.holds(*state.origin()):
            out.extend(_next_line_only(operator, operands))
            continue
        if operator in SHOW_TEXT and not box.holds(*state.origin()):
            continue
        if operator == b"Do" and xobjects is not None and depth < 8:
            form = _form_xobject(xobjects, operands[0])
            if form is not None:
                matrix = _floats(form.get("/Matrix", IDENTITY))
                forms[operands[0]] = _filtered_form(form, _mul(matrix, state.ctm), box, reader, writer, depth + 1)
        out.append((operands, operator))
    return out, forms


def _form_xobject(xobjects, name):
    """The form XObject of that name in the resources, or None (an image, or nothing)."""
    xobject = xobjects.get(name)
    xobject = xobject.get_object() if xobject is not None else None
    return xobject if xobject is not None and xobject.get("/Subtype") == "/Form" else None


def _filtered_form(form, ctm: Matrix, box: Box, reader: PdfReader, writer: PdfWriter, depth: int):
    """A copy of a form XObject with the text outside `box` left out, added to `writer`."""
    resources = form.get("/Resources")
    resources = resources.get_object() if resources is not None else None
    operations, nested = _filter(ContentStream(form, reader).operations, ctm, box, resources, reader, writer,
                                 depth)
    copy = DecodedStreamObject()
    for key in ("/Type", "/Subtype", "/BBox", "/Matrix", "/Group"):
        if key in form:
            copy[NameObject(key)] = form[key].clone(writer) if hasattr(form[key], "clone") else form[key]
    copy[NameObject("/Resources")] = _resources(resources, nested, writer)
    copy.set_data(_content_bytes(operations, writer))
    return writer._add_object(copy)


def _resources(resources, forms: dict, writer: PdfWriter) -> DictionaryObject:
    """The resources cloned into `writer`, with the filtered forms in place of the originals."""
    cloned = resources.clone(writer) if resources is not None else DictionaryObject()
    if forms:
        xobjects = DictionaryObject(cloned.get("/XObject", DictionaryObject()).get_object())
        for name, ref in forms.items():
            xobjects[NameObject(name)] = ref
        cloned[NameObject("/XObject")] = xobjects
    return cloned


def _content_bytes(operations: list, writer: PdfWriter) -> bytes:
    stream = ContentStream(None, writer)
    stream.operations = operations
    return stream.get_data()


class PageCutter:
    """Cuts from one stored PDF (the column as printed) into forms of one writer (the proof)."""

    def __init__(self, pdf: bytes, writer: PdfWriter):
        self.reader = PdfReader(io.BytesIO(pdf))
        self.writer = writer
        self._count = 0

    def page_count(self) -> int:
        return len(self.reader.pages)

    def cut(self, page_index: int, x0: float, y0: float, x1: float, y1: float):
        """A form XObject (indirect reference in the writer) drawing the rectangle of the page."""
        page = self.reader.pages[page_index]
        box = Box(x0, y0, x1, y1)
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else None
        contents = page.get_contents()
        operations = contents.operations if contents is not None else []
        operations, forms = _filter(operations, IDENTITY, box, resources, self.reader, self.writer)
        form = DecodedStreamObject()
        form[NameObject("/Type")] = NameObject("/XObject")
        form[NameObject("/Subtype")] = NameObject("/Form")
        form[NameObject("/BBox")] = ArrayObject(FloatObject(v) for v in (x0, y0, x1, y1))
        form[NameObject("/Resources")] = _resources(resources, forms, self.writer)
        form.set_data(_content_bytes(operations, self.writer))
        return self.writer._add_object(form)

    def place(self, target_page, form_ref, *, scale: float, x: float, y: float, mcid: int | None = None) -> None:
        """Draw the form on `target_page` (of the writer): its box's lower-left corner at (x, y)
        in the target's points from its lower-left corner, enlarged `scale` times. With `mcid`,
        the drawing is the marked content of that id as a /Figure (a tagged page's structure
        element points at it: press/proof.py)."""
        form = form_ref.get_object()
        bx0, by0 = float(form["/BBox"][0]), float(form["/BBox"][1])
        self._count += 1
        name = NameObject(f"/Cut{self._count}")
        resources = target_page.get("/Resources")
        if resources is None:
            resources = DictionaryObject()
            target_page[NameObject("/Resources")] = resources
        resources = resources.get_object()
        xobjects = resources.get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else None
        if xobjects is None:
            xobjects = DictionaryObject()
            resources[NameObject("/XObject")] = xobjects
        xobjects[name] = form_ref
        tx, ty = x - bx0 * scale, y - by0 * scale
        drawing = f"q {scale:.6f} 0 0 {scale:.6f} {tx:.4f} {ty:.4f} cm {name} Do Q".encode()
        if mcid is not None:
            drawing = f"/Figure <</MCID {mcid}>> BDC ".encode() + drawing + b" EMC"
        contents = target_page.get_contents()
        if contents is None:
            stream = ContentStream(None, self.writer)
            stream.set_data(b"")
        else:
            stream = contents
        stream.isolate_graphics_state()
        data = stream.get_data() + b"\n" + drawing + b"\n"
        new = ContentStream(None, self.writer)
        new.set_data(data)
        target_page.replace_contents(new)
