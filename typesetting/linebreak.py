"""Setting one notice: break it into justified lines at the column width (measure, then place).

A notice is one paragraph: the title in bold sans, an ideographic space, then the body. We break
it ourselves instead of letting WeasyPrint do it, because WeasyPrint 70 cannot justify Chinese
(it stretches only U+0020). Each glyph cluster's advance comes from HarfBuzz on the very font
files Pango uses (fonts.py); a dynamic programme picks the breaks; every line but the last then
gets the CSS letter-spacing that makes its last glyph land on the column edge. The renderer
draws each line pre-broken (white-space: pre), so the line count - and the price - are known
before anything is rendered, and a notice set once (for its preview, say) is never broken
into lines again for the column: set_notice is cached by its inputs.

A body of several paragraphs (separated by "\n") is set paragraph by paragraph, each by its role
(paragraphs.py): justified with its first line indented, a header item to a line, a heading
centred and balanced (the title then on a line of its own before it), a numbered section heading
indented but unjustified, a signature flush right;
SetLine.indent_pt says where a line starts.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

from .errors import InputTooLarge, RenderError
from .fonts import (
    LATIN_LETTERS,
    PANGO_SCALE,
    PX_PER_PT,
    FontFace,
    half_width_form,
    load_face,
    missing_chars,
    shape_clusters,
    shape_runs,
)
from .paragraphs import (
    CLOSING,
    HEADER,
    HEADING,
    SECTION,
    SIGNATURE,
    TITLE,
    header_items,
    inside_words,
    paragraphs,
    printed_text,
)
from .settings import LayoutSettings
from .text import (
    COMPRESSIBLE,
    NO_LINE_END,
    NO_LINE_START,
    OPENING_MARKS,
    break_allowed_inside_run,
    compressed_positions,
    count_chars,
    normalize_text,
    protected_spans,
)

# Input bounds (the renderer's cost grows with input: docs/typesetting.md measured 10 KB → 1.2 s).
# The longest real notices (merger, liquidation) are ~400 characters; 3,000 is generous.
MAX_TITLE_CHARS = 30
MAX_BODY_CHARS = 3000

# Separates the run-in title from the body, as on the seed page ("遗失声明 范海英遗失…").
TITLE_GAP = "\u3000"

# Justification may add at most this much between two clusters (a quarter em is the limit the
# column must respect; keep a little margin for the renderer's rounding).
MAX_GAP_EM = 0.245

# Codes, numbers and Latin words are set solid: justification space between the digits of a
# credit code makes it look tracked out and hard to read back. On a line holding such a run (of
# at least MIN_TIGHT_CHARS), the space goes between the Chinese characters and at punctuation,
# up to STRETCH_CAP_EM each; only what they cannot take goes between the run's characters. The
# cap keeps the gap after a run under a quarter em: inside a run WeasyPrint truncates each
# glyph's TJ correction (up to 1/1000 em a glyph, _DrawModel), and the box after the run starts
# where it should, so an 18-character code leaves up to 0.018 em more after it. The line
# breaker avoids lines whose code must be spaced (_best_breaks), so a code is spaced only where
# its line has no other place, and then as little as it can be. A line whose code would be
# spaced visibly (more than SPREAD_CODE_EM between its characters) weighs as much as a split
# code: a notice with three long codes (注册号, 统一社会信用代码, 编号) in a 13-character column
# was set with four lines in a row of codes spaced 0.2 em to keep its codes whole, where
# splitting one code more set them all solid (and a reader copies a split code as easily as a
# spaced one, more easily than one whose characters look like separate words).
TIGHT_RUN = re.compile(r"[0-9A-Za-z]+(?:[-./:·][0-9A-Za-z]+)*")
MIN_TIGHT_CHARS = 2
STRETCH_CAP_EM = 0.22
SPREAD_CODE_EM = 0.05

# A runt: a last line of this many characters or fewer ("…声明作 / 废。"). Each costs the
# advertiser a line; the line breaker avoids one wherever the notice has another setting
# (_best_breaks).
RUNT_CHARS = 2

_TITLE, _BODY = 0, 1


@dataclass(frozen=True)
class SetLine:
    """One printed line: the part of the title and of the body it holds, and its spacing."""

    title: str
    body: str
    letter_spacing_pt: float  # extra space after every cluster but the last (0 on the last line)
    natural_width_pt: float   # width with no letter-spacing
    gaps: int                 # clusters - 1: the gaps letter-spacing is added to
    is_last: bool
    # Letter-spacing in Pango units, as the renderer writes it (see _choose_spacing).
    spacing_pu: int = 0
    # Runs of the body (start, end) set solid, or nearly: their letter-spacing is tight_pu,
    # and a margin after each (but one ending the line) brings the gap after it to spacing_pu.
    tight: tuple[tuple[int, int], ...] = ()
    tight_pu: int = 0
    # Offsets in the body of the punctuation marks set half-width (text.compressed_positions),
    # each drawn as a text box of its own in the font's "halt" form (fonts.half_width_form): a
    # closing or clause mark keeps its origin and advances half an em; an opening mark (one of
    # text.OPENING_MARKS, after another opening mark: "（“") advances half an em and its glyph
    # is drawn at the form's x offset, half an em left of the pen. WeasyPrint 70 writes that
    # offset as x_offset / font size in px into the TJ array, i.e. in 1/1024 em where the PDF
    # reads 1/1000, so the glyph lands 0.512 em left of the pen, and the TJ correction after it
    # brings the pen back to half an em. drawn_origins_pt gives every glyph's drawn origin.
    halts: tuple[int, ...] = ()
    # Where the line starts, pt from the column's left edge: a paragraph's first-line indent, a
    # centred heading's or a flush-right signature's offset (paragraphs.py). 0 in a notice of
    # one paragraph. Rounded to 1/10 000 pt, as the print templates write it.
    indent_pt: float = 0.0
    # A line of a header, a title on its own, a heading or a section heading (paragraphs.py):
    # it names what follows, so a column never ends on it when a notice is split (column.py).
    # So too a paragraph's first line and its last but one (no orphan, no widow), the lines of
    # the signature and the line before it (_set_paragraphs).
    keep_with_next: bool = False

    @property
    def text(self) -> str:
        return self.title + self.body

    @property
    def body_pieces(self) -> list[tuple[str, str, str]]:
        """The body as the renderer draws it: (text, element, class). Element "d" is a solid
        run with its class, "h" a half-width punctuation mark, "" plain text."""
        margin = self.spacing_pu - self.tight_pu
        pieces = _split(self.body, self.tight, self.halts)
        out = []
        for number, (text, kind) in enumerate(pieces):
            if kind == _SOLID:
                last = number == len(pieces) - 1
                out.append((text, "d", tight_class(self.tight_pu, 0 if last else margin)))
            else:
                out.append((text, "h" if kind == _HALF else "", ""))
        return out

    @property
    def letter_spacing_css(self) -> str:
        """CSS value that WeasyPrint turns back into exactly spacing_pu Pango units."""
        if not self.spacing_pu:
            return "0"
        return css_letter_spacing(self.spacing_pu)


def css_letter_spacing(spacing_pu: int) -> str:
    """CSS letter-spacing that WeasyPrint turns back into exactly spacing_pu Pango units."""
    return f"{(spacing_pu + 0.5) / PANGO_SCALE:.6f}px" if spacing_pu else "0"


def _margin_px(margin_pu: int) -> float:
    return round(margin_pu / PANGO_SCALE, 6)


def tight_class(tight_pu: int, margin_pu: int) -> str:
    return f"t{tight_pu}_{margin_pu}"


def tight_rule(name: str) -> str:
    """The CSS rule of a solid run's class (see tight_class)."""
    tight_pu, margin_pu = (int(v) for v in name[1:].split("_"))
    rule = f"d.{name}{{letter-spacing:{css_letter_spacing(tight_pu)}"
    if margin_pu:
        rule += f";margin-right:{_margin_px(margin_pu):.6f}px"
    return rule + "}"


