"""A deny-by-default URL fetcher for WeasyPrint: the renderer reads our own files and nothing else.

WeasyPrint's default fetcher follows any URL in the document - http to internal services,
file:///etc/passwd - and embeds what it gets (docs/typesetting.md: linked CSS, @import, @font-face,
<img> and attachments were all fetched). Notice text is escaped, so no markup of the advertiser's
ever reaches WeasyPrint; this fetcher is the second wall in case something does. It serves only
names under the private "asset:" scheme, each mapped to one file we chose (the bundled print CSS,
the publisher's ICC profile), and refuses everything else: no http(s), no file:, no data:, no
redirects (there is no network code path at all).

WeasyPrint 70 needs a URLFetcher subclass (a plain function crashes), and every HTML() and CSS()
must be given the instance explicitly, or it silently builds a permissive default one.

A refused URL is also appended to the file named by the environment variable REFUSED_LOG_ENV,
when it is set: the render workers are child processes, and this is how whoever started them
learns of a refusal in any of them. The tests set it, and fail a test in which anything asked
for a URL that is not one of our assets (tests/conftest.py); production leaves it unset.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import Any, Mapping

from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSET_SCHEME = "asset:"
REFUSED_LOG_ENV = "TYPESETTING_REFUSED_LOG"


def _log_refused(url: str) -> None:
    path = os.environ.get(REFUSED_LOG_ENV)
    if path:
        # One short line per write in append mode: lines from several workers do not interleave.
        with open(path, "a", encoding="utf-8") as log:
            log.write(url.replace("\n", " ").replace("\r", " ") + "\n")


class AssetOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no type hints: Any
    """Serve `asset:NAME` from an allow-list of files; refuse every other URL."""

    def __init__(self, assets: dict[str, str]) -> None:
        # allowed_protocols and allow_redirects only matter to the base class's fetch(), which
        # we never call; they are set anyway so that no future code path widens the policy.
        super().__init__(timeout=1, allowed_protocols=("asset",), allow_redirects=False,
                         fail_on_errors=False)
        self._assets = {name: Path(path) for name, path in assets.items()}
        self.refused: list[str] = []   # every URL asked for and refused, for the job's report
        self.served: list[str] = []

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        name = url[len(ASSET_SCHEME):] if url.startswith(ASSET_SCHEME) else None
        path = self._assets.get(name) if name is not None else None
        if path is None:
            self.refused.append(url[:200])
            _log_refused(url[:200])
            # WeasyPrint catches this, logs a warning and goes on without the resource.
            raise ValueError(f"refused by the print renderer's URL policy: {url[:200]}")
        self.served.append(url)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})

    def open(self, url: Any, data: object = None, timeout: float | None = None) -> URLFetcherResponse:
        # OpenerDirector.open would reach urllib's handlers; route everything through fetch.
        return self.fetch(url if isinstance(url, str) else url.full_url)
