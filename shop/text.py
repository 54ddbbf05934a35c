"""Greek text helpers: transliteration to Latin (ELOT 743) and slugs.

Indexing runs these on every word of every document, so the work is done once per
distinct word (``lru_cache``) and whole texts are cut at whitespace, which no rule
looks across: the results are the same as for the whole text at once.
"""

import re
import unicodedata
from functools import lru_cache

from django.utils.text import slugify

_SINGLE = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
    "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps",
    "ω": "o",
}  # fmt: skip
_PAIRS = {"ου": "ou", "γγ": "ng", "γκ": "gk", "γξ": "nx", "γχ": "nch", "μπ": "mp"}
# Before these letters (or at the end of a word) αυ, ευ, ηυ sound as af, ef, if.
_VOICELESS = set("θκξπστφχψ")
_U_DIPHTHONG_FIRST = {"α": "a", "ε": "e", "η": "i"}
_DIAERESIS = "\u0308"


def _letters(text):
    """List (lower-case base letter, has diaeresis, is upper case) for each character."""
    letters = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            if char == _DIAERESIS and letters:
                letters[-1][1] = True
            continue
        letters.append([char.lower(), False, char.isupper()])
    return letters


# Whitespace, kept as separate parts by ``split``.
_WHITESPACE = re.compile(r"(\s+)")
_WORD_CACHE_SIZE = 100_000


def transliterate_greek(text):
    """Write Greek text in Latin letters following ELOT 743 (the Greek passport standard).

    Accents are dropped, ``ου`` becomes ``ou``, ``αυ``/``ευ`` become ``av``/``ev`` or
    ``af``/``ef`` before a voiceless consonant, and a diaeresis keeps two vowels apart.
    Non-Greek characters pass through unchanged.
    """
    return "".join(_transliterate_word(part) for part in _WHITESPACE.split(str(text)))


@lru_cache(maxsize=_WORD_CACHE_SIZE)
def _transliterate_word(text):
    letters = _letters(text)
    out = []
    i = 0
    while i < len(letters):
        char, _, upper = letters[i]
        nxt = letters[i + 1] if i + 1 < len(letters) else None
        latin = None
        step = 1
        if nxt is not None and not nxt[1]:
            pair = char + nxt[0]
            if char in _U_DIPHTHONG_FIRST and nxt[0] == "υ":
                after = letters[i + 2][0] if i + 2 < len(letters) else ""
                voiceless = after in _VOICELESS or not after.isalpha()
                latin = _U_DIPHTHONG_FIRST[char] + ("f" if voiceless else "v")
                step = 2
            elif pair in _PAIRS:
                latin = _PAIRS[pair]
                step = 2
        if latin is None:
            latin = _SINGLE.get(char, char)
        if upper:
            latin = latin[0].upper() + latin[1:]
        out.append(latin)
        i += step
    return "".join(out)


def slugify_greek(value, allow_unicode=False):
    """Latin slug for any title: ``Μέλι Θυμαρίσιο`` gives ``meli-thymarisio``."""
    return slugify(transliterate_greek(value), allow_unicode=allow_unicode)


def fold_for_search(text) -> str:
    """Text as the search index stores it: no accents or other marks, case-folded.

    ``Μέλι ΕΛΑΙΌΛΑΔΟ Ψωμιά`` gives ``μελι ελαιολαδο ψωμια``; a final sigma becomes
    ``σ``, so that a word matches whichever form of sigma it was typed with. Both the
    indexed text and the visitor's query go through it, on Whoosh and Elasticsearch
    alike.
    """
    decomposed = unicodedata.normalize("NFD", str(text or ""))
    bare = decomposed.translate(_WITHOUT_COMBINING_MARKS)
    return unicodedata.normalize("NFC", bare.casefold())


class _CombiningMarkRemover(dict):
    """A ``str.translate`` table deleting combining marks, filled in as characters
    are met."""

    def __missing__(self, code):
        replacement = None if unicodedata.combining(chr(code)) else code
        self[code] = replacement
        return replacement


_WITHOUT_COMBINING_MARKS = _CombiningMarkRemover()


_GREEKLISH_RULES = [
    # Latin spellings of the same Greek sound, reduced to one: Greeklish typed by
    # people (meli, elaiolado, thymarisio, 8alassa) and Greek transliterated by
    # ELOT 743 meet on the same key.
    (re.compile(r"8"), "th"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"[ck]h"), "h"),
    (re.compile(r"ks"), "x"),
    (re.compile(r"ou"), "u"),
    (re.compile(r"ai"), "e"),
    (re.compile(r"(?:ei|oi|yi)"), "i"),
    (re.compile(r"au"), "av"),
    (re.compile(r"eu"), "ev"),
    (re.compile(r"mp"), "b"),
    (re.compile(r"nt"), "d"),
    (re.compile(r"(?:ng|gk|gg)"), "g"),
    (re.compile(r"y"), "i"),
    (re.compile(r"w"), "o"),
    (re.compile(r"([a-z])\1+"), r"\1"),
]


def greeklish_key(text) -> str:
    """A loose Latin key of Greek or Greeklish text, for matching one with the other.

    ``Ελαιόλαδο`` and ``elaiolado`` both give ``eleolado``; ``Μέλι Θυμαρίσιο``,
    ``meli thymarisio`` and ``meli thimarisio`` give ``meli thimarisio``. The index
    stores the key of every text beside the text itself, and a query is also searched
    by its key.
    """
    parts = _WHITESPACE.split(fold_for_search(text))
    return "".join(_greeklish_word_key(part) for part in parts)


@lru_cache(maxsize=_WORD_CACHE_SIZE)
def _greeklish_word_key(folded):
    latin = _transliterate_word(folded).lower()
    for pattern, replacement in _GREEKLISH_RULES:
        latin = pattern.sub(replacement, latin)
    return latin


def greeklish_keys(text) -> str:
    """The keys the index stores for a text: ``χ`` is typed ``h``/``ch`` by some and
    ``x`` by others, so text with a ``χ`` gets a key for each spelling."""
    keys = [greeklish_key(text)]
    folded = fold_for_search(text)
    if "χ" in folded:
        keys.append(greeklish_key(folded.replace("χ", "ξ")))
    return "\n".join(keys)


def searchable_text(text) -> str:
    """What an index stores as the searched text: the text folded, then its Greeklish
    keys, so that Greek typed any way and Greeklish both find it."""
    folded = fold_for_search(text)
    return f"{folded}\n{greeklish_keys(folded)}"