@dataclass(frozen=True)
class SetNotice:
    """A notice broken into lines at the column width: what prints, how tall, what it costs."""

    title: str           # normalised title as printed
    body: str            # normalised body as printed
    lines: tuple[SetLine, ...]
    leading_pt: float
    char_count: int      # printed characters without spaces (for per-character rates)
    missing: str         # characters the fonts lack (the form must ask for another wording)
    loose_lines: int     # lines whose gaps exceed a quarter em (only when nothing else fits)
    split_runs: int      # codes / numbers / dates broken across lines (to avoid a loose line, a
    #                      line of spaced code or a runt)
    kinsoku_breaks: int  # breaks against 禁则 (only when the text leaves no other choice)

    @property
    def line_count(self) -> int:
        return len(self.lines)

    @property
    def height_pt(self) -> float:
        return len(self.lines) * self.leading_pt

    @property
    def height_mm(self) -> float:
        return self.height_pt * 25.4 / 72

    @property
    def text(self) -> str:
        """Title, ideographic space, body: the notice's text layer in the PDF. With several
        paragraphs, they are separated by "\n", a header first (paragraphs.printed_text)."""
        return printed_text(self.title, self.body, TITLE_GAP)

    def to_dict(self, settings: LayoutSettings) -> dict[str, Any]:
        """The setting as JSON-ready data, to store and reuse in another process (from_dict).
        It carries the fingerprint of what decided it: settings, fonts and this code."""
        data = asdict(self)
        data["lines"] = [[getattr(line, f) for f in _LINE_FIELDS] for line in self.lines]
        data["fingerprint"] = setting_fingerprint(settings)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], title: str, body: str,
                  settings: LayoutSettings) -> "SetNotice | None":
        """The stored setting of (title, body) at settings; None if it was made for other text,
        other settings, other fonts or another version of the engine (set it anew then)."""
        try:
            if data.get("fingerprint") != setting_fingerprint(settings) or \
                    data["title"] != normalize_text(title) or data["body"] != normalize_text(body):
                return None
            lines = tuple(_stored_line(values) for values in data["lines"])
            setting = cls(**{**{k: v for k, v in data.items() if k != "fingerprint"},
                             "lines": lines})
        except (KeyError, TypeError, ValueError, IndexError):
            return None
        return setting if setting.holds(title, body, settings) else None

    def holds(self, title: str, body: str, settings: LayoutSettings) -> bool:
        """May this setting print (title, body) at settings? Its text is theirs, its lines spell
        it, and its numbers are numbers. (Whether the fonts and the code are still those that
        made it is the stored fingerprint's business: from_dict.)"""
        return (self.leading_pt == settings.leading_pt and self.title == normalize_text(title)
                and self.body == normalize_text(body) and self.spells_its_text()
                and self._well_formed())

    def _well_formed(self) -> bool:
        """Numbers where numbers go (they become CSS class names and rules), and half-width
        marks only on marks that have one."""
        def whole(v: object) -> bool:
            return isinstance(v, int) and not isinstance(v, bool) and v >= 0
        return whole(self.line_count) and all(
            whole(line.spacing_pu) and whole(line.tight_pu) and whole(line.gaps)
            and line.tight_pu <= line.spacing_pu
            and all(len(span) == 2 and whole(span[0]) and whole(span[1])
                    and span[0] < span[1] <= len(line.body) for span in line.tight)
            and all(whole(at) and at < len(line.body)
                    and (line.body[at] in COMPRESSIBLE or line.body[at] in OPENING_MARKS)
                    for at in line.halts)
            and isinstance(line.indent_pt, (int, float)) and not isinstance(line.indent_pt, bool)
            and 0 <= line.indent_pt < 1000 and isinstance(line.keep_with_next, bool)
            for line in self.lines)

    def spells_its_text(self) -> bool:
        """Do the lines, one after the other, spell exactly title, gap and body (a line drops
        only the one space it breaks at, or the paragraph break it ends)? Checked before stored
        lines are printed."""
        expected = self.text
        at = 0
        for line in self.lines:
            if not isinstance(line.title, str) or not isinstance(line.body, str):
                return False
            piece = line.title + line.body
            if not piece or "\n" in piece or expected[at:at + len(piece)] != piece:
                return False
            at += len(piece)
            if not line.is_last and expected[at:at + 1] in (" ", "\n"):
                at += 1
        return at == len(expected) and bool(self.lines) and self.lines[-1].is_last


_LINE_FIELDS = ("title", "body", "letter_spacing_pt", "natural_width_pt", "gaps", "is_last",
                "spacing_pu", "tight", "tight_pu", "halts", "indent_pt", "keep_with_next")


def _stored_line(values: list[Any]) -> SetLine:
    """A line as SetNotice.to_dict stored it: its fields' values in _LINE_FIELDS order. Anything
    malformed raises (KeyError, TypeError, ValueError, IndexError), which from_dict catches."""
    title, body, letter_spacing_pt, natural_width_pt, gaps, is_last = values[:6]
    return SetLine(title, body, letter_spacing_pt, natural_width_pt, gaps, is_last, spacing_pu=values[6],
                   tight=tuple(tuple(span) for span in values[7]), tight_pu=values[8], halts=tuple(values[9]),
                   indent_pt=values[10], keep_with_next=values[11])
# A stored setting holds only while the code that made it is the same: these files decide it.
_ENGINE_SOURCES = ("linebreak.py", "fonts.py", "text.py", "settings.py", "paragraphs.py")


@lru_cache(maxsize=1)
def _engine_digest() -> str:
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in _ENGINE_SOURCES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=64)
def setting_fingerprint(settings: LayoutSettings) -> str:
    """What a notice's setting depends on: the column width, the fonts (the very files, by
    size and modification time) and sizes, and the engine's code. Anything else may change."""
    title_face, body_face = faces(settings)
    parts = [_engine_digest(), repr(settings.column_width_pt), repr(settings.leading_pt),
             repr(settings.paragraph_indent_em)]
    for face in (title_face, body_face):
        stat = os.stat(face.path)
        parts += [face.path, str(face.index), str(face.size_pu), str(stat.st_size),
                  str(int(stat.st_mtime))]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def setting_key(title: str, body: str, settings: LayoutSettings) -> str:
    """A key for storing the setting of (title, body) at settings (see SetNotice.to_dict)."""
    text = f"{setting_fingerprint(settings)}\x1f{title}\x1f{body}"
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class _Cluster:
    text: str
    font: int
    advances: tuple[int, ...]  # per glyph, Pango units
    width_pt: float
    is_space: bool
    latin_run: bool  # shaped in a Latin-script run (its digits are the tabular ones)
    offset: int = 0  # where it starts in its text (title or body)
    # A punctuation mark set half-width because another follows it: its advances above are the
    # half-width ones, these its full ones. Where a line ends on it, the next mark is on the
    # next line, and it keeps its full width.
    # An opening mark is set half-width because the mark *before* it opens too ("（“"): where a
    # line starts with it, the mark before it is on the line above, and it keeps its full width.
    full: tuple[int, ...] | None = None

    @property
    def half(self) -> bool:
        return self.full is not None

    @property
    def opens(self) -> bool:
        """A half-width opening mark (its width comes back at the start of a line)."""
        return self.full is not None and self.text in OPENING_MARKS

    @property
    def restore_pt(self) -> float:
        """What it takes back at the end of a line (a closing mark) or at the start of one (an
        opening mark)."""
        return (sum(self.full) - sum(self.advances)) / PANGO_SCALE / PX_PER_PT if self.full \
            else 0.0


