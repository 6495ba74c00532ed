"""Word-level text handling shared by BM25, sentence scoring and evaluation: pure functions."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_STEMMER = snowballstemmer.stemmer("english")
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves s t don didn doesn isn wasn weren
    won wouldn shouldn couldn ve ll re d m o y us via per
    """.split()
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def fold_accents(text: str) -> str:
    """ "Temür" -> "Temur", "café" -> "cafe": a name is found however a question or document accents it."""
    if text.isascii():
        return text
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed content words, accents folded; stopwords dropped."""
    words = _WORD.findall(fold_accents(text).lower().replace("’", "'"))
    return [stem(word.split("'")[0]) for word in words if word not in STOPWORDS and word.split("'")[0] not in STOPWORDS]


def normalise(text: str) -> str:
    """Case, accent, quote and whitespace folding for phrase matching (gold evidence, names, duplicate checks)."""
    folded = fold_accents(text).lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    folded = folded.replace("–", "-").replace("—", "-")
    return " ".join(folded.split())


def jaccard(left: set[str], right: set[str]) -> float:
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)
