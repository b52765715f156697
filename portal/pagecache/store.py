"""Rendered public pages kept in the memory of each process.

A request is answered from here when it reads (GET or HEAD), nobody is signed in, its session
carries nothing for it (no message to show, no text to give back), it is no htmx fragment, and
the same address in the same language was answered 200 in the same window of the data
(``version.Window``). Every other request goes on as before, and its answer is kept when it is
the same for everybody: a 200 that set no cookie, put no form token in the page and left the
session alone. The answer is kept plain and compressed, with a weak ETag, so that a repeated
visit gets a 304 and a client that accepts gzip gets the bytes compressed once.

When a request sees another window, the whole store is dropped: the data moved on. (A request
that read the version just before a write may drop it once more; what it keeps is at least as
new as its version, and only requests that read that version can get it.) Each process holds
at most ``PAGE_CACHE_BYTES``; the least recently used page goes first. ``PAGE_CACHE = False``
(``PORTAL_PAGE_CACHE_MB=0``) turns it off.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request, session

from portal.core.i18n import current_language
from portal.pagecache import version

# What may be kept: pages, data and feeds, not files (a file can be large and is sent once).
KEPT_TYPES = frozenset(
    {"text/html", "application/json", "application/atom+xml", "text/calendar", "text/csv"}
)
# Headers a view sets that belong to the answer; the rest is set again on every request.
KEPT_HEADERS = ("ETag", "Last-Modified", "Link", "Content-Disposition", "Cache-Control")
# Session keys that make a page personal even for nobody signed in.
PERSONAL_KEYS = ("_user_id", "_flashes", "unsent")
LARGEST = 2 * 1024 * 1024
# Where a request that may be kept carries its window and key, from ``_serve`` to ``_keep``.
_KEY = "portal.page_key"


@dataclass(frozen=True)
class Page:
    body: bytes
    gzipped: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...]

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped)

    def answer(self) -> Response:
        compressed = "gzip" in request.accept_encodings
        response = Response(
            self.gzipped if compressed else self.body, content_type=self.content_type
        )
        for name, value in self.headers:
            response.headers[name] = value
        if compressed:
            response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        return response.make_conditional(request)


class PageCache:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.window: version.Window | None = None
        self._pages: OrderedDict[tuple[str, str], Page] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def see(self, window: version.Window) -> None:
        """A request read ``window``: when it is another, nothing kept before holds."""
        with self._lock:
            if window != self.window:
                self.window = window
                self._pages.clear()
                self._bytes = 0

    def clear(self) -> None:
        with self._lock:
            self.window = None
            self._pages.clear()
            self._bytes = 0

    def get(self, window: version.Window, key: tuple[str, str]) -> Page | None:
        with self._lock:
            if window != self.window:
                return None
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, window: version.Window, key: tuple[str, str], page: Page) -> None:
        with self._lock:
            if window != self.window or page.size > self.capacity:
                return
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._pages[key] = page
            self._bytes += page.size
            while self._bytes > self.capacity:
                _, dropped = self._pages.popitem(last=False)
                self._bytes -= dropped.size

    def __len__(self) -> int:
        return len(self._pages)


def _cache() -> PageCache:
    return current_app.extensions["pagecache"]


def _for_everybody() -> bool:
    return (
        request.method in ("GET", "HEAD")
        and "HX-Request" not in request.headers
        and "remember_token" not in request.cookies
        and not any(key in session for key in PERSONAL_KEYS)
    )


def _serve() -> Response | None:
    if not _for_everybody():
        return None
    cache = _cache()
    window = version.current()
    if window is None:
        return None
    cache.see(window)
    key = (current_language(), request.full_path)
    page = cache.get(window, key)
    if page is not None:
        return page.answer()
    request.environ[_KEY] = (window, key)
    return None


def _keep(response: Response) -> Response:
    kept = request.environ.pop(_KEY, None)
    if (
        kept is None
        or response.status_code != 200
        or response.direct_passthrough
        or response.is_streamed
        or response.mimetype not in KEPT_TYPES
        or "Set-Cookie" in response.headers
        or "Content-Encoding" in response.headers
        or "csrf_token" in g
        or session.modified
    ):
        return response
    body = response.get_data()
    if len(body) > LARGEST:
        return response
    if "ETag" not in response.headers:
        response.set_etag(hashlib.sha256(body).hexdigest()[:32], weak=True)
    window, key = kept
    page = Page(
        body=body,
        gzipped=gzip.compress(body, compresslevel=6, mtime=0),
        content_type=response.content_type or "",
        headers=tuple(
            (name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers
        ),
    )
    _cache().put(window, key, page)
    # The first answer is the same as every later one: compressed once, conditional.
    return page.answer()


def install(app: Flask) -> None:
    """Last of the app's hooks: ``_keep`` runs first after the view, before the headers and
    compression every answer gets (which a page served from here gets too)."""
    version.install()
    if not app.config["PAGE_CACHE"]:
        return
    app.extensions["pagecache"] = PageCache(app.config["PAGE_CACHE_BYTES"])
    app.before_request(_serve)
    app.after_request(_keep)