def set_notice(title: str, body: str, settings: LayoutSettings) -> SetNotice:
    """Set a notice at the column width of settings. Cached by (title, body, settings)."""
    if not isinstance(title, str) or not isinstance(body, str):
        raise TypeError("title and body must be str")
    # Bound the raw input before normalising it (normalisation is linear, but unbounded input
    # is unbounded work); then bound what will print.
    if len(title) > 4 * MAX_TITLE_CHARS or len(body) > 4 * MAX_BODY_CHARS:
        raise InputTooLarge(f"公告过长：正文最多 {MAX_BODY_CHARS} 字，标题最多 {MAX_TITLE_CHARS} 字。")
    return _set_notice_cached(title, body, settings)


@lru_cache(maxsize=8192)
def _set_notice_cached(title: str, body: str, settings: LayoutSettings) -> SetNotice:
    title = normalize_text(title)
    body = normalize_text(body)
    if len(title) > MAX_TITLE_CHARS:
        raise InputTooLarge(f"标题过长：最多 {MAX_TITLE_CHARS} 字（现 {len(title)} 字）。")
    if len(body) > MAX_BODY_CHARS:
        raise InputTooLarge(f"公告正文过长：最多 {MAX_BODY_CHARS} 字（现 {len(body)} 字），"
                            "请删减后再提交。")
    if not body:
        raise RenderError("公告正文为空，请填写公告内容。")
    title_face, body_face = faces(settings)
    width = settings.column_width_pt
    if "\n" in body:
        lines, stats = _set_paragraphs(title, body, settings, title_face, body_face)
    else:
        lines, stats = _set_paragraph(title, body, width, 0.0, True, settings.body_size_pt,
                                      title_face, body_face)
        for at, keep in enumerate(_unbroken_ends(len(lines))):
            if keep:
                lines[at] = replace(lines[at], keep_with_next=True)
    em = settings.body_size_pt
    missing = missing_chars(title_face, title) + missing_chars(body_face, body)
    # Count loose lines on the final spacing (a line re-shaped alone can come out a little
    # narrower than the breaker estimated).
    loose = sum(1 for line in lines if line.letter_spacing_pt >= 0.25 * em)
    return SetNotice(
        title=title, body=body, lines=tuple(lines), leading_pt=settings.leading_pt,
        char_count=count_chars(title, body), missing="".join(dict.fromkeys(missing)),
        loose_lines=max(loose, stats[1]), split_runs=stats[2], kinsoku_breaks=stats[0])


def _set_paragraph(title: str, body: str, width: float, indent: float, justify: bool, em: float,
                   title_face: FontFace, body_face: FontFace,
                   balance: frozenset[int] | None = None) -> tuple[list[SetLine], tuple[int, int, int]]:
    """One paragraph broken into lines at `width`, its first line `indent` pt in; every line
    but the last justified (none unless `justify`). Its lines and (禁则 breaks, loose lines,
    split runs). balance: the lines of nearly equal length, no more of them, none starting at
    these body offsets where that can be avoided (a centred heading: _balanced_breaks)."""
    clusters = _clusters(title, body, title_face, body_face)
    breaks, short = _break_classes(title, body, clusters)
    ends, stats = _best_breaks(clusters, breaks, short, width, em, body_face, width - indent)
    if balance is not None and len(ends) > 1 and not indent:
        ends, stats = _balanced_breaks(clusters, breaks, short, width, em, len(ends), balance,
                                       body_face)
    lines = []
    start = 0
    for number, end in enumerate(ends):
        is_last = number == len(ends) - 1
        line_width = width - indent if number == 0 else width
        lines.append(_make_line(clusters[start:end], is_last, line_width, title_face, body_face,
                                justify))
        start = end
    if indent:
        lines[0] = replace(lines[0], indent_pt=round(indent, 4))
    return lines, stats


def _set_paragraphs(title: str, body: str, settings: LayoutSettings, title_face: FontFace,
                    body_face: FontFace) -> tuple[list[SetLine], tuple[int, int, int]]:
    """A body of several paragraphs, each set by its role (paragraphs.py), in print order."""
    width = settings.column_width_pt
    em = settings.body_size_pt
    indent = settings.paragraph_indent_em * em
    lines: list[SetLine] = []
    stats = [0, 0, 0]

    def add(piece: list[SetLine], piece_stats: tuple[int, int, int]) -> None:
        # Each paragraph's last line is unjustified; only the notice's last line is is_last.
        if lines and (paragraph.role == SIGNATURE or CLOSING.match(paragraph.text)):
            # The signature, and 特此公告 on its own, are not left alone: at least the line
            # above them goes with them.
            lines[-1] = replace(lines[-1], keep_with_next=True)
        keeps = [keep] * len(piece) if keep else _unbroken_ends(len(piece))
        if paragraph.role == SIGNATURE:
            keeps = [True] * len(piece)          # nor is it broken (its last is the notice's)
        lines.extend(replace(line, is_last=False, keep_with_next=k) for line, k in zip(piece, keeps, strict=True))
        for k in range(3):
            stats[k] += piece_stats[k]

    for paragraph in paragraphs(title, body):
        run_in = title if paragraph.title else ""
        # What names the text after it stays with it across a column break (column.py); a body
        # paragraph keeps two lines together at either end (_unbroken_ends).
        keep = paragraph.role in (HEADER, TITLE, HEADING, SECTION)
        if paragraph.role == HEADER:
            for item in header_items(paragraph.text):
                add(*_set_paragraph("", item, width, 0.0, True, em, title_face, body_face))
        elif paragraph.role == TITLE:
            # The title alone (before a heading): flush left, unjustified, no gap after it.
            add(*_set_paragraph(paragraph.text, "", width, 0.0, False, em, title_face, body_face))
        elif paragraph.role == SECTION:
            # A numbered section heading: where a body paragraph starts, but never spread to the
            # column edge (a title, not a sentence); its wrapped part flush left. Unjustified, it
            # has no loose line.
            piece, piece_stats = _set_paragraph("", paragraph.text, width, indent, False, em,
                                                title_face, body_face)
            add(piece, (piece_stats[0], 0, piece_stats[2]))
        elif paragraph.role in (HEADING, SIGNATURE):
            balance = inside_words(paragraph.text) if paragraph.role == HEADING else None
            piece, piece_stats = _set_paragraph(run_in, paragraph.text, width, 0.0, False, em,
                                                title_face, body_face, balance)
            share = 0.5 if paragraph.role == HEADING else 1.0
            add([replace(line, indent_pt=round(max(0.0, width - _natural_end_pt(
                line, title_face, body_face)) * share, 4)) for line in piece], piece_stats)
        else:
            add(*_set_paragraph(run_in, paragraph.text, width, 0.0 if run_in else indent, True,
                                em, title_face, body_face))
    lines[-1] = replace(lines[-1], is_last=True, keep_with_next=False)
    return lines, (stats[0], stats[1], stats[2])


def _unbroken_ends(count: int) -> list[bool]:
    """Which lines of a paragraph of `count` lines keep with the next where a column break
    could fall: its first (no orphan: a paragraph never starts on a column's last line) and its
    last but one (no widow: its last line never stands alone at the top of the next column). A
    paragraph of two or three lines is never broken. (The last line's keep is the next
    paragraph's business.)"""
    keeps = [False] * count
    if count >= 2:
        keeps[0] = keeps[count - 2] = True
    return keeps


