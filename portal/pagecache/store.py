"""Rendered public pages kept in the memory of each process.

A request is answered from here when it reads (GET or HEAD), nobody is signed in, its session
carries nothing for it (no message to show, no text to give back), it is no htmx fragment, and
the same address in the same language was answered 200 in the same window of the data
(``version.Window``). Every other request goes on as before, and its answer is kept when it is
the same for everybody: a 200 that set no cookie, put no form token in the page and left the
session alone. The answer is kept plain and compressed, with a weak ETag, so that a repeated
visit gets a 304 and a client that accepts gzip gets the bytes compressed once.

While one request of a process renders a page that may be kept, another one for the same page
in the same window waits for it (at most ``WAIT_SECONDS``) instead of rendering it too: after a
write, a busy page is rendered once per process, not once per request that arrived meanwhile.
A page that was not kept the last time it was rendered (a form, an error) is not waited for.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request, session
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import SecurityError
from werkzeug.http import parse_accept_header, parse_cookie, parse_etags, unquote_etag
from werkzeug.wsgi import get_host

from portal.core.guards import valid_host
from portal.core.i18n import LANG_COOKIE, current_language
from portal.extensions import db, reading_only
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
# Where a request that may be kept carries its window and key, from ``_serve`` to ``_keep``,
# and the page made, from ``_keep`` to ``FastPath`` (which adds the answer's final headers).
_KEY = "portal.page_key"
_MADE = "portal.page_made"
# The window ``FastPath`` read, so that the app does not read it again.
_WINDOW = "portal.window"
# Where a request that renders a page others may wait for carries what it holds, to let go.
_MAKING = "portal.page_making"
# How long a request waits for another to render the same page before it renders it itself.
WAIT_SECONDS = 5.0
# How many pages not kept are remembered, so that nobody waits for them.
UNKEPT_REMEMBERED = 4096
# Headers of an answer that are its own, not the page's.
NOT_KEPT = frozenset({"set-cookie", "content-length", "content-encoding", "date", "server"})


@dataclass(frozen=True)
class Page:
    body: bytes
    gzipped: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...]
    # Every header of the answer as it left the app (security headers included), for
    # ``FastPath``; None until the first answer went out.
    final: tuple[tuple[str, str], ...] | None = None

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
        # Pages being rendered in this window, each with what its waiters wait on.
        self._making: dict[tuple[str, str], threading.Event] = {}
        # Pages whose last answer was not kept (least recently seen first).
        self._unkept: OrderedDict[tuple[str, str], None] = OrderedDict()

    def see(self, window: version.Window) -> None:
        """A request read ``window``: when it is another, nothing kept before holds."""
        with self._lock:
            if window != self.window:
                self.window = window
                self._pages.clear()
                self._bytes = 0
                # Who renders for the old window still lets its own waiters go.
                self._making = {}

    def clear(self) -> None:
        with self._lock:
            self.window = None
            self._pages.clear()
            self._bytes = 0
            self._making = {}

    def get(self, window: version.Window, key: tuple[str, str]) -> Page | None:
        with self._lock:
            if window != self.window:
                return None
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def making(
        self, window: version.Window, key: tuple[str, str]
    ) -> tuple[threading.Event | None, bool]:
        """(what to wait on, whether this request renders it for the others). Nothing to wait
        on and nothing to render for others when the page was not kept the last time."""
        with self._lock:
            if window != self.window or key in self._unkept:
                return None, False
            waiting = self._making.get(key)
            if waiting is not None:
                return waiting, False
            self._making[key] = threading.Event()
            return self._making[key], True

    def made(self, key: tuple[str, str], done: threading.Event, *, kept: bool) -> None:
        """The request that rendered ``key`` is through with it: its waiters go on."""
        with self._lock:
            if self._making.get(key) is done:
                del self._making[key]
            if not kept:
                self._unkept[key] = None
                self._unkept.move_to_end(key)
                while len(self._unkept) > UNKEPT_REMEMBERED:
                    self._unkept.popitem(last=False)
        done.set()

    def put(self, window: version.Window, key: tuple[str, str], page: Page) -> None:
        with self._lock:
            if window != self.window or page.size > self.capacity:
                return
            self._unkept.pop(key, None)
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


def _address(environ: dict[str, Any]) -> str:
    """The key's address, the same from a WSGI environment and from Flask's request."""
    return f"{environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}"


class FastPath:
    """WSGI: a visitor who carries no cookie but the language's, asking for a page kept in
    this window, gets it here with the headers it had, without Flask (one query: the data's
    version). Anything else goes on to the app, and a page the app keeps on the way gets its
    final headers here."""

    def __init__(self, app: Flask, wrapped: Callable[..., Iterable[bytes]]) -> None:
        self.flask = app
        self.wrapped = wrapped
        self.static = f"{app.static_url_path}/"
        self._reader: sa.Engine | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        page = self._kept(environ)
        if page is not None:
            return self._send(page, environ, start_response)
        sent: list[tuple[str, str]] = []

        def keeping(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            sent.extend(headers)
            return start_response(status, headers, *rest)

        answer = self.wrapped(environ, keeping)
        made = environ.pop(_MADE, None)
        if made is not None:
            window, key, page = made
            final = tuple((k, v) for k, v in sent if k.lower() not in NOT_KEPT)
            self.flask.extensions["pagecache"].put(window, key, replace(page, final=final))
        return answer

    def _kept(self, environ: dict[str, Any]) -> Page | None:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or "HTTP_HX_REQUEST" in environ:
            return None
        if environ.get("PATH_INFO", "").startswith(self.static):
            return None
        cookies = parse_cookie(environ)
        if any(name != LANG_COOKIE for name in cookies):
            return None
        if environ.get("HTTP_IF_MODIFIED_SINCE") and not environ.get("HTTP_IF_NONE_MATCH"):
            return None
        try:
            host = get_host(environ, self.flask.config.get("TRUSTED_HOSTS"))
        except SecurityError:
            return None
        if not valid_host(host):
            return None
        cache: PageCache = self.flask.extensions["pagecache"]
        try:
            window = self._window()
        except SQLAlchemyError:
            # The database is away: the app answers, with its error page.
            return None
        if window is None:
            return None
        environ[_WINDOW] = window
        cache.see(window)
        language = "en" if cookies.get(LANG_COOKIE) == "en" else "es"
        page = cache.get(window, (language, _address(environ)))
        return page if page is not None and page.final is not None else None

    def _window(self) -> version.Window | None:
        with self.flask.app_context():
            bind = db.engine
            if bind.dialect.name != "postgresql" or not isinstance(bind, sa.Engine):
                # SQLite reads in-process; a connection held by the tests reads through it.
                with reading_only():
                    return version.current()
            if self._reader is None:
                self._reader = _reader_for(bind)
            with self._reader.connect() as connection:
                return version.current(connection)

    @staticmethod
    def _send(page: Page, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        compressed = "gzip" in parse_accept_header(environ.get("HTTP_ACCEPT_ENCODING"))
        body = page.gzipped if compressed else page.body
        headers = list(page.final or ())
        etag = dict((k.lower(), v) for k, v in headers).get("etag")
        if etag and parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains_weak(
            unquote_etag(etag)[0]
        ):
            start_response(
                "304 Not Modified", [h for h in headers if h[0].lower() != "content-type"]
            )
            return []
        if compressed:
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Length", str(len(body))))
        start_response("200 OK", headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]


def _reader_for(engine: sa.Engine) -> sa.Engine:
    """On PostgreSQL, the version is read in one round trip: connections of their own, in
    autocommit (no BEGIN and ROLLBACK around the one statement) and not pinged before use (a
    connection the server dropped fails the read, is thrown away, and the request goes on to
    the app, whose connections are pinged)."""
    return sa.create_engine(
        engine.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False, pool_size=4, max_overflow=8
    )


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
    window = request.environ.get(_WINDOW) or version.current()
    if window is None:
        return None
    cache.see(window)
    key = (current_language(), _address(request.environ))
    page = cache.get(window, key)
    if page is not None:
        return page.answer()
    event, mine = cache.making(window, key)
    if event is not None and not mine:
        # Another request renders this page right now: its answer will be this one's too.
        event.wait(WAIT_SECONDS)
        page = cache.get(window, key)
        if page is not None:
            return page.answer()
    elif mine:
        request.environ[_MAKING] = (key, event)
    request.environ[_KEY] = (window, key)
    return None


def _let_go(kept: bool) -> None:
    making = request.environ.pop(_MAKING, None)
    if making is not None:
        _cache().made(*making, kept=kept)


def _let_go_after_all(_error: BaseException | None) -> None:
    """Whatever became of the request (an error included), nobody waits for it any longer."""
    _let_go(kept=False)


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
        _let_go(kept=False)
        return response
    body = response.get_data()
    if len(body) > LARGEST:
        _let_go(kept=False)
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
    _let_go(kept=True)
    request.environ[_MADE] = (window, key, page)
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
    app.teardown_request(_let_go_after_all)
    app.wsgi_app = FastPath(app, app.wsgi_app)  # type: ignore[method-assign]
