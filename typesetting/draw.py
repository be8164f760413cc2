"""Drawing what the engine has set: the column and the preview straight into PDF, no HTML.

The engine decides every line before anything is drawn (linebreak.py: the breaks, the
letter-spacing of each line, its solid runs and half-width marks; column.py: where each notice
goes). WeasyPrint, given that as HTML, parses it, styles it and has Pango lay out every line
again - three quarters of a column's time - only to put the glyphs where the engine had already
put them. This module draws the same glyphs at the same places itself:

- each line's text boxes (the title, plain text, a solid run, a half-width mark: SetLine's
  body_pieces, as templates/print/_notice.html writes them) are shaped with HarfBuzz on the
  very font files and features the engine measured with (fonts.py), and placed as Pango 1.50
  and WeasyPrint 70 place them: Pango's letter-spacing halves, and WeasyPrint's TJ numbers with
  their truncation to whole thousandths of an em (linebreak._DrawModel documents both; this is
  the same arithmetic, glyph by glyph);
- the furniture (header band, rules, contact box, crop marks) with WeasyPrint's own border
  paths, at the positions the print templates give it;
- fonts embedded as exact subsets cut once per document by HarfBuzz's subsetter, glyphs
  renumbered, with ToUnicode maps so that the text can be copied. A character the font lacks
  (生僻字) prints as the font's missing-glyph box at the advance the engine measured, under a
  code of its own that a reader still copies as that character;
- pure K for text and rules (registration for crop marks), exact page boxes, and PDF/X-4 when
  the settings name an output profile (output intent, XMP metadata, trailer ID).

Advertisers' text is only ever shaped as text here: nothing parses it.
tests/engine/test_draw.py renders the same columns and previews both ways and compares the
text, every glyph's position and the pixels. WeasyPrint stays the reference and draws the
app's other documents (the proof). What was measured, and where the drawer differs on purpose
(a character the fonts lack): docs/drawing.md.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import zlib
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, Callable, Sequence

import uharfbuzz as hb

from .fonts import (
    HALF_WIDTH_FEATURES,
    PANGO_SCALE,
    SHAPING_FEATURES,
    FontFace,
    load_face,
    shaped_runs,
)
from .linebreak import SetLine, SetNotice, css_letter_spacing, faces, setting_fingerprint
from .markup import PageGeometry, preview_geometry
from .settings import LayoutSettings

# CSS px per pt, as WeasyPrint converts a length in pt (css/units.py: 1 / 0.75).
PX = 1 / 0.75
FROM_UNITS = 1 / PANGO_SCALE
PRODUCER = "公告台 typesetting (pydyf, HarfBuzz)"

# Tables a PDF reader does not use from an embedded CFF font (layout is done; no vertical text).
_DROP_TABLES = ("BASE", "DSIG", "GDEF", "cmap", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT",
                "SVG ", "VORG", "vhea", "vmtx", "MATH", "meta", "STAT")


def _css_px(pt: float) -> float:
    """A length the print templates write in pt with four decimals, in CSS px as WeasyPrint
    reads it back."""
    return float(f"{pt:.4f}") * PX


def _num(value: float) -> str:
    """A number as pydyf writes it (what WeasyPrint's content streams hold)."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer():
        return str(int(value))
    return f"{value:f}".rstrip("0")


# -- input: what to draw ----------------------------------------------------------------------

@dataclass(frozen=True)
class DrawnSegment:
    """A run of a notice's lines in one column: its top from the top of the column area."""

    column: int              # 1-based
    y_pt: float
    lines: tuple[SetLine, ...]
    notice: int = -1         # the notice's index in the column's items
    first: int = 0           # the index of the segment's first line in the notice's lines
    # The notice's lines as drawn before (kept with its stored setting), where known.
    drawn: KeptLines | None = None


@dataclass(frozen=True)
class ContactLine:
    """A line of the contact box, centred (column.contact_box decides them)."""

    text: str
    font: str
    weight: int
    size_pt: float
    line_height_pt: float


@dataclass(frozen=True)
class DrawnPage:
    """One page of the column: its header band's texts, its notices, the contact box if here."""

    header: str
    meta: str
    segments: tuple[DrawnSegment, ...]             # column by column, top to bottom
    contact: tuple[float, float] | None = None     # (x, y) in pt from the media's top left
    # Rules between notices (column._notice_rules): (x, y of its top, width), pt from the top left.
    notice_rules: tuple[tuple[float, float, float], ...] = ()


@dataclass(frozen=True)
class ColumnDrawing:
    """Everything the drawer needs for a column PDF (picklable: it goes to a render worker)."""

    settings: LayoutSettings
    pages: tuple[DrawnPage, ...]
    contact_lines: tuple[ContactLine, ...]
    contact_height_pt: float
    title: str
    description: str


# -- glyphs -----------------------------------------------------------------------------------

# One glyph as shaped, Pango units at the face's size: (glyph id, advance, x offset, y offset,
# index of its cluster in the box, first glyph of its cluster, last glyph of its cluster, the
# cluster's text); glyph id -1: a character the font lacks.
_Glyph = tuple[int, int, int, int, int, bool, bool, str]


# A column holds some 2 500 text boxes per 200 notices; a box recurs when its notice is drawn
# again (its preview, then the column). About 1.5 KB an entry.
@lru_cache(maxsize=8192)
def _shape(face: FontFace, text: str, half: bool) -> tuple[tuple[_Glyph, ...], int, int]:
    """text shaped as Pango shapes one text box - by script runs (fonts.script_runs), Latin runs
    with a Latin language, with the print CSS's features (and "halt" for a half-width mark) -,
    the number of its clusters and the sum of its advances."""
    features = HALF_WIDTH_FEATURES if half else SHAPING_FEATURES
    out: list[_Glyph] = []
    clusters = 0
    for _start, piece, _latin, buf in shaped_runs(face, text, features):
        starts: list[int] = []
        glyphs: dict[int, list[tuple[int, int, int, int]]] = {}
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
            if info.cluster not in glyphs:
                starts.append(info.cluster)
                glyphs[info.cluster] = []
            glyph_id = info.codepoint
            if glyph_id == 0 and not face.has_char(piece[info.cluster]):
                glyph_id = -1
            glyphs[info.cluster].append((glyph_id, pos.x_advance, pos.x_offset, pos.y_offset))
        starts.sort()
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else len(piece)
            cluster = glyphs[start]
            for gi, (glyph_id, advance, x_offset, y_offset) in enumerate(cluster):
                out.append((glyph_id, advance, x_offset, y_offset, clusters, gi == 0,
                            gi == len(cluster) - 1, piece[start:end]))
            clusters += 1
    return tuple(out), clusters, sum(glyph[1] for glyph in out)


def _halves(spacing_pu: int) -> tuple[int, int]:
    """Pango 1.50's split of a letter-spacing into the space before and after a cluster."""
    left = spacing_pu // 2
    if spacing_pu % PANGO_SCALE == 0:
        left = (left + PANGO_SCALE // 2) & ~(PANGO_SCALE - 1)
    return left, spacing_pu - left


@lru_cache(maxsize=8)
def _hb_face(path: str, index: int) -> hb.Face:
    """One HarfBuzz face per font file for the process: the subsetter keeps what it parsed of
    the font (its CFF index, charset) on the face, so every later subset is faster."""
    return hb.Face(hb.Blob.from_file_path(path), index)


@lru_cache(maxsize=32)
def _sized(path: str, index: int, size_pu: int) -> hb.Font:
    font = hb.Font(_hb_face(path, index))
    font.scale = (size_pu, size_pu)
    return font


class _OwnWidths(dict[int, int]):
    """A face's glyph widths in thousandths of an em at its size, as a document's font keeps a
    glyph's the first time it is drawn (_Writer._learn), found as they are asked for."""

    def __init__(self, face: FontFace) -> None:
        super().__init__()
        self.font = _sized(face.path, face.index, face.size_pu)
        self.size = face.size_pu * FROM_UNITS

    def __missing__(self, glyph_id: int) -> int:
        advance: int = self.font.get_glyph_h_advance(glyph_id)
        width = self[glyph_id] = round(advance * 1000 * FROM_UNITS / self.size)
        return width


@lru_cache(maxsize=16)
def _own_widths(face: FontFace) -> _OwnWidths:
    return _OwnWidths(face)


class _Font:
    """One font of the document (a face file, as WeasyPrint keeps one per family and weight):
    the glyphs drawn in it, their widths and text, and once they are all known, its subset."""

    def __init__(self, face: FontFace, resource: str) -> None:
        self.face = face
        self.resource = resource
        # Glyph widths in thousandths of an em, the first time a glyph is drawn (any size), as
        # WeasyPrint keeps them: they are the /W of the PDF font and the base of the TJ numbers.
        self.widths: dict[int, int] = {}
        self.to_unicode: dict[int, str] = {}
        self.missing: dict[str, int] = {}     # character the font lacks -> its code (-1 - n)
        self.hb_face = _hb_face(face.path, face.index)
        self.fonts: dict[int, hb.Font] = {}   # size in Pango units -> font at that size
        # Once cut (cut()): the subset, and each glyph's code in it as written in a TJ string.
        self.subset: _Subset | None = None
        self.codes: dict[int, int] = {}
        self.hex: dict[int, str] = {}

    def font_at(self, size_pu: int) -> hb.Font:
        font = self.fonts.get(size_pu)
        if font is None:
            font = self.fonts[size_pu] = hb.Font(self.hb_face)
            font.scale = (size_pu, size_pu)
        return font

    def cut(self, shared: bool) -> None:
        """Subset the font to the glyphs drawn; a character it lacks gets a code after them."""
        self.subset = _subset(self, shared)
        mapping = self.subset[1]
        self.codes = dict(mapping)
        for number, old in enumerate(sorted(self.missing.values(), reverse=True)):
            self.codes[old] = len(mapping) + number
        # Only the glyphs drawn (a shared subset maps thousands).
        self.hex = {old: f"<{self.codes[old]:04x}>" for old in self.widths}


class _Fonts:
    """A document's fonts, and the notice lines it draws (DrawnLine) as its first pass found them."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, int], _Font] = {}
        # By id(): the lines are the drawing's own objects, alive as long as the document (a
        # SetLine's hash goes through every field).
        self.lines: dict[int, DrawnLine | None] = {}
        self.fresh: set[int] = set()      # lines the caller did not bring
        self.parsed: dict[int, tuple[DrawnLine, ...]] = {}   # KeptLines read, by id()

    def get(self, face: FontFace) -> _Font:
        key = (face.path, face.index)
        font = self.by_key.get(key)
        if font is None:
            font = self.by_key[key] = _Font(face, f"F{len(self.by_key) + 1}")
        return font


class _Writer:
    """Writes text boxes the way WeasyPrint 70's draw_first_line does (see the module doc).

    A document is drawn twice: first to learn its glyphs (collect=True: shaping, widths, text;
    nothing written), then, its fonts cut, to write the content with the subsets' codes."""

    def __init__(self, fonts: _Fonts, collect: bool = False) -> None:
        self.fonts = fonts
        self.collect = collect
        self.ops: list[str] = []
        self.current: tuple[str, int] | None = None

    def begin_text(self) -> None:
        self.ops.append("/DeviceCMYK cs\n0 0 0 1 scn\nBT\n")
        self.current = None

    def end_text(self) -> None:
        self.ops.append("ET\n")

    def box(self, face: FontFace, text: str, x: float, y: float, spacing_pu: int = 0,
            half: bool = False) -> float:
        """Draw one text box with its origin at (x, baseline y) in px; return its width in px
        as WeasyPrint lays it out (its glyphs' widths, and one letter-spacing more)."""
        glyphs, clusters, advances = _shape(face, text, half)
        # Each cluster but the first has the left half before it, each but the last the right
        # half after it.
        left, right = _halves(spacing_pu) if spacing_pu else (0, 0)
        last_cluster = clusters - 1
        width = _box_width(clusters, advances, spacing_pu)
        if not text.strip():
            # WeasyPrint draws no box of white space only (a space between two solid runs):
            # it takes its width, and the next box starts after it.
            return width
        font = self.fonts.get(face)
        if self.collect:
            self._learn(font, face.size_pu, glyphs)
        else:
            self._write(font, face.size_pu, glyphs, x, y, left, right, last_cluster)
        return width

    @staticmethod
    def _learn(font: _Font, size_pu: int, glyphs: tuple[_Glyph, ...]) -> None:
        font_size = size_pu * FROM_UNITS
        hb_font = None
        for glyph_id, advance, _, _, _, first, _, text in glyphs:
            code = glyph_id
            if glyph_id < 0:
                code = font.missing.setdefault(text, -1 - len(font.missing))
            if code not in font.to_unicode:
                font.to_unicode[code] = text if first else ""
            if code not in font.widths:
                if glyph_id >= 0:
                    hb_font = hb_font or font.font_at(size_pu)
                    advance = hb_font.get_glyph_h_advance(glyph_id)
                font.widths[code] = round(advance * 1000 * FROM_UNITS / font_size)

    def _write(self, font: _Font, size_pu: int, glyphs: tuple[_Glyph, ...], x: float, y: float,
               left: int, right: int, last_cluster: int) -> None:
        self._place(font, size_pu, x, y)
        self.ops.append(_tj(glyphs, size_pu, left, right, last_cluster, font.widths, font.hex,
                            font.missing))

    def _place(self, font: _Font, size_pu: int, x: float, y: float) -> None:
        """A text box's origin, and its font where it changes."""
        self.ops.append(f"1 0 0 -1 {_num(x)} {_num(y)} Tm\n")
        if self.current != (font.resource, size_pu):
            self.ops.append(f"/{font.resource} {_num(size_pu * FROM_UNITS)} Tf\n")
            self.current = (font.resource, size_pu)

    def line(self, line: SetLine, pair: tuple[FontFace, FontFace],
             given: tuple[KeptLines, int] | None) -> DrawnLine | None:
        """The line as this document writes it: as this process drew it before, as the caller
        kept it (given: the notice's kept lines and the line's index in them, read only if this
        process has not drawn the line), or drawn now; None where it cannot be kept (a character
        the fonts lack): it is drawn box by box then. The first pass finds it and learns its
        glyphs; the second looks it up."""
        doc = self.fonts
        key = id(line)
        if key in doc.lines or not self.collect:
            return doc.lines[key]
        drawn = _known_line(line, pair)
        if drawn is None and given is not None:
            kept = doc.parsed.get(id(given[0]))
            if kept is None:
                kept = doc.parsed[id(given[0])] = given[0].lines()
            drawn = kept[given[1]] if given[1] < len(kept) and kept[given[1]].text == line.text else None
            if drawn is not None:
                _remember_line(line, pair, drawn)
        if drawn is None:
            drawn = _drawn_line(line, pair)
        if drawn is not None and given is None:
            doc.fresh.add(key)
        if drawn is not None and not self._learn_line(drawn, pair):
            # A glyph this document already has at another width (a face drawn first at
            # another size, whose width rounds differently): the line is drawn again with the
            # document's widths, for this document only.
            doc.fresh.discard(key)
            fonts = (doc.get(pair[0]), doc.get(pair[1]))
            drawn = _make_line(line, pair, (fonts[0].widths, fonts[1].widths))
            if drawn is not None:
                self._learn_line(drawn, pair)
        doc.lines[key] = drawn
        return drawn

    def _learn_line(self, drawn: DrawnLine, pair: tuple[FontFace, FontFace]) -> bool:
        """The line's glyphs into the document's fonts (as _learn does box by box); False if one
        has another width there already."""
        fonts = (self.fonts.get(pair[0]), self.fonts.get(pair[1]))
        for role, glyph_id, width, text in drawn.glyphs:
            font = fonts[role]
            known = font.widths.setdefault(glyph_id, width)
            if known != width:
                return False
            font.to_unicode.setdefault(glyph_id, text)
        return True

    def write_line(self, drawn: DrawnLine, pair: tuple[FontFace, FontFace], x: float,
                   y: float) -> None:
        if self.collect:
            return
        fonts = (self.fonts.get(pair[0]), self.fonts.get(pair[1]))
        for role, dx, template, glyph_ids in drawn.boxes:
            font = fonts[role]
            self._place(font, pair[role].size_pu, x + dx, y)
            self.ops.append(template % tuple(map(font.hex.__getitem__, glyph_ids)))

    def width(self, face: FontFace, text: str) -> float:
        """The width in px of a text box without letter-spacing (for centring, aligning)."""
        return _shape(face, text, False)[2] * FROM_UNITS

    def raw(self, text: str) -> None:
        self.ops.append(text)


# The TJ numbers around a glyph, by (size, width kept for it, x offset, width drawn): a column
# has a few thousand; emptied when it holds many more.
_NUMBERS: dict[tuple[int, int, int, int], tuple[str, str]] = {}


def _tj(glyphs: tuple[_Glyph, ...], size_pu: int, left: int, right: int, last_cluster: int,
        widths: dict[int, int], hexes: dict[int, str], missing: dict[str, int]) -> str:
    """One text box's TJ operator as WeasyPrint 70's draw_first_line writes it: each glyph's
    code between the numbers that put it where Pango placed it (its x offset, and its advance
    with the letter-spacing halves against the width the font's /W gives it)."""
    font_size = size_pu * FROM_UNITS
    numbers = _NUMBERS
    if len(numbers) > 100_000:
        numbers.clear()
    tokens = ["["]
    for glyph_id, advance, x_offset, y_offset, cluster, first, last, text in glyphs:
        width = advance
        if first and cluster > 0:
            width += left
            x_offset += left
        if last and cluster < last_cluster:
            width += right
        code = glyph_id if glyph_id >= 0 else missing[text]
        logical = widths[code]
        key = (size_pu, logical, x_offset, width)
        around = numbers.get(key)
        if around is None:
            offset = x_offset / font_size
            kerning = logical + offset - width * 1000 * FROM_UNITS / font_size
            around = numbers[key] = (f" {-offset}" if offset else "",
                                     f" {int(kerning)}" if kerning else "")
        if y_offset:
            # Not met in horizontal CJK text; drawn as WeasyPrint does (a text rise).
            tokens.append(f"] TJ\n{_num(-y_offset / 1000)} Ts\n[{around[0]}{hexes[code]}] TJ"
                          f"\n0 Ts\n[{around[1]}")
        else:
            tokens.append(f"{around[0]}{hexes[code]}{around[1]}")
    tokens.append("] TJ\n")
    return "".join(tokens)


def _box_width(clusters: int, advances: int, spacing_pu: int) -> float:
    """A text box's width in px as WeasyPrint lays it out: its glyphs' widths, a letter-spacing
    between clusters and one more after the last."""
    spacing_px = float(css_letter_spacing(spacing_pu)[:-2]) if spacing_pu else 0.0
    return (advances + (clusters - 1) * spacing_pu) * FROM_UNITS + spacing_px


# -- a line as drawn, kept ---------------------------------------------------------------------

@dataclass(frozen=True)
class DrawnLine:
    """A set line as the drawer writes it into any document, from the line's origin.

    boxes: each text box's face (0 the title's, 1 the body's), its x in px from the line's start,
    its TJ operator with "%s" where a glyph's code goes (a document's subset numbers its glyphs
    its own way) and the glyph ids that fill them, in order; glyphs: the glyphs met, each once,
    in order, with the width a document's font keeps for it (thousandths of an em) and its text:
    what a document learns from the line (its fonts' /W, ToUnicode, subset).

    Made once per line; kept by the process and, through the app, beside the notice's stored
    setting (drawn_to_data), so that drawing a notice again is filling in its strings: no
    shaping, no arithmetic per glyph. text: the line's text, checked against the line it is
    drawn for."""

    text: str
    boxes: tuple[tuple[int, float, str, tuple[int, ...]], ...]
    glyphs: tuple[tuple[int, int, int, str], ...]


_GLYPH_ID, _Y_OFFSET = itemgetter(0), itemgetter(3)


class _Slots(dict[int, str]):
    """Every glyph's code as "%s", for a DrawnLine's TJ templates."""

    def __missing__(self, key: int) -> str:
        return "%s"


_SLOTS = _Slots()


def _line_boxes(line: SetLine) -> list[tuple[int, str, int, bool, float]]:
    """A line's text boxes as _notice.html writes them: (face, text, letter-spacing, half-width
    form, space after it in px) - the title, then the body's plain text, solid runs (with their
    margin) and half-width marks."""
    spacing = line.spacing_pu
    out: list[tuple[int, str, int, bool, float]] = []
    if line.title:
        out.append((0, line.title, spacing, False, 0.0))
    pieces = line.body_pieces
    margin_px = float(f"{round((spacing - line.tight_pu) * FROM_UNITS, 6):.6f}")
    for number, (text, tag, _) in enumerate(pieces):
        if not text:
            continue
        if tag == "d":
            out.append((1, text, line.tight_pu, False, margin_px if number < len(pieces) - 1 else 0.0))
        else:
            out.append((1, text, spacing, tag == "h", 0.0))
    return out


def _make_line(line: SetLine, pair: tuple[FontFace, FontFace],
               widths: tuple[dict[int, int], dict[int, int]] | None = None) -> DrawnLine | None:
    """The line drawn from its origin, glyph widths as the faces give them (or, where widths
    has them, as a document keeps them); None if it cannot be written the same in every
    document: a character the fonts lack, a glyph raised or lowered."""
    boxes: list[tuple[int, float, str, tuple[int, ...]]] = []
    # Per face, each glyph's text where it is first met in the line.
    texts: tuple[dict[int, str], dict[int, str]] = ({}, {})
    logicals: list[dict[int, int]] = [{}, {}]
    x = 0.0
    for role, text, spacing_pu, half, after in _line_boxes(line):
        face = pair[role]
        shaped, clusters, advances = _shape(face, text, half)
        width = _box_width(clusters, advances, spacing_pu)
        if text.strip():
            ids = tuple(map(_GLYPH_ID, shaped))
            if min(ids) < 0 or any(map(_Y_OFFSET, shaped)):
                return None
            logical: dict[int, int] = _own_widths(face)
            if widths is not None:
                logical = {glyph_id: widths[role].get(glyph_id, logical[glyph_id]) for glyph_id in ids}
                logicals[role].update(logical)
            else:
                logicals[role] = logical
            met = {glyph[0]: glyph[7] if glyph[5] else "" for glyph in reversed(shaped)}
            met.update(texts[role])
            texts[role].update(met)
            left, right = _halves(spacing_pu) if spacing_pu else (0, 0)
            template = _tj(shaped, face.size_pu, left, right, clusters - 1, logical, _SLOTS, {})
            boxes.append((role, x, template, ids))
        x += width + after
    glyphs = tuple((role, glyph_id, logicals[role][glyph_id], text)
                   for role in (0, 1) for glyph_id, text in texts[role].items())
    return DrawnLine(line.text, tuple(boxes), glyphs)


# Lines this process has drawn, by (line, title face, body face): a notice drawn for its preview
# is not shaped again for the column. Some 2 KB a line; 20 000 lines are some 2 000 notices.
_DRAWN: dict[tuple[SetLine, FontFace, FontFace], DrawnLine | None] = {}
_DRAWN_MAX = 20_000
_DRAWN_LOCK = threading.Lock()


def _known_line(line: SetLine, pair: tuple[FontFace, FontFace]) -> DrawnLine | None:
    with _DRAWN_LOCK:
        return _DRAWN.get((line, pair[0], pair[1]))


def _remember_line(line: SetLine, pair: tuple[FontFace, FontFace], drawn: DrawnLine | None) -> None:
    with _DRAWN_LOCK:
        if len(_DRAWN) >= _DRAWN_MAX:
            del _DRAWN[next(iter(_DRAWN))]
        _DRAWN[(line, pair[0], pair[1])] = drawn


def _drawn_line(line: SetLine, pair: tuple[FontFace, FontFace]) -> DrawnLine | None:
    key = (line, pair[0], pair[1])
    with _DRAWN_LOCK:
        if key in _DRAWN:
            return _DRAWN[key]
    drawn = _make_line(line, pair)
    _remember_line(line, pair, drawn)
    return drawn


# -- a notice's drawn lines as data (kept beside its stored setting) ---------------------------

@lru_cache(maxsize=64)
def drawn_fingerprint(settings: LayoutSettings) -> str:
    """What a notice's drawn lines depend on beyond its setting: this code (the setting's
    fingerprint covers the fonts, their sizes and the line breaker)."""
    code = Path(__file__).read_bytes()
    return hashlib.sha256(setting_fingerprint(settings).encode() + code).hexdigest()[:32]


@dataclass(frozen=True)
class KeptLines:
    """A notice's drawn lines as kept beside its setting: the JSON text drawn_to_data's data was
    stored as, once drawn_from_json has checked it. The drawer reads it (lines()) only for a
    line it has not drawn itself: carried as text, it costs a render worker nothing to receive."""

    text: str
    count: int

    def lines(self) -> tuple[DrawnLine, ...]:
        return tuple(DrawnLine(text, tuple((role, dx, template, tuple(ids)) for role, dx, template, ids in boxes),
                               tuple((role, glyph_id, width, glyph_text)
                                     for role, glyph_id, width, glyph_text in glyphs))
                     for text, boxes, glyphs in json.loads(self.text)["lines"])

    @classmethod
    def of(cls, lines: Sequence[DrawnLine], settings: LayoutSettings) -> "KeptLines":
        """Lines just drawn (ColumnResult.drawn), as they are kept."""
        return cls(json.dumps(drawn_to_data(lines, settings), ensure_ascii=False, separators=(",", ":")),
                   len(lines))


def drawn_to_data(lines: Sequence[DrawnLine], settings: LayoutSettings) -> dict[str, Any]:
    """A notice's drawn lines as JSON-ready data, to keep beside its setting (drawn_from_json)."""
    return {"fingerprint": drawn_fingerprint(settings),
            "lines": [[line.text, [[role, dx, template, list(ids)] for role, dx, template, ids in line.boxes],
                       [list(glyph) for glyph in line.glyphs]] for line in lines]}


# A TJ template: glyph slots and the numbers between them, nothing else (it goes into the page's
# content stream as it is).
_TEMPLATE = re.compile(r"\[(?:%s| -?[0-9]+(?:\.[0-9]+)?(?:e-?[0-9]+)?)*\] TJ\n")
_MAX_GLYPH = 0xFFFF


def drawn_from_json(text: str, setting: SetNotice, settings: LayoutSettings) -> KeptLines | None:
    """The drawn lines kept for setting (JSON text, as stored), checked: made by this code for
    these settings, one per line of the setting and spelling the same text, each box's TJ
    template nothing but glyph slots and numbers, every glyph id in range and in the line's
    glyphs (which give its width and text). None where anything is off: the lines are drawn
    again."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return KeptLines(text, len(setting.lines)) if drawn_from_data(data, setting, settings) is not None else None


def drawn_from_data(data: Any, setting: SetNotice,
                    settings: LayoutSettings) -> tuple[DrawnLine, ...] | None:
    """drawn_from_json's checks on the data itself; the lines, or None."""
    try:
        if data.get("fingerprint") != drawn_fingerprint(settings) or \
                len(data["lines"]) != len(setting.lines):
            return None
        out = []
        for (text, boxes, glyphs), line in zip(data["lines"], setting.lines, strict=True):
            if text != line.text:
                return None
            learned: tuple[set[int], set[int]] = (set(), set())
            kept_glyphs = []
            for role, glyph_id, width, glyph_text in glyphs:
                if role not in (0, 1) or not _whole(glyph_id, _MAX_GLYPH) or not _whole(width, 100_000) \
                        or not isinstance(glyph_text, str) or len(glyph_text) > 8:
                    return None
                learned[role].add(glyph_id)
                kept_glyphs.append((role, glyph_id, width, glyph_text))
            kept_boxes = []
            for role, dx, template, ids in boxes:
                if role not in (0, 1) or not isinstance(dx, (int, float)) or isinstance(dx, bool) \
                        or not 0 <= dx < 10_000 or not isinstance(template, str) \
                        or _TEMPLATE.fullmatch(template) is None or template.count("%s") != len(ids) \
                        or not learned[role].issuperset(ids):
                    return None
                kept_boxes.append((role, float(dx), template, tuple(ids)))
            out.append(DrawnLine(text, tuple(kept_boxes), tuple(kept_glyphs)))
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    return tuple(out)


def _whole(value: object, limit: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= limit


def _metrics(face: FontFace) -> tuple[float, float]:
    """(ascent, descent) in px, as Pango reports them for the face at its size."""
    extents = face.hb_font.get_font_extents("ltr")
    return extents.ascender * FROM_UNITS, -extents.descender * FROM_UNITS


def _baseline(face: FontFace, line_height_px: float) -> float:
    """From the top of a line box of that height to its baseline (half-leading + ascent)."""
    ascent, descent = _metrics(face)
    return (line_height_px - (ascent + descent)) / 2 + ascent


# -- notices ----------------------------------------------------------------------------------

def _draw_line(w: _Writer, line: SetLine, x: float, y: float,
               pair: tuple[FontFace, FontFace]) -> None:
    """One set line at (x, baseline y) px, box by box: a line that cannot be kept (_make_line),
    placed as a kept one is (each box at x plus its offset in the line)."""
    dx = 0.0
    for role, text, spacing_pu, half, after in _line_boxes(line):
        dx += w.box(pair[role], text, x + dx, y, spacing_pu, half=half) + after


def _draw_lines(w: _Writer, lines: Sequence[SetLine], x: float, top: float,
                settings: LayoutSettings, kept: KeptLines | None = None, first_kept: int = 0) -> None:
    """Lines one below the other from (x, top) px; kept: the notice's lines as kept before
    (with its stored setting), these lines from first_kept on, where known."""
    pair = faces(settings)
    lead = _css_px(settings.leading_pt)
    first = _baseline(pair[1], lead)
    for number, line in enumerate(lines):
        # A line that starts further in (SetLine.indent_pt): as the template's <i> block.
        start = x + _css_px(line.indent_pt) if line.indent_pt else x
        y = top + number * lead + first
        drawn = w.line(line, pair, (kept, first_kept + number) if kept is not None else None)
        if drawn is None:
            _draw_line(w, line, start, y, pair)
        else:
            w.write_line(drawn, pair, start, y)


# -- furniture: WeasyPrint's border paths (draw/border.py) for our boxes -----------------------

def _border_side(w: _Writer, box: tuple[float, float, float, float], side: str, width: float,
                 colour: str = "0 0 0 1") -> None:
    """A box with a solid border on one side only, as WeasyPrint draws it: clipped to the
    side's segment, then the border box minus the padding box filled even-odd."""
    x, y, bw, bh = box
    q = []
    if side == "top":
        q += [(x + bw, y), (x, y), (x, y + width), (x + bw, y + width)]
        padding = (x, y + width, bw, bh - width)
    elif side == "bottom":
        q += [(x + bw, y + bh), (x, y + bh), (x, y + bh - width), (x + bw, y + bh - width)]
        padding = (x, y, bw, bh - width)
    else:  # left
        q += [(x, y + bh), (x, y), (x + width, y), (x + width, y + bh)]
        padding = (x + width, y, bw - width, bh)
    path = f"{_num(q[0][0])} {_num(q[0][1])} m\n" + "".join(
        f"{_num(px)} {_num(py)} l\n" for px, py in q[1:])
    w.raw(f"q\n{path}W*\nn\n/DeviceCMYK cs\n{colour} scn\n"
          f"{' '.join(_num(v) for v in padding)} re\n{' '.join(_num(v) for v in box)} re\nf*\nQ\n")


def _double_border(w: _Writer, box: tuple[float, float, float, float], width: float) -> None:
    """A box with a double border on all four sides (the contact box), as WeasyPrint draws it."""
    x, y, bw, bh = box

    def inset(d: float) -> str:
        return f"{_num(x + d)} {_num(y + d)} {_num(bw - 2 * d)} {_num(bh - 2 * d)} re\n"
    w.raw("q\n/DeviceCMYK cs\n0 0 0 1 scn\n" + inset(width) + inset(width / 3)
          + inset(width * 2 / 3) + inset(0) + "f*\nQ\n")


def _draw_band(w: _Writer, page: DrawnPage, g: PageGeometry, settings: LayoutSettings) -> None:
    """The header band: the section title, the newspaper and date, the thick and thin rules."""
    left, top = _css_px(g.slug), _css_px(g.slug)
    width, height = _css_px(g.area_width), _css_px(g.band_height)
    rule = _css_px(g.band_rule)
    _border_side(w, (left, top, width, height + rule), "bottom", rule)
    bottom = top + height
    # .band .t: bold sans, line-height 1.2, letter-spacing 0.2em, at the band's bottom left.
    title_face = load_face(settings.title_font, 700, round(g.band_title_size, 4))
    size = _css_px(g.band_title_size)
    line_height = size * 1.2
    w.begin_text()
    w.box(title_face, page.header, left, bottom - line_height + _baseline(title_face, line_height),
          int(0.2 * size * PANGO_SCALE))
    w.end_text()
    # .band .m: body type, line-height normal, 0.15 em above the band's bottom, flush right.
    meta_face = load_face(settings.body_font, 400, settings.body_size_pt)
    _, descent = _metrics(meta_face)
    meta_bottom = bottom - 0.15 * _css_px(settings.body_size_pt)
    w.begin_text()
    w.box(meta_face, page.meta, left + width - w.width(meta_face, page.meta), meta_bottom - descent)
    w.end_text()
    # The thin rule below the band.
    _border_side(w, (left, _css_px(g.thin_rule_top), width, _css_px(g.thin_rule)), "top",
                 _css_px(g.thin_rule))


def _draw_rules(w: _Writer, g: PageGeometry, settings: LayoutSettings) -> None:
    if not settings.column_rules or settings.columns < 2:
        return
    weight = _css_px(settings.column_rule_weight_pt)
    top, height = _css_px(g.columns_top), _css_px(g.area_height - g.header_height)
    for column in range(1, settings.columns):
        x = g.column_left(column) + g.column_width + settings.gutter_mm * 72 / 25.4 / 2
        _border_side(w, (_css_px(x), top, weight, height), "left", weight)


def _draw_notice_rules(w: _Writer, page: DrawnPage, settings: LayoutSettings) -> None:
    """The rules between notices: column.html's .nrule boxes, a top border and no height."""
    weight = _css_px(settings.notice_rule_weight_pt)
    for x, y, width in page.notice_rules:
        _border_side(w, (_css_px(x), _css_px(y), _css_px(width), weight), "top", weight)


def _draw_contact(w: _Writer, drawing: ColumnDrawing, at: tuple[float, float],
                  g: PageGeometry) -> None:
    x, y = _css_px(at[0]), _css_px(at[1])
    width, height = _css_px(g.column_width), _css_px(drawing.contact_height_pt)
    border = _css_px(g.contact_border)
    _double_border(w, (x, y, width, height), border)
    inner = width - 2 * border
    top = y + border + _css_px(g.contact_padding)
    w.begin_text()
    for line in drawing.contact_lines:
        face = load_face(line.font, line.weight, round(line.size_pt, 4))
        line_height = _css_px(line.line_height_pt)
        offset = (inner - w.width(face, line.text)) / 2
        w.box(face, line.text, x + border + max(offset, 0.0), top + _baseline(face, line_height))
        top += line_height
    w.end_text()


def _draw_marks(w: _Writer, g: PageGeometry) -> None:
    for mark in g.crop_marks():
        weight = _css_px(mark["weight"])
        x, y = _css_px(mark["x"]), _css_px(mark["y"])
        if mark["side"] == "border-top-width":
            _border_side(w, (x, y, _css_px(mark["w"]), weight), "top", weight, "1 1 1 1")
        else:
            _border_side(w, (x, y, weight, _css_px(mark["h"])), "left", weight, "1 1 1 1")


def _draw_column_page(w: _Writer, drawing: ColumnDrawing, page: DrawnPage) -> None:
    settings = drawing.settings
    g = PageGeometry(settings, drawing.contact_height_pt)
    _draw_band(w, page, g, settings)
    _draw_rules(w, g, settings)
    _draw_notice_rules(w, page, settings)
    columns_top = _css_px(g.columns_top)
    column_left = _css_px(g.slug)          # .cols left, then one float per column
    column_step = _css_px(g.column_width) + _css_px(settings.gutter_mm * 72 / 25.4)
    if page.segments:
        w.begin_text()
        for segment in page.segments:
            x = column_left + (segment.column - 1) * column_step
            _draw_lines(w, segment.lines, x, columns_top + segment.y_pt * PX, settings, segment.drawn,
                        segment.first)
        w.end_text()
    if page.contact is not None:
        _draw_contact(w, drawing, page.contact, g)
    _draw_marks(w, g)


# -- the PDF ----------------------------------------------------------------------------------

def _cut(face: hb.Face, glyphs: frozenset[int], notdef: bool) -> tuple[bytes, dict[int, int]]:
    """The font cut to `glyphs` (glyph ids renumbered in order, CIDs = new glyph ids, no hints,
    no subroutines, no layout tables) and the old -> new glyph id map. `notdef`: keep the
    missing-glyph box's outline (a character the font lacks is drawn)."""
    subset_input = hb.SubsetInput()
    for glyph in glyphs:
        subset_input.glyph_set.add(glyph)
    flags = (hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NO_HINTING
             | hb.SubsetFlags.CFF_IDENTITY_CHARSET | hb.SubsetFlags.NO_LAYOUT_CLOSURE)
    if notdef:
        flags |= hb.SubsetFlags.NOTDEF_OUTLINE
    subset_input.flags = flags
    drop = subset_input.drop_table_tag_set
    for tag in _DROP_TABLES:
        drop.add(int.from_bytes(tag.encode(), "big"))
    plan = hb.SubsetPlan(face, subset_input)
    mapping = dict(plan.old_to_new_glyph_mapping)
    return bytes(plan.execute().blob.data), mapping


# A subset: (font program, old -> new glyph ids, its tag).
_Subset = tuple[bytes, dict[int, int], str]


@lru_cache(maxsize=64)
def _exact_subset(path: str, index: int, glyphs: frozenset[int], notdef: bool) -> _Subset:
    """HarfBuzz's subsetter takes some 2 ms of set-up per font whatever the glyphs: a subset
    asked for again (a title's few glyphs, a column rendered twice) is served from here."""
    program, mapping = _cut(_hb_face(path, index), glyphs, notdef)
    return program, mapping, _tag(program)


# Shared subsets for previews that are only rasterised: per font file, one subset holding the
# glyphs of the characters notices use most (subset_cache.py's ASCII and GB 2312 symbols and
# level-1 hanzi), grown by any glyph a preview needs beyond it. Drawn the same (the same
# outlines), it spares each preview its own cut.
_shared: dict[tuple[str, int, bool], tuple[frozenset[int], _Subset]] = {}
MAX_SHARED_GLYPHS = 12_000


def _shared_subset(font: _Font, needed: frozenset[int], notdef: bool) -> _Subset:
    key = (font.face.path, font.face.index, notdef)
    entry = _shared.get(key)
    if entry is not None and entry[0].issuperset(needed):
        return entry[1]
    if entry is None:
        from .subset_cache import _common_characters

        nominal = font.font_at(font.face.size_pu).get_nominal_glyph
        base = frozenset(g for g in (nominal(ord(c)) for c in _common_characters()) if g)
    else:
        base = entry[0]
    glyphs = base | needed
    if len(glyphs) > MAX_SHARED_GLYPHS:
        return _exact_subset(font.face.path, font.face.index, needed, notdef)
    program, mapping = _cut(font.hb_face, glyphs, notdef)
    subset = (program, mapping, _tag(program))
    _shared[key] = (glyphs, subset)
    return subset


def _subset(font: _Font, shared: bool) -> _Subset:
    glyphs = frozenset(code for code in font.widths if code >= 0) | {0}
    notdef = bool(font.missing)
    if shared:
        return _shared_subset(font, glyphs, notdef)
    return _exact_subset(font.face.path, font.face.index, glyphs, notdef)


def _tag(program: bytes) -> str:
    """A subset's six-letter tag from its own bytes (as subset_tags.py names WeasyPrint's)."""
    return "".join(chr(65 + byte % 26) for byte in hashlib.sha256(program).digest()[:6])


def _to_unicode_cmap(entries: dict[int, str]) -> bytes:
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo", b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0",
             b">> def", b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(entries.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [f"<{code:04x}> <{text.encode('utf-16-be').hex()}>".encode()
                  for code, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def _missing_cmap(glyph_count: int, missing: dict[int, int]) -> bytes:
    """An encoding CMap: codes below glyph_count are glyph ids; each missing character's code
    (glyph_count and up) shows glyph 0, the font's missing-glyph box."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo", b"3 dict dup begin", b"/Registry (Adobe) def",
             b"/Ordering (Identity) def", b"/Supplement 0 def", b"end def",
             b"/CMapName /GGT-Missing def", b"/CMapType 1 def",
             b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange",
             b"1 begincidrange", f"<0000> <{glyph_count - 1:04x}> 0".encode(), b"endcidrange"]
    items = sorted(missing.values())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} begincidchar".encode())
        lines += [f"<{code:04x}> 0".encode() for code in batch]
        lines.append(b"endcidchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def _font_objects(pdf: Any, font: _Font, compress: bool, bare_cff: bool = False) -> Any:
    """Add the (cut) font's objects to the PDF; return its font dictionary. bare_cff: the
    program as a bare CFF font (FontFile3 /CIDFontType0C, PDF 1.3: PDF/X-1a, pdfx.py) instead
    of the OpenType font (/OpenType, PDF 1.6)."""
    import pydyf

    assert font.subset is not None, "a font is cut before it is written"
    program, mapping, tag = font.subset
    codes = font.codes
    glyph_count = len(mapping)
    missing_codes = {old: codes[old] for old in font.missing.values()}
    face = font.face
    family = face.family
    bold = face.weight >= 600
    name = family.replace(" ", "-") + ("-Bold" if bold else "")
    base_font = f"/{tag}+{name}"
    ascent, descent = _metrics(face)
    size_px = face.size_pu * FROM_UNITS
    ascent_units = round(ascent / size_px * 1000)
    descent_units = -round(descent / size_px * 1000)
    widths = {codes[code]: width for code, width in font.widths.items()}
    if font.missing:
        widths.setdefault(0, font.widths[next(iter(font.missing.values()))])
    if bare_cff:
        from .pdfx import cff_table
        stream = pydyf.Stream([cff_table(program)], pydyf.Dictionary({"Subtype": "/CIDFontType0C"}),
                              compress=compress)
    else:
        stream = pydyf.Stream([program], pydyf.Dictionary({"Subtype": "/OpenType"}), compress=compress)
    pdf.add_object(stream)
    flags = 4 + (2 if "Serif" in family.split(" ") else 0)
    descriptor = pydyf.Dictionary({
        "Type": "/FontDescriptor", "FontName": base_font, "FontFamily": pydyf.String(family),
        "Flags": flags,
        "FontBBox": pydyf.Array([0, descent_units, max(widths.values()), ascent_units]),
        "ItalicAngle": 0, "Ascent": ascent_units, "Descent": descent_units,
        "CapHeight": ascent_units, "StemV": 80, "StemH": 80, "FontFile3": stream.reference})
    pdf.add_object(descriptor)
    w_array = pydyf.Array()
    previous = None
    current: Any = None
    for code in sorted(widths):
        if previous is None or code != previous + 1:
            current = pydyf.Array()
            w_array.extend([code, current])
        current.append(widths[code])
        previous = code
    cid_font = pydyf.Dictionary({
        "Type": "/Font", "Subtype": "/CIDFontType0", "BaseFont": base_font,
        "CIDSystemInfo": pydyf.Dictionary({"Registry": pydyf.String("Adobe"),
                                           "Ordering": pydyf.String("Identity"),
                                           "Supplement": 0}),
        "W": w_array, "FontDescriptor": descriptor.reference})
    pdf.add_object(cid_font)
    text = {codes[code]: value for code, value in font.to_unicode.items()}
    to_unicode = pydyf.Stream([_to_unicode_cmap(text)], compress=compress)
    pdf.add_object(to_unicode)
    font_dict = pydyf.Dictionary({
        "Type": "/Font", "Subtype": "/Type0", "BaseFont": base_font,
        "ToUnicode": to_unicode.reference, "Encoding": "/Identity-H",
        "DescendantFonts": pydyf.Array([cid_font.reference])})
    if missing_codes:
        encoding = pydyf.Stream(
            [_missing_cmap(glyph_count, missing_codes)],
            pydyf.Dictionary({"Type": "/CMap", "CMapName": "/GGT-Missing",
                              "CIDSystemInfo": pydyf.Dictionary({
                                  "Registry": pydyf.String("Adobe"),
                                  "Ordering": pydyf.String("Identity"), "Supplement": 0})}),
            compress=compress)
        pdf.add_object(encoding)
        font_dict["Encoding"] = encoding.reference
    pdf.add_object(font_dict)
    return font_dict


def _icc_name(profile: bytes) -> str:
    """The profile's own description (what WeasyPrint writes as the output condition)."""
    import io

    from PIL import ImageCms

    description = ImageCms.ImageCmsProfile(io.BytesIO(profile)).profile.profile_description
    return (description or "").strip() or "CMYK"


def _dates(now: time.struct_time) -> tuple[str, str]:
    """(ISO 8601, PDF date) of now with its UTC offset."""
    sign = "+" if now.tm_gmtoff >= 0 else "-"
    hours, minutes = abs(now.tm_gmtoff) // 3600, abs(now.tm_gmtoff) // 60 % 60
    iso = f"{time.strftime('%Y-%m-%dT%H:%M:%S', now)}{sign}{hours:02}:{minutes:02}"
    pdf = f"D:{time.strftime('%Y%m%d%H%M%S', now)}{sign}{hours:02}'{minutes:02}'"
    return iso, pdf


def _xmp(title: str, author: str, description: str, when: str) -> bytes:
    """XMP metadata of a PDF/X-4 (ISO 15930-7: the version in pdfxid, dates, document ID)."""
    from uuid import uuid4
    from xml.sax.saxutils import escape

    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>
<pdf:Trapped>False</pdf:Trapped>
<pdf:Producer>{escape(PRODUCER)}</pdf:Producer>
<xmp:CreateDate>{when}</xmp:CreateDate>
<xmp:ModifyDate>{when}</xmp:ModifyDate>
<xmp:MetadataDate>{when}</xmp:MetadataDate>
<xmpMM:DocumentID>uuid:{uuid4()}</xmpMM:DocumentID>
<xmpMM:RenditionClass>default</xmpMM:RenditionClass>
<xmpMM:VersionID>1</xmpMM:VersionID>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(description)}</rdf:li></rdf:Alt>
</dc:description>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>""".encode()


@dataclass(frozen=True)
class _Page:
    content: str
    boxes: dict[str, list[float]]
    height: float      # media height in pt, as the content's y-flip uses it


# zlib level of content streams: measured on 200 notices (500 KB of content), level 3 takes
# 5 ms where the default (6) takes 17, for 15 KB more.
CONTENT_ZLIB_LEVEL = 3


def _deflated(data: bytes, compress: bool) -> Any:
    """A content stream, compressed at CONTENT_ZLIB_LEVEL when `compress`."""
    import pydyf

    if not compress:
        return pydyf.Stream([data])
    return pydyf.Stream([zlib.compress(data, CONTENT_ZLIB_LEVEL)],
                        pydyf.Dictionary({"Filter": "/FlateDecode"}))


def _write_pdf(pages: list[_Page], fonts: _Fonts, *, title: str, author: str,
               description: str, icc: bytes | None, compress: bool,
               standard: str = "pdf/x-4") -> bytes:
    """The PDF of the drawn pages; with an output profile `icc`, a PDF/X by `standard`
    ("pdf/x-4" or "pdf/x-1a": PDF/X-1a:2001, pdfx.py)."""
    import io

    import pydyf

    x1a = icc is not None and standard == "pdf/x-1a"
    pdf = pydyf.PDF()
    font_resources = pydyf.Dictionary()
    for font in fonts.by_key.values():
        font_resources[font.resource] = _font_objects(pdf, font, compress, bare_cff=x1a).reference
    pdf.add_object(font_resources)
    resources = pydyf.Dictionary({"Font": font_resources.reference})
    pdf.add_object(resources)
    for page in pages:
        head = f"1 0 0 -1 0 {_num(page.height)} cm\n0.75 0 0 0.75 0 0 cm\n".encode()
        content = _deflated(head + page.content.encode(), compress)
        pdf.add_object(content)
        pdf_page = pydyf.Dictionary({
            "Type": "/Page", "Parent": pdf.pages.reference, "Contents": content.reference,
            "Resources": resources.reference})
        for name in ("MediaBox", "TrimBox", "BleedBox"):
            pdf_page[name] = pydyf.Array([round(v, 4) for v in page.boxes[name]])
        pdf.add_page(pdf_page)
    pdf.info["Producer"] = pydyf.String(PRODUCER)
    pdf.info["Title"] = pydyf.String(title)
    pdf.info["Author"] = pydyf.String(author)
    pdf.info["Subject"] = pydyf.String(description)
    if not x1a:
        pdf.catalog["Lang"] = pydyf.String("zh-CN")   # PDF 1.4: not in a PDF/X-1a:2001
    version = b"1.7"
    if icc is not None:
        # PDF/X-4 (ISO 15930-7): an output intent with the CMYK profile, the version in XMP,
        # Trapped, dates, and a file identifier in the trailer.
        version = b"1.6"
        iso, date = _dates(time.localtime())
        pdf.info["Trapped"] = "/False"
        pdf.info["CreationDate"] = pydyf.String(date)
        pdf.info["ModDate"] = pydyf.String(date)
        profile = pydyf.Stream([icc], pydyf.Dictionary({"N": 4}), compress=compress)
        pdf.add_object(profile)
        name = _icc_name(icc)
        pdf.catalog["OutputIntents"] = pydyf.Array([pydyf.Dictionary({
            "Type": "/OutputIntent", "S": "/GTS_PDFX",
            "OutputConditionIdentifier": pydyf.String(name), "Info": pydyf.String(name),
            "DestOutputProfile": profile.reference})])
        if x1a:
            # PDF/X-1a:2001 (ISO 15930-1): PDF 1.3, its version in the document information.
            from .pdfx import X1A_CONFORMANCE, X1A_PDF_VERSION, X1A_VERSION
            version = X1A_PDF_VERSION.encode()
            pdf.info["GTS_PDFXVersion"] = pydyf.String(X1A_VERSION)
            pdf.info["GTS_PDFXConformance"] = pydyf.String(X1A_CONFORMANCE)
        else:
            metadata = pydyf.Stream([_xmp(title, author, description, iso)],
                                    pydyf.Dictionary({"Type": "/Metadata", "Subtype": "/XML"}))
            pdf.add_object(metadata)
            pdf.catalog["Metadata"] = metadata.reference
    out = io.BytesIO()
    pdf.write(out, version=version, identifier=icc is not None, compress=compress)
    return out.getvalue()


# Draws a document's pages with a writer: draw_page(writer, page index) for each page.
_DrawPage = Callable[[_Writer, int], None]


def _draw_twice(fonts: _Fonts, draw_page: _DrawPage, count: int, shared: bool) -> list[str]:
    """Draw the document's pages once to learn its glyphs, cut its fonts, and draw them again
    with the subsets' codes: the content of each page."""
    collector = _Writer(fonts, collect=True)
    for index in range(count):
        draw_page(collector, index)
    for font in fonts.by_key.values():
        font.cut(shared)
    contents = []
    for index in range(count):
        writer = _Writer(fonts)
        draw_page(writer, index)
        contents.append("".join(writer.ops))
    return contents


def draw_column(drawing: ColumnDrawing, *, compress: bool = True,
                kept: dict[int, dict[int, DrawnLine]] | None = None) -> bytes:
    """The column's PDF, drawn from its set lines and placements. kept: filled with the lines
    drawn here that the drawing did not bring (DrawnSegment.drawn), by notice and line index,
    for the caller to keep with the notices' settings."""
    settings = drawing.settings
    fonts = _Fonts()
    g = PageGeometry(settings, drawing.contact_height_pt)

    def draw_page(w: _Writer, index: int) -> None:
        _draw_column_page(w, drawing, drawing.pages[index])
    contents = _draw_twice(fonts, draw_page, len(drawing.pages), shared=False)
    if kept is not None:
        for page in drawing.pages:
            for segment in page.segments:
                if segment.notice < 0 or segment.drawn is not None:
                    continue
                for number, line in enumerate(segment.lines):
                    drawn = fonts.lines.get(id(line))
                    if drawn is not None and id(line) in fonts.fresh:
                        kept.setdefault(segment.notice, {})[segment.first + number] = drawn
    height = _css_px(g.media_height) * 0.75
    pages = [_Page(ops, g.boxes(), height) for ops in contents]
    icc = Path(settings.icc_profile_path).read_bytes() if settings.icc_profile_path else None
    return _write_pdf(pages, fonts, title=drawing.title, author=settings.newspaper_name,
                      description=drawing.description, icc=icc, compress=compress,
                      standard=settings.pdf_standard)


def draw_notice(lines: Sequence[SetLine], height_pt: float, settings: LayoutSettings,
                description: str, *, compress: bool = True, shared_subsets: bool = False) -> bytes:
    """The advertiser's preview: one notice at the column width, a little white around it.
    shared_subsets: fonts from the process's shared subsets (a PDF only rasterised)."""
    geometry = preview_geometry(settings, height_pt)
    fonts = _Fonts()
    pad = _css_px(geometry["pad"])

    def draw_page(w: _Writer, index: int) -> None:
        w.begin_text()
        _draw_lines(w, lines, pad, pad, settings)
        w.end_text()
    contents = _draw_twice(fonts, draw_page, 1, shared=shared_subsets)
    page = _Page(contents[0], geometry["boxes"], _css_px(geometry["media_height"]) * 0.75)
    return _write_pdf([page], fonts, title=f"{settings.newspaper_name} 公告预览",
                      author=settings.newspaper_name, description=description, icc=None,
                      compress=compress)