def _natural_end_pt(line: SetLine, title_face: FontFace, body_face: FontFace) -> float:
    """Where an unjustified line's last glyph ends, by the draw model (to centre it or set it
    flush right)."""
    boxes = _drawn_boxes(line.title, line.body, line.tight, line.halts, title_face, body_face)
    return _DrawModel(_model_boxes(boxes)).line_end_pt(0, 0)


def faces(settings: LayoutSettings) -> tuple[FontFace, FontFace]:
    """(title face, body face) at the body size, as fontconfig resolves them."""
    return (load_face(settings.title_font, settings.title_weight, settings.body_size_pt),
            load_face(settings.body_font, 400, settings.body_size_pt))


def find_missing_characters(title: str, body: str, settings: LayoutSettings) -> str:
    """Characters of the notice the print fonts cannot show (rare 生僻字), in order, once each.

    The form should tell the advertiser, e.g. 「“𠀾”字库中没有，请改用常用字或图片说明」, rather than
    let the column print a missing-glyph box.
    """
    title_face, body_face = faces(settings)
    missing = missing_chars(title_face, normalize_text(title))
    missing += missing_chars(body_face, normalize_text(body))
    return "".join(dict.fromkeys(missing))


# -- clusters and break classes -------------------------------------------------------------

def _clusters(title: str, body: str, title_face: FontFace, body_face: FontFace) -> list[_Cluster]:
    out: list[_Cluster] = []
    halves = set(compressed_positions(body))
    # A title set alone (paragraphs.TITLE: body "") has no gap: nothing follows it on its line.
    for text, face, font in ((title + TITLE_GAP if title and body else title, title_face, _TITLE),
                             (body, body_face, _BODY)):
        to_pt = 1 / PANGO_SCALE / PX_PER_PT
        for start, end, advances, latin_run in shape_runs(face, text):
            piece = text[start:end]
            full = None
            if font == _BODY and start in halves and end - start == 1:
                form = half_width_form(face, piece)
                if form is not None:
                    advances, full = form[0], advances
            out.append(_Cluster(piece, font, advances, sum(advances) * to_pt,
                                piece == " ", latin_run, start, full))
    return out


# Break classes at the boundary before cluster k (k = 1 .. n-1). _RUN: inside a code or date
# after a non-digit (2020年|09月, 020-|8775); _RUN_DIGITS: between two letters/digits.
_FREE, _RUN, _RUN_DIGITS, _KINSOKU, _NEVER = 0, 1, 2, 3, 4
# A code split so that fewer than this many of its characters stand on one side (S069201408086|G)
# is worse than a split nearer its middle.
MIN_SPLIT_SIDE = 3


def _break_classes(title: str, body: str, clusters: list[_Cluster]) -> tuple[list[int], list[bool]]:
    """The break class before each cluster, and whether a break there would leave fewer than
    MIN_SPLIT_SIDE characters of a code on one side."""
    n = len(clusters)
    classes = [_FREE] * n  # index 0 unused
    short = [False] * n
    # Character offsets of each cluster in body (title clusters get -1).
    body_offset = []
    offset = 0
    for cluster in clusters:
        if cluster.font == _BODY:
            body_offset.append(offset)
            offset += len(cluster.text)
        else:
            body_offset.append(-1)
    run_of = [False] * (len(body) + 1)  # run_of[i]: a run continues across body offset i
    short_at = [False] * (len(body) + 1)
    for start, end in protected_spans(body):
        for i in range(start + 1, end):
            run_of[i] = True
            short_at[i] = min(i - start, end - i) < MIN_SPLIT_SIDE
    first_body = next((k for k, c in enumerate(clusters) if c.font == _BODY), n)
    for k in range(1, n):
        before, after = clusters[k - 1], clusters[k]
        if after.is_space:
            classes[k] = _NEVER  # break after the space instead; it then vanishes at line end
        elif before.is_space:
            classes[k] = _FREE
        elif k <= first_body:
            # Inside the title, or between the title's ideographic space and the body's first
            # character: a line must not end or start with the gap.
            classes[k] = _KINSOKU
        elif after.text[0] in NO_LINE_START or before.text[-1] in NO_LINE_END:
            classes[k] = _KINSOKU
        elif run_of[body_offset[k]]:
            short[k] = short_at[body_offset[k]]
            if not break_allowed_inside_run(after.text[0]):
                classes[k] = _KINSOKU
            elif break_allowed_inside_run(before.text[-1]):
                classes[k] = _RUN_DIGITS
            else:
                classes[k] = _RUN
    return classes, short


# -- the dynamic programme ------------------------------------------------------------------

def _best_breaks(clusters: list[_Cluster], classes: list[int], short: list[bool], width: float,
                 em: float, body_face: FontFace | None = None,
                 first_width: float | None = None) -> tuple[list[int], tuple[int, int, int]]:
    """Line ends minimising, in this order: 禁则 breaks, loose lines, split codes and lines whose
    code would be spaced visibly (SPREAD_CODE_EM; the two weigh alike), line count, codes split
    with fewer than MIN_SPLIT_SIDE characters on one side, a runt, the space codes must still
    take where their line has no other place for it (solid codes: the sum of its fourth powers,
    so the worst line counts most), codes split between two digits (rather than after
    年/月/-), and the sum of squared gaps.
    A fast pass tries only lines that are neither loose nor against 禁则; if that finds no
    setting, a full pass allows both.
    A runt that remains is avoided if another setting exists with no more lines, no more 禁则
    breaks and no more loose lines, even one that splits a code: a second pass puts runts
    first and then the line count (the advertiser pays per line, and a runt is a line paid for
    two characters).
    first_width: the first line's width where it is narrower (a paragraph's indent)."""
    lines = _LineCosts(clusters, body_face)
    strict = True
    result = _dp(clusters, classes, short, width, em, strict=True, costs=lines,
                 first_width=first_width)
    if result is None:
        strict = False
        result = _dp(clusters, classes, short, width, em, strict=False, costs=lines,
                     first_width=first_width)
    assert result is not None  # the full pass can always break between any two clusters
    ends, stats = result
    if stats[4]:  # it ends on a runt
        other = _dp(clusters, classes, short, width, em, strict=strict, runts_first=True,
                    costs=lines, first_width=first_width)
        if other is not None and not other[1][4] and other[1][3] <= stats[3]:
            ends, stats = other
    return ends, stats[:3]


class _LineCosts:
    """What the line breaker needs of a notice's clusters, computed once for both passes."""

    def __init__(self, clusters: list[_Cluster], body_face: FontFace | None = None) -> None:
        prefix = [0.0]
        chars = [0]
        for cluster in clusters:
            prefix.append(prefix[-1] + cluster.width_pt)
            chars.append(chars[-1] + (0 if cluster.is_space else len(cluster.text)))
        self.prefix = prefix
        self.chars = chars  # printed characters before each cluster
        # A half-width mark takes its full width back at the end of a line (a closing mark
        # ends it) or at its start (an opening mark starts it).
        self.end_restore = [0.0] * (len(clusters) + 1)
        self.start_restore = [0.0] * (len(clusters) + 1)
        for k, cluster in enumerate(clusters):
            if cluster.full is not None:
                if cluster.opens:
                    self.start_restore[k] = cluster.restore_pt
                else:
                    self.end_restore[k + 1] = cluster.restore_pt
        if body_face is not None:
            for k, extra in _wider_at_line_start(clusters, body_face):
                self.start_restore[k] += extra
        # codes[k]: gaps inside a code (a run set solid) before cluster k.
        inside = _code_gaps(clusters)
        codes = [0]
        for flag in inside:
            codes.append(codes[-1] + flag)
        self.codes = codes


