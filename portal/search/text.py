"""Words as the search sees them: the same steps for what is indexed and for what is asked.

1. Words are runs of letters and digits (``\\w`` without the underscore), so punctuation, quotes,
   ``*``, parentheses and the like never reach the database's query syntax.
2. Each word is lower-cased and loses its accents and tildes (Unicode NFKD, combining marks
   dropped): ``Cañete`` → ``canete``. The tilde of the ñ goes too, on purpose: on an old
   phone people often type ``canete`` or ``pequenos``; the price, ``año`` meeting ``ano``,
   does not hurt in what mesas write.
3. Spanish function words (``de``, ``la``, ``para``…) are left out, so that ``camino a
   Cañete`` finds "el camino de Cañete" (every word of a search must be present).
4. What is left is stemmed by the Snowball Spanish stemmer: ``camino`` and ``caminos`` are
   both ``camin``.

The stems are computed here, in Python, once, and stored; both databases then index and match
these same stems (FTS5 on SQLite, a GIN-indexed ``tsvector`` on PostgreSQL), so both give the
same results. PostgreSQL's own ``spanish`` configuration would stem a second time and drop a
different list of words (with accents, which the text no longer has).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

import snowballstemmer

WORD = re.compile(r"[^\W_]+")
ASCII_WORD = re.compile(r"[a-z0-9]+")
# Longer "words" are pasted codes or noise; they are cut so that one cannot bloat the index.
LONGEST_WORD = 40

# Unaccented, since words are compared after losing their accents.
# Only words that never name anything: "bajo", "este" and "sobre" stay (Río Bajo, sector este).
_STOPWORDS = """
    a al ante con contra de del desde durante e el en entre hacia hasta la las le les lo los
    mediante o para pero por que se segun sin su sus tras u un una unas unos y ya es son fue
    ser sera como cual cuando donde esta estos estas ese esa esos esas aquel aquella mas muy
    ni no si tambien
"""
STOPWORDS = frozenset(_STOPWORDS.split())

_local = threading.local()


def _stemmer():  # type: ignore[no-untyped-def]
    """One Snowball stemmer per thread: its instances keep state while they stem a word."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("spanish")
    return stemmer


def fold(text: str) -> str:
    """Lower case, no accents, no tildes: ``Cañete`` → ``canete``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _folded_words(word: str) -> list[str]:
    return [w[:LONGEST_WORD] for w in ASCII_WORD.findall(fold(word))]


def stems(text: str) -> list[str]:
    """The stems of the words of ``text`` that count, in order (repeats kept)."""
    words = [w for token in WORD.findall(text) for w in _folded_words(token)]
    return _stemmer().stemWords([w for w in words if w not in STOPWORDS])


def terms(text: str) -> str:
    """What is stored and indexed: the stems, separated by spaces."""
    return " ".join(stems(text))


def query_stems(text: str) -> list[str]:
    """The distinct stems of a search, in the order they were typed."""
    return list(dict.fromkeys(stems(text)))


@dataclass(frozen=True)
class Piece:
    """A stretch of text to show; ``hit`` when it is a word that was searched for."""

    text: str
    hit: bool = False


def _hits(text: str, wanted: set[str]) -> list[tuple[int, int]]:
    """Where in ``text`` the words whose stem was searched for start and end."""
    found = []
    stemmer = _stemmer()
    for match in WORD.finditer(text):
        words = _folded_words(match.group())
        if any(w not in STOPWORDS and stemmer.stemWord(w) in wanted for w in words):
            found.append(match.span())
    return found


def marked(text: str, wanted: list[str]) -> list[Piece]:
    """The whole of ``text`` with the searched words marked."""
    pieces, at = [], 0
    for start, end in _hits(text, set(wanted)):
        if start > at:
            pieces.append(Piece(text[at:start]))
        pieces.append(Piece(text[start:end], hit=True))
        at = end
    if at < len(text):
        pieces.append(Piece(text[at:]))
    return pieces


def snippet(text: str, wanted: list[str], length: int = 180) -> list[Piece]:
    """About ``length`` characters of ``text`` around the first searched word, marked; the
    beginning of the text when no searched word is in it (it matched on the title)."""
    text = " ".join(text.split())
    hits = _hits(text, set(wanted))
    start = 0
    if hits and hits[0][1] > length:
        start = max(0, hits[0][0] - length // 3)
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < hits[0][0] else start
    end = start + length
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    pieces = marked(text[start:end], wanted)
    if start > 0:
        pieces.insert(0, Piece("… "))
    if end < len(text):
        pieces.append(Piece(" …"))
    return pieces
