"""Greek text helpers: transliteration to Latin (ELOT 743) and slugs."""

import unicodedata

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


def transliterate_greek(text):
    """Write Greek text in Latin letters following ELOT 743 (the Greek passport standard).

    Accents are dropped, ``ου`` becomes ``ou``, ``αυ``/``ευ`` become ``av``/``ev`` or
    ``af``/``ef`` before a voiceless consonant, and a diaeresis keeps two vowels apart.
    Non-Greek characters pass through unchanged.
    """
    letters = _letters(str(text))
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
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare.casefold())
