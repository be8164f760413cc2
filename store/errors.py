"""Errors the store's operations raise for the person at the desk or the command line: each
message in Chinese, saying what to do. Shared by store/accounts.py, store/workflow.py and
store/issues.py; the views show `message` next to the form input named by `field`."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.models import Notice


class DeskError(Exception):
    """An operation refused for a reason the editor can act on."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field      # the form input the message belongs under, if any


class Conflict(DeskError):
    """The notice changed since the editor loaded it (version mismatch): nothing was written."""

    def __init__(self, notice: Notice | None):
        super().__init__("这则公告在您打开之后已被其他编辑修改，您的操作没有保存。请查看最新内容后再操作。")
        self.notice = notice
