"""The proof of publication is a tagged PDF (issue 14 item 8): a structure tree in reading order,
its language (zh-CN) and title, the cut from the printed page a figure with a text alternative;
and it is still the same bytes each time it is downloaded (tests/app/test_publication.py)."""
from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject

from press.proof import CUT_ALT
from tests.support.desk import (
    ISSUE,
    LICENCE,
    approve_pay_schedule,
    editor_client,
    on_issue_day,
    secret,
    submit,
)


@pytest.fixture
def app(desk_test_app):
    return desk_test_app


def _elements(node, depth=0):
    """(structure type, element) of the tree under `node`, in document order."""
    node = node.get_object()
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, ArrayObject) else [kids]:
        kid = kid.get_object()
        if hasattr(kid, "get") and kid.get("/Type") == "/StructElem":
            yield str(kid["/S"]), kid
            yield from _elements(kid, depth + 1)


def _marked_ids(reader: PdfReader, page_index: int) -> list[int]:
    """The MCIDs of the page's marked content, the cut's included, as the content stream says."""
    from pypdf.generic import ContentStream
    page = reader.pages[page_index]
    ops = ContentStream(page.get_contents(), reader).operations
    return [int(operands[1]["/MCID"]) for operands, op in ops
            if op == b"BDC" and hasattr(operands[1], "get") and "/MCID" in operands[1]]


def test_the_proof_is_tagged_in_chinese_with_its_title_and_the_cut_as_a_figure(app, client):
    editor = editor_client(app, "admin1", role="admin")
    reference = submit(app, LICENCE)
    approve_pay_schedule(app, editor, reference)
    assert editor.post(f"/desk/issues/{ISSUE.isoformat()}/export").status_code == 200
    on_issue_day(app, ISSUE)
    assert editor.post(f"/desk/issues/{ISSUE.isoformat()}/publish", data={"confirm": "1"}).status_code == 303

    url = f"/status/{reference}/{secret(app, reference)}/proof.pdf"
    proof = client.get(url)
    assert proof.status_code == 200, proof.get_data(as_text=True)[:500]
    reader = PdfReader(io.BytesIO(proof.data))
    catalog = reader.trailer["/Root"]
    assert reader.pdf_header >= "%PDF-1.4"       # /MarkInfo, /Lang, DisplayDocTitle: PDF 1.4
    assert catalog["/Lang"] == "zh-CN"
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata.title == f"见报证明 {reference}"

    tree = catalog["/StructTreeRoot"].get_object()
    elements = list(_elements(tree))
    kinds = [kind for kind, _ in elements]
    assert kinds[0] == "/Document"
    # The statement in reading order: its heading, the table with its header cells, the words.
    assert kinds.index("/H1") < kinds.index("/Table") < kinds.index("/H2")
    assert "/TH" in kinds and "/P" in kinds
    figures = [e for kind, e in elements if kind == "/Figure"]
    assert len(figures) == 1 and figures[0]["/Alt"] == CUT_ALT
    last = len(reader.pages) - 1
    assert figures[0]["/Pg"].get_object() == reader.pages[last].get_object()
    # Every cut drawn on the last page is the figure's marked content, and the page's parent
    # tree entry maps each of its ids to the element that claims it.
    cut_ids = [int(i) for i in figures[0]["/K"]]
    assert len(cut_ids) == 2                     # the page's header band and the notice
    page_ids = _marked_ids(reader, last)
    assert set(cut_ids) <= set(page_ids) and len(page_ids) == len(set(page_ids))
    nums = tree["/ParentTree"].get_object()["/Nums"]
    key = reader.pages[last]["/StructParents"]
    marks = [nums[i + 1] for i in range(0, len(nums), 2) if nums[i] == key][0].get_object()
    assert len(marks) == max(page_ids) + 1
    assert all(marks[i].get_object() == figures[0] for i in cut_ids)

    # Tagging is deterministic: the same proof, the same bytes.
    again = client.get(url)
    assert hashlib.sha256(again.data).hexdigest() == hashlib.sha256(proof.data).hexdigest()