def _common_runs(body: str) -> list[tuple[int, int]]:
    """(start, end) of each run of script Common characters (digits, punctuation, spaces:
    anything but a letter, as fonts.script_runs counts them) that a letter follows at end."""
    runs = []
    start = 0
    for at, char in enumerate(body):
        if char.isalpha():
            if at > start:
                runs.append((start, at))
            start = at + 1
    return runs


def _wider_at_line_start(clusters: list[_Cluster], face: FontFace) -> list[tuple[int, float]]:
    """(k, pt) for each body cluster k that is wider at the start of a line than in the
    paragraph. Digits and punctuation (script Common) take the script of the letter before
    them in the paragraph, but at the start of a line that of the letter after them (fonts.py
    script_runs), and Noto CJK's digits are tabular in a Latin run, proportional in a Han one:
    "代码：91440101MA5…" broken before its 1 starts a line "1MA5…" of wider (Latin) digits, and
    "…0000A，2025年…" broken before 2025 starts a line "2025年…" whose 2s and 5 are wider (Han)
    than after the A."""
    out: list[tuple[int, float]] = []
    first = next((k for k, c in enumerate(clusters) if c.font == _BODY), len(clusters))
    body = "".join(c.text for c in clusters[first:])
    if not LATIN_LETTERS.search(body):
        return out  # one Han run, in the paragraph and on every line
    at_offset = {c.offset: k for k, c in enumerate(clusters) if c.font == _BODY}
    for start, end in _common_runs(body):
        ks = [at_offset.get(at) for at in range(start, end + 1)]
        latin = LATIN_LETTERS.match(body[end]) is not None  # their script at a line start
        if None in ks or all(clusters[k or 0].latin_run == latin for k in ks[:-1]):
            continue  # not one cluster a character, or that script in the paragraph already
        # Shaped as a line starting with them: in the letter's script.
        alone = [sum(a) / PANGO_SCALE / PX_PER_PT for _, _, a in shape_clusters(face, body[start:end + 1])]
        if len(alone) != len(ks):
            continue  # shaped into other clusters alone: not one cluster a character either
        wider = 0.0
        for at in range(end - start - 1, -1, -1):
            k = ks[at] or 0
            wider += alone[at] - clusters[k].width_pt
            if wider > 0:
                out.append((k, wider))
    return out


def _code_gaps(clusters: list[_Cluster]) -> list[int]:
    """1 for each boundary (before cluster k) between two characters of one run set solid
    (tight_spans: codes, numbers, Latin words), else 0."""
    body = "".join(c.text for c in clusters if c.font == _BODY)
    run_of = [-1] * len(body)
    for number, (start, end) in enumerate(tight_spans(body)):
        run_of[start:end] = [number] * (end - start)
    out = [0] * len(clusters)
    for k in range(1, len(clusters)):
        before, after = clusters[k - 1], clusters[k]
        if before.font == _BODY and after.font == _BODY:
            run = run_of[after.offset]
            if run >= 0 and run == run_of[before.offset + len(before.text) - 1]:
                out[k] = 1
    return out


# The cost of a setting, compared in tuple order: 禁则 breaks, loose lines, then for the first
# pass split runs and lines of visibly spaced code, lines, lopsided splits, runts (for the runt
# pass: runts, lines, split runs and spaced lines, lopsided splits), then the space codes take,
# splits between digits, squared gaps.
_Cost = tuple[int, int, int, int, int, int, float, int, float]
# Where each count is in a cost tuple: (split runs and spaced lines, lines, runt) by pass.
_FIRST_PASS = (2, 3, 5)
_RUNT_PASS = (4, 3, 2)


def _dp(clusters: list[_Cluster], classes: list[int], short: list[bool], width: float, em: float,
        strict: bool, runts_first: bool = False, costs: _LineCosts | None = None,
        first_width: float | None = None) -> tuple[list[int], tuple[int, int, int, int, int, int]] | None:
    """The best setting by _Cost: its line ends and (禁则 breaks, loose lines, split runs,
    lines, runt, lines of visibly spaced code). costs: the _LineCosts of these clusters, if
    already made. first_width: the first line's width, where it is narrower than the others
    (None: width)."""
    full_width = width
    n = len(clusters)
    if costs is None:
        costs = _LineCosts(clusters)
    prefix, chars, codes = costs.prefix, costs.chars, costs.codes
    end_restore, start_restore = costs.end_restore, costs.start_restore
    inf = None
    # best[j] = (cost tuple, previous break) for a setting of clusters[:j] ending a line at j.
    best: list[tuple[_Cost, int] | None] = [inf] * (n + 1)
    best[0] = ((0, 0, 0, 0, 0, 0, 0.0, 0, 0.0), -1)
    max_gap = MAX_GAP_EM * em
    cap = STRETCH_CAP_EM * em
    spread_gap = SPREAD_CODE_EM * em
    epsilon = 1e-6
    for j in range(1, n + 1):
        if j < n and classes[j] == _NEVER:
            continue
        if strict and j < n and classes[j] == _KINSOKU:
            continue
        last = j == n
        end_trim = j - 1 if (clusters[j - 1].is_space and not last) else j
        # Widest line first: starts i >= i_min fit the width.
        i_min = bisect.bisect_left(prefix, prefix[end_trim] - full_width - epsilon, 0, end_trim)
        line_end = prefix[end_trim] + end_restore[end_trim]
        codes_end = codes[end_trim]
        choice: tuple[_Cost, int] | None = inf
        for i in range(max(i_min, 0), end_trim):
            reached = best[i]
            if reached is None:
                continue
            # The first line may be narrower (an indent); every later start has the full width.
            width = first_width if (i == 0 and first_width is not None) else full_width
            visible = end_trim - i
            natural = line_end - prefix[i] + start_restore[i]
            if natural > width + epsilon:
                continue
            loose = 0
            spaced = 0.0
            spread = 0
            badness = 0.0
            runt = 0
            if not last:
                slack = width - natural
                if visible < 2:
                    gap = width  # a single cluster cannot be justified
                else:
                    gap = slack / (visible - 1)
                if gap > max_gap:
                    if strict:
                        break  # every later start is looser still
                    loose = 1
                inside = codes_end - codes[i + 1]
                if inside:
                    # Codes stay solid: the other gaps take the space, up to the cap.
                    stretch = visible - 1 - inside
                    if stretch and stretch * cap >= slack:
                        gap = slack / stretch
                    elif slack > epsilon:
                        # The code takes the rest: the less the better, and the worst
                        # line counts most (fourth powers).
                        code_gap = (slack - stretch * cap) / inside
                        spaced = (code_gap / em) ** 4
                        # (On a loose line everything is spaced: that is counted as loose.)
                        spread = 1 if code_gap > spread_gap and not loose else 0
                        gap = cap + code_gap
                badness = (gap / em) ** 2
            elif i > 0 and chars[n] - chars[i] <= RUNT_CHARS:
                runt = 1
            kinsoku = 1 if (i > 0 and classes[i] == _KINSOKU) else 0
            run = 1 if (i > 0 and classes[i] in (_RUN, _RUN_DIGITS)) else 0
            lopsided = 1 if (run and short[i]) else 0
            digits = 1 if (i > 0 and classes[i] == _RUN_DIGITS) else 0
            prev = reached[0]
            # A split code and a line of visibly spaced code weigh alike (SPREAD_CODE_EM).
            if runts_first:
                cost = (prev[0] + kinsoku, prev[1] + loose, prev[2] + runt, prev[3] + 1,
                        prev[4] + run + spread, prev[5] + lopsided, prev[6] + spaced, prev[7] + digits,
                        prev[8] + badness)
            else:
                cost = (prev[0] + kinsoku, prev[1] + loose, prev[2] + run + spread, prev[3] + 1,
                        prev[4] + lopsided, prev[5] + runt, prev[6] + spaced, prev[7] + digits,
                        prev[8] + badness)
            if choice is None or cost < choice[0]:
                choice = (cost, i)
        best[j] = choice
    end = best[n]
    if end is None:
        return None
    ends = []
    j = n
    while j > 0:
        ends.append(j)
        step = best[j]
        assert step is not None, "a chosen line starts where a setting of what precedes it ends"
        j = step[1]
    ends.reverse()
    cost = end[0]
    # Count what the chosen setting did (the cost's first components count breaks at line
    # starts: kinsoku and run breaks are charged to the line after them).
    codes_at, count, runt_at = _RUNT_PASS if runts_first else _FIRST_PASS
    split = sum(1 for i in ends[:-1] if classes[i] in (_RUN, _RUN_DIGITS))
    spread = int(cost[codes_at]) - split
    return ends, (cost[0], cost[1], split, int(cost[count]), int(cost[runt_at]), spread)


