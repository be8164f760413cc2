"""A file over the 10 MB limit is refused without a size it does not have (review of issue 14):
the pages and the API read at most 10 MB and one byte of an upload, so an 11 MB scan was said to
have "10.0 MB", next to "超过了 10 MB 的上限", which reads as a contradiction."""
from __future__ import annotations

import pytest

from store.documents import MAX_BYTES, DocumentRefused, clean_file


def test_an_upload_over_the_limit_is_not_given_the_size_of_what_was_read():
    read = b"\xff\xd8\xff" + b"0" * (MAX_BYTES + 1 - 3)          # what the views read of an 11 MB file
    with pytest.raises(DocumentRefused) as refused:
        clean_file(read, "“身份证”")
    assert refused.value.code == "too_large"
    message = refused.value.message
    assert "10.0 MB" not in message
    assert message.startswith("“身份证”大于 10 MB，超过了 10 MB 的上限") and "请缩小后再上传" in message
