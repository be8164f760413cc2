"""Font subset tags that name the subset, not the font.

A subset font in a PDF is named TAG+Family, and the six-letter tag exists so that two different
subsets of one font never share a name (ISO 32000-1, 9.6.4). WeasyPrint 70 derives the tag from
the font's description alone, so every PDF it writes - and each of the two render jobs of a
column, merged into one file (column.py) - calls its own subset of Noto Serif CJK SC by the same
name. A prepress check flags that; worse, a RIP or layout program that meets two such PDFs on one
newspaper page may take the glyphs of one for the other. So the tag is made from the subset's
own bytes: the same subset always gets the same name, and different subsets different names.

Used as (part of) a WeasyPrint finisher (document.write_pdf's public `finisher` argument): the
font objects are in `pdf.objects` by then, their programs still uncompressed.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

_TAG = re.compile(rb"^/[A-Z]{6}\+")


def _tag(program: bytes) -> bytes:
    digest = hashlib.sha256(program).digest()
    return bytes(65 + byte % 26 for byte in digest[:6])


def rename_subsets(pdf: Any) -> dict[bytes, bytes]:
    """Retag every embedded font subset of a pydyf PDF by its content. Returns old -> new names."""
    import pydyf

    def body(reference: object) -> Any:
        match = re.match(rb"(\d+) 0 R", reference if isinstance(reference, bytes)
                         else str(reference).encode())
        return pdf.objects[int(match.group(1))] if match else None

    renamed: dict[bytes, bytes] = {}
    dictionaries = [obj for obj in pdf.objects if isinstance(obj, pydyf.Dictionary)]
    for descriptor in dictionaries:
        if descriptor.get("Type") != "/FontDescriptor":
            continue
        name = descriptor.get("FontName")
        name = name.encode() if isinstance(name, str) else name
        program = next((body(descriptor[key]) for key in ("FontFile3", "FontFile2", "FontFile")
                        if key in descriptor), None)
        if not name or not _TAG.match(name) or not isinstance(program, pydyf.Stream):
            continue
        content = b"".join(part if isinstance(part, bytes) else str(part).encode()
                           for part in program.stream)
        renamed[name] = b"/" + _tag(content) + name[7:]
    if not renamed:
        return renamed
    for obj in dictionaries:
        for key in ("BaseFont", "FontName"):
            value = obj.get(key)
            value = value.encode() if isinstance(value, str) else value
            if value in renamed:
                obj[key] = renamed[value]
    return renamed