def _balanced_breaks(clusters: list[_Cluster], classes: list[int], short: list[bool], width: float,
                     em: float, max_lines: int, words: frozenset[int],
                     body_face: FontFace | None = None) -> tuple[list[int], tuple[int, int, int]]:
    """Line ends for an unjustified paragraph set centred (a heading), as a compositor balances
    one: at most max_lines lines (what _best_breaks found: the advertiser pays per line, never
    one more), minimising in this order 禁则 breaks, split codes, lopsided splits, lines, lines
    starting inside a word (`words`: body offsets, paragraphs.inside_words), codes split between
    digits, and the sum of the squared space each line leaves, its last line's too: lines of
    nearly equal length ("…部分限制性股 / 票…债权人 / 的公告" becomes three of 8, 11 and 9).
    Where lines are equally even, the longer come first. Its line ends and (禁则 breaks, loose
    lines: none, an unjustified line has no spacing, split runs)."""
    costs = _LineCosts(clusters, body_face)
    prefix, end_restore, start_restore = costs.prefix, costs.end_restore, costs.start_restore
    n = len(clusters)
    epsilon = 1e-6
    # best[m][j]: (cost, previous end) of the best setting of clusters[:j] in m lines. The cost:
    # (禁则, split runs, lopsided splits, word breaks, splits between digits, squared space in
    # thousandths of an em: whole numbers, so that equally even settings compare equal).
    best: list[list[tuple[tuple[int, ...], int] | None]] = [[None] * (n + 1)
                                                            for _ in range(max_lines + 1)]
    best[0][0] = ((0, 0, 0, 0, 0, 0), -1)
    for j in range(1, n + 1):
        if j < n and classes[j] == _NEVER:
            continue
        end_trim = j - 1 if (clusters[j - 1].is_space and j < n) else j
        line_end = prefix[end_trim] + end_restore[end_trim]
        # Starts before i_min do not fit. Latest start first: of equally even settings, the one
        # with the shorter last line.
        i_min = bisect.bisect_left(prefix, prefix[end_trim] - width - epsilon, 0, end_trim)
        for i in range(end_trim - 1, i_min - 1, -1):
            natural = line_end - prefix[i] + start_restore[i]
            if natural > width + epsilon:
                continue
            run = 1 if (i > 0 and classes[i] in (_RUN, _RUN_DIGITS)) else 0
            step = (1 if (i > 0 and classes[i] == _KINSOKU) else 0, run,
                    1 if (run and short[i]) else 0,
                    1 if (i > 0 and clusters[i].font == _BODY and clusters[i].offset in words) else 0,
                    1 if (i > 0 and classes[i] == _RUN_DIGITS) else 0,
                    round((width - natural) / em * 1000) ** 2)
            for m in range(1, max_lines + 1):
                reached = best[m - 1][i]
                if reached is None:
                    continue
                cost = tuple(a + b for a, b in zip(reached[0], step, strict=True))
                chosen = best[m][j]
                if chosen is None or cost < chosen[0]:
                    best[m][j] = (cost, i)
    # Of the settings of the whole paragraph, in 1 to max_lines lines: the fewer lines after
    # the split runs, as in _dp.
    found = [(reached[0][:3] + (m,) + reached[0][3:], m) for m in range(1, max_lines + 1)
             if (reached := best[m][n]) is not None]
    assert found, "the setting _best_breaks found is one of these"
    cost, m = min(found)
    ends = []
    j = n
    while j > 0:
        ends.append(j)
        step_back = best[m][j]
        assert step_back is not None, "a chosen line starts where a setting of what precedes it ends"
        j = step_back[1]
        m -= 1
    ends.reverse()
    return ends, (cost[0], 0, cost[1])


# -- one line: exact width and the spacing that ends it on the column edge --------------------

def _printed(clusters: list[_Cluster], is_last: bool) -> list[_Cluster]:
    """The clusters of a line as it prints: without the space it breaks after, and a half-width
    closing mark that ends it, or opening mark that starts it, at its full width."""
    if not is_last and clusters and clusters[-1].is_space:
        clusters = clusters[:-1]  # the space a line breaks after is not printed
    if clusters and clusters[-1].half and not clusters[-1].opens:
        # The mark after it starts the next line: it keeps its full width (see _dp).
        clusters = clusters[:-1] + [_full_width(clusters[-1])]
    if clusters and clusters[0].opens:
        # The mark before it ends the line above (a break against 禁则): it keeps its width.
        clusters = [_full_width(clusters[0])] + clusters[1:]
    return clusters


def _full_width(cluster: _Cluster) -> _Cluster:
    assert cluster.full is not None, "a half-width mark keeps its full advances"
    return replace(cluster, advances=cluster.full, full=None,
                   width_pt=cluster.width_pt + cluster.restore_pt)


def _line_boxes(clusters: list[_Cluster], title: str, body: str, halts: tuple[int, ...],
                title_face: FontFace, body_face: FontFace) -> list[_Box]:
    """The line's text boxes, title then body, with the advances WeasyPrint will draw."""
    boxes: list[_Box] = []
    for text, face, font in ((title, title_face, _TITLE), (body, body_face, _BODY)):
        if not text:
            continue
        own = [c for c in clusters if c.font == font]
        if halts and font == _BODY:
            # Each half-width mark is a text box of its own: shape the boxes as drawn.
            boxes += _drawn_boxes("", body, (), halts, title_face, body_face)
            continue
        if LATIN_LETTERS.search(text) or any(c.latin_run for c in own):
            # Pango shapes the line alone: digits at its start take the script of what
            # follows them here, not of what preceded them in the paragraph (fonts.py
            # script_runs), and that changes their widths. Shape the line as Pango will.
            advances = [a for _, _, a in shape_clusters(face, text)]
        else:
            # No Latin in the line nor around it: one Han run either way, so the paragraph's
            # clusters are exactly the line's (and shaping twice is a third of the work).
            advances = [c.advances for c in own]
        boxes.append((face, advances, _PLAIN, None, None))
    return boxes


def _make_line(clusters: list[_Cluster], is_last: bool, width: float,
               title_face: FontFace, body_face: FontFace, justify: bool = True) -> SetLine:
    clusters = _printed(clusters, is_last)
    title = "".join(c.text for c in clusters if c.font == _TITLE)
    body = "".join(c.text for c in clusters if c.font == _BODY)
    body_start = next((c.offset for c in clusters if c.font == _BODY), 0)
    halts = tuple(c.offset - body_start for c in clusters if c.half)
    if not justify:
        is_last = True  # set like a last line: solid (the caller says which line is the last)
    if not is_last:
        # A line holding a code: its codes solid (shaped as drawn, box by box).
        line = _tight_line(title, body, halts, width, title_face, body_face)
        if line is not None:
            return line
    boxes = _line_boxes(clusters, title, body, halts, title_face, body_face)
    gaps = sum(len(b[1]) for b in boxes) - 1
    natural = sum(sum(sum(a) for a in b[1]) for b in boxes) / PANGO_SCALE / PX_PER_PT
    if is_last or gaps < 1 or natural >= width:
        return SetLine(title, body, 0.0, natural, max(gaps, 0), is_last, 0, halts=halts)
    spacing_pu = _choose_spacing(boxes, width, (width - natural) / gaps)
    return SetLine(title, body, spacing_pu / PANGO_SCALE / PX_PER_PT, natural, gaps, is_last,
                   spacing_pu, halts=halts)


# The kinds of text box a line is drawn in: plain text, a solid run (<d>), a half-width
# punctuation mark (<h>).
_PLAIN, _SOLID, _HALF = 0, 1, 2

# A text box as drawn: (face, its clusters' advances, kind, the clusters' full-width advances
# for a half-width mark, else None, the glyphs' x offsets (Pango units) where the half-width
# form moves them - an opening mark -, else None); as _DrawModel takes it: (font size in px,
# advances, is a solid run, full-width advances or None, x offsets or None).
_Advances = Sequence[tuple[int, ...]]
_Box = tuple[FontFace, _Advances, int, _Advances | None, _Advances | None]
_ModelBox = tuple[float, _Advances, bool, _Advances | None, _Advances | None]


def _split(body: str, tight: Sequence[tuple[int, int]], halts: Sequence[int] = ()) -> list[tuple[str, int]]:
    """body cut at the solid runs `tight` and around the half-width marks at `halts`:
    (text, kind), in order, none empty (a solid run never holds a mark: TIGHT_RUN)."""
    cuts = sorted([(start, end, _SOLID) for start, end in tight]
                  + [(at, at + 1, _HALF) for at in halts])
    pieces, at = [], 0
    for start, end, kind in cuts:
        if start > at:
            pieces.append((body[at:start], _PLAIN))
        pieces.append((body[start:end], kind))
        at = end
    if at < len(body) or not pieces:
        pieces.append((body[at:], _PLAIN))
    return pieces


def _drawn_boxes(title: str, body: str, tight: Sequence[tuple[int, int]], halts: Sequence[int],
                 title_face: FontFace, body_face: FontFace) -> list[_Box]:
    """The line's text boxes as WeasyPrint draws them: (face, cluster advances, kind, the
    clusters' full-width advances for a half-width mark, else None, x offsets of a half-width
    form that moves its glyph, else None). Each is shaped alone, as Pango shapes each box
    (fonts.script_runs)."""
    boxes = [(title_face, title, _PLAIN)] if title else []
    boxes += [(body_face, text, kind) for text, kind in _split(body, tight, halts) if text]
    out: list[_Box] = []
    for face, text, kind in boxes:
        full = [a for _, _, a in shape_clusters(face, text)]
        form = half_width_form(face, text) if kind == _HALF else None
        if form is not None:
            advances, offsets = form
            out.append((face, [advances], kind, full, [offsets] if any(offsets) else None))
        else:
            out.append((face, full, kind, full if kind == _HALF else None, None))
    return out


def _model_boxes(boxes: list[_Box]) -> list[_ModelBox]:
    return [(face.size_px, advances, kind == _SOLID, widths, offsets)
            for face, advances, kind, widths, offsets in boxes]


def _line_model(line: SetLine, settings: LayoutSettings) -> _DrawModel:
    boxes = _drawn_boxes(line.title, line.body, line.tight, line.halts, *faces(settings))
    return _DrawModel(_model_boxes(boxes))


def drawn_end_pt(line: SetLine, settings: LayoutSettings) -> float:
    """Where the renderer will end this line, by the engine's model of WeasyPrint (tests)."""
    return _line_model(line, settings).line_end_pt(line.spacing_pu, line.tight_pu)


def drawn_origins_pt(line: SetLine, settings: LayoutSettings) -> list[float]:
    """Where the renderer draws each glyph of this line (its origin, pt from the line's start),
    by the engine's model of WeasyPrint: letter-spacing, solid runs, half-width marks and the
    glyph offset of a half-width opening mark (SetLine.halts)."""
    return _line_model(line, settings).glyph_origins_pt(line.spacing_pu, line.tight_pu)


def tight_spans(body: str) -> tuple[tuple[int, int], ...]:
    """The runs of a line's body to set solid: codes, numbers, Latin words (see TIGHT_RUN)."""
    return tuple(m.span() for m in TIGHT_RUN.finditer(body)
                 if m.end() - m.start() >= MIN_TIGHT_CHARS)


def _tight_line(title: str, body: str, halts: tuple[int, ...], width: float, title_face: FontFace,
                body_face: FontFace) -> SetLine | None:
    """The line with its codes solid (or nearly), or None when that does not apply or fit."""
    spans = tight_spans(body)
    if not spans:
        return None
    boxes = _drawn_boxes(title, body, spans, halts, title_face, body_face)
    natural = sum(sum(sum(a) for a in b[1]) for b in boxes) / PANGO_SCALE / PX_PER_PT
    tight_gaps = sum(len(b[1]) - 1 for b in boxes if b[2] == _SOLID)
    stretch_gaps = sum(len(b[1]) for b in boxes) - 1 - tight_gaps
    slack = width - natural
    if slack <= 0 or stretch_gaps < 1:
        return None
    cap = STRETCH_CAP_EM * body_face.size_pt  # the evenness limit: codes only get what is left
    if slack / stretch_gaps <= cap:
        ideal, tight_pu = slack / stretch_gaps, 0
    else:
        tight_pt = (slack - cap * stretch_gaps) / tight_gaps
        if tight_pt >= cap:
            return None  # even spacing is at least the cap everywhere: nothing to gain
        ideal, tight_pu = cap, round(tight_pt * PX_PER_PT * PANGO_SCALE)
    spacing_pu = _choose_spacing(boxes, width, ideal, tight_pu)
    if spacing_pu < tight_pu:
        return None
    return SetLine(title, body, spacing_pu / PANGO_SCALE / PX_PER_PT, natural,
                   stretch_gaps + tight_gaps, False, spacing_pu, spans, tight_pu, halts)


def _choose_spacing(boxes: list[_Box], width_pt: float, ideal_pt: float, tight_pu: int = 0) -> int:
    """The letter-spacing (Pango units) whose drawn line ends nearest the column edge.

    boxes: (face, clusters' advances, kind, full-width advances of a half-width mark or None)
    per text box; a solid run's letter-spacing is tight_pu."""
    # Lines of the same glyph widths (thirteen ideographs…) recur: key on widths, not text.
    key = tuple((face.size_pu, tuple(clusters), kind == _SOLID,
                 tuple(widths) if widths else None, tuple(offsets) if offsets else None)
                for face, clusters, kind, widths, offsets in boxes)
    return _choose_spacing_cached(key, round(width_pt, 6), round(ideal_pt, 6), tight_pu)


_SpacingKey = tuple[tuple[int, _Advances, bool, _Advances | None, _Advances | None], ...]


@lru_cache(maxsize=65536)
def _choose_spacing_cached(key: _SpacingKey, width_pt: float, ideal_pt: float, tight_pu: int) -> int:
    model = _DrawModel([(size_pu / PANGO_SCALE, clusters, tight, widths, offsets)
                        for size_pu, clusters, tight, widths, offsets in key])
    gaps = model.stretch_gaps
    spacing = max(tight_pu, round(ideal_pt * PX_PER_PT * PANGO_SCALE))
    # Newton steps absorb the renderer's systematic rounding, then a local search (the drawn
    # end is a step function of the spacing: each glyph's TJ correction is truncated).
    for _ in range(3):
        step = round((width_pt - model.line_end_pt(spacing, tight_pu)) * PX_PER_PT * PANGO_SCALE
                     / gaps)
        if not step:
            break
        spacing = max(tight_pu, spacing + step)
    candidates = range(max(tight_pu, spacing - 5), spacing + 6)
    return min(candidates, key=lambda c: (abs(model.line_end_pt(c, tight_pu) - width_pt), c))


class _DrawModel:
    """Where WeasyPrint 70 draws a line's glyphs, and the right edge of its last glyph, from the
    line's start.

    This mirrors, for pre-broken lines with letter-spacing, what the pinned versions do:
    Pango 1.50 splits each cluster's letter-spacing into a left half (added to the width and
    x-offset of the cluster's first glyph) and a right half (added to the width of its last
    glyph), and trims both at the ends of a text box; WeasyPrint's draw_first_line writes each
    glyph's width from the font's own advance and corrects the pen with a TJ number truncated
    to an integer (`int(kerning)`), so up to 1/1000 em is lost per glyph - up to 0.2 pt over a
    line, which is why we predict it instead of ignoring it; a text box is `letter-spacing`
    wider than its glyphs (line_break.line_size), which spaces the title box from the body box.
    A glyph's x-offset (Pango units) is written before it as a TJ number of x_offset / size in
    px, i.e. in 1/1024 em where the PDF reads 1/1000 (the kerning after it takes it back).
    A solid run (SetLine.tight) is a box of its own with letter-spacing tight_pu and a right
    margin of the difference, unless it ends the line. A half-width punctuation mark
    (SetLine.halts) is a box of its own whose glyph advances half its font width: the TJ
    correction after it takes back the other half; an opening mark's glyph also has the
    half-width form's x offset (fonts.half_width_form).
    The column tests check the result on the PDF; re-check when bumping WeasyPrint or Pango.
    """

    def __init__(self, boxes: Sequence[_ModelBox]) -> None:
        # boxes: (font size in px, clusters' advances, is a solid run, the clusters' advances
        # at the font's own widths where they differ (a half-width mark) or None, the glyphs'
        # x offsets or None).
        # Kept per text box: size, whether it is a solid run, and per glyph (natural advance,
        # font width, gets-left, gets-right, x offset).
        self.boxes: list[tuple[float, bool, list[tuple[int, int, bool, bool, int]]]] = []
        glyph_gaps = sum(len(box[1]) for box in boxes) - 1
        self.stretch_gaps = glyph_gaps - sum(len(box[1]) - 1 for box in boxes if box[2])
        for size, clusters, tight, widths, offsets in boxes:
            glyphs = []
            last_cluster = len(clusters) - 1
            for ci, advances in enumerate(clusters):
                fulls = widths[ci] if widths else advances
                shifts = offsets[ci] if offsets else (0,) * len(advances)
                last_glyph = len(advances) - 1
                for gi, (natural, full, shift) in enumerate(zip(advances, fulls, shifts,
                                                               strict=False)):
                    glyphs.append((natural, round(full * 1000 / PANGO_SCALE / size),
                                   ci > 0 and gi == 0, ci < last_cluster and gi == last_glyph,
                                   shift))
            self.boxes.append((size, tight, glyphs))
        self._walked: dict[tuple[int, int], tuple[float, int]] = {}

    @staticmethod
    def _halves(spacing_pu: int) -> tuple[int, int]:
        left = spacing_pu // 2
        if spacing_pu % PANGO_SCALE == 0:
            left = (left + PANGO_SCALE // 2) & ~(PANGO_SCALE - 1)
        return left, spacing_pu - left

    def _walk(self, index: int, box_spacing: int) -> tuple[float, int]:
        """(how far the pen moves over the glyphs of box `index`, in px; the box's width in
        Pango units) at letter-spacing box_spacing. A solid run's is the same for every
        spacing of its line: remembered (_choose_spacing tries a dozen)."""
        key = (index, box_spacing)
        walked = self._walked.get(key)
        if walked is None:
            size, _, glyphs = self.boxes[index]
            left, right = self._halves(box_spacing)
            moved = 0.0
            box_width_pu = 0
            to_units = 1000 / PANGO_SCALE / size
            for natural, font_width, gets_left, gets_right, shift in glyphs:
                extra_left = left if gets_left else 0
                glyph_width = natural + extra_left + (right if gets_right else 0)
                box_width_pu += glyph_width
                offset = (extra_left + shift) / size
                kerning = font_width + offset - glyph_width * to_units
                moved += (offset + font_width - (int(kerning) if kerning else 0)) * size / 1000
            walked = self._walked[key] = (moved, box_width_pu)
        return walked

    def line_end_pt(self, spacing_pu: int, tight_pu: int = 0) -> float:
        box_x = 0.0  # px
        pen = 0.0
        box_spacing = 0
        last_box = len(self.boxes) - 1
        for index, (_, tight, _) in enumerate(self.boxes):
            box_spacing = tight_pu if tight else spacing_pu
            moved, box_width_pu = self._walk(index, box_spacing)
            pen = box_x + moved
            box_x += box_width_pu / PANGO_SCALE + ((box_spacing + 0.5) / PANGO_SCALE
                                                   if box_spacing else 0.0)
            if tight and index < last_box:
                box_x += _margin_px(spacing_pu - tight_pu)
        # pen is past the last glyph's TJ correction; its right edge is origin + advance.
        last_size, _, last_glyphs = self.boxes[-1]
        left = self._halves(box_spacing)[0]
        natural, font_width, gets_left, gets_right, shift = last_glyphs[-1]
        glyph_width = natural + (left if gets_left else 0)
        offset = ((left if gets_left else 0) + shift) / last_size
        kerning = font_width + offset - glyph_width * 1000 / PANGO_SCALE / last_size
        correction = (int(kerning) if kerning else 0) * last_size / 1000
        return (pen + correction) / PX_PER_PT

    def glyph_origins_pt(self, spacing_pu: int, tight_pu: int = 0) -> list[float]:
        """Each glyph's drawn origin, in order (the same walk as line_end_pt)."""
        origins = []
        box_x = 0.0  # px
        last_box = len(self.boxes) - 1
        for index, (size, tight, glyphs) in enumerate(self.boxes):
            box_spacing = tight_pu if tight else spacing_pu
            left, right = self._halves(box_spacing)
            css_spacing_px = (box_spacing + 0.5) / PANGO_SCALE if box_spacing else 0.0
            pen = box_x
            box_width_pu = 0
            to_units = 1000 / PANGO_SCALE / size
            for natural, font_width, gets_left, gets_right, shift in glyphs:
                extra_left = left if gets_left else 0
                glyph_width = natural + extra_left + (right if gets_right else 0)
                box_width_pu += glyph_width
                offset = (extra_left + shift) / size
                origins.append((pen + offset * size / 1000) / PX_PER_PT)
                kerning = font_width + offset - glyph_width * to_units
                pen += (offset + font_width - (int(kerning) if kerning else 0)) * size / 1000
            box_x += box_width_pu / PANGO_SCALE + css_spacing_px
            if tight and index < last_box:
                box_x += _margin_px(spacing_pu - tight_pu)
        return origins
