"""Search as you type: any typed word may be unfinished, not only the last ("firmw update", "my wif").

A word of three letters or more that the index does not know stands for the indexed words it
starts ("passw" -> password, passwords) and for the thesaurus words it starts ("wif" -> wifi, so
its group brings "wi fi" and "wireless" too). While the agent types, a last word of one or two
letters is only begun: left out until it can start something ("my wifi ke" searches "my wifi").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kb_tools.search.analysis import STOP_WORDS, term_of, words
from kb_tools.search.postings import PAIRS, WORDS, pair

if TYPE_CHECKING:
    from kb_tools.search.postings import Postings
    from kb_tools.search.spelling import Speller
    from kb_tools.search.thesaurus import Thesaurus

MIN_PREFIX = 3  # "wi" would start too many words to mean anything
_LAST_WORD = re.compile(r"\w+$")
EXPANSIONS = 20  # the most frequent indexed words an unfinished word stands for


def unfinished_words(typed_words: list[str], speller: Speller) -> tuple[str, ...]:
    """The typed words (unstemmed, no stop words) that may be the start of a longer word."""
    return tuple(dict.fromkeys(word for word in typed_words
                               if len(word) >= MIN_PREFIX and not speller.is_known(word)))


def begun_word(text: str, speller: Speller) -> str:
    """The text's last word when it is only begun: one or two letters at its very end that are neither
    a word of the index nor a stop word ("my wifi ke", on the way to "keeps"). Too short to start
    anything yet, it means nothing: "" when there is no such word."""
    last = _LAST_WORD.search(text)
    word = last.group() if last else ""
    if len(word) >= MIN_PREFIX or not word.isalpha() or word.lower() in STOP_WORDS or speller.is_known(word.lower()):
        return ""
    return word


def completions(prefixes: tuple[str, ...], postings: Postings) -> list[str]:
    """The indexed terms the unfinished words start, the most frequent first for each."""
    return list(dict.fromkeys(term for prefix in prefixes for term in postings.expand_prefix(prefix, limit=EXPANSIONS)))


def thesaurus_completions(prefixes: tuple[str, ...], thesaurus: Thesaurus) -> list[str]:
    """The thesaurus words the unfinished words start: their groups widen the query as if typed."""
    return [term for prefix in prefixes for term in thesaurus.words_starting(prefix)]


def completed_text(text: str, prefixes: tuple[str, ...], postings: Postings) -> str:
    """`text` with each unfinished word replaced by the whole word it most likely stands for ("my wif"
    -> "my wifi"): what the semantic half embeds, as a fragment has no meaning of its own. The likeliest
    is the one the articles put next to a neighbouring word ("par con" -> "parental controls", where
    the most frequent words would make "part confirm"), else the most frequent."""
    if not prefixes:
        return text
    typed = words(text)  # the neighbours as the pairs of the index know them: no stop words
    options = [(postings.words_starting(word, limit=EXPANSIONS) or [word]) if word in prefixes else [word]
               for word in typed]
    best = {}
    for at, word in enumerate(typed):
        if word in prefixes:
            beside = [(options[other], other > at) for other in (at - 1, at + 1) if 0 <= other < len(typed)]
            best[word] = max(options[at], key=lambda w: (_beside(w, beside, postings), postings.frequency(WORDS, w), -len(w)))
    return re.sub(r"\w+", lambda m: best.get(m.group().lower(), m.group()), text)


def _beside(word: str, neighbours: list[tuple[list[str], bool]], postings: Postings) -> int:
    """In how many articles `word` stands next to one of each neighbour's words (`after`: the
    neighbour comes after it), summed over the neighbours."""
    return sum(max(_pair_count(word, other, postings) if after else _pair_count(other, word, postings) for other in others)
               for others, after in neighbours)


def _pair_count(first: str, second: str, postings: Postings) -> int:
    a, b = term_of(first), term_of(second)
    return postings.frequency(PAIRS, pair(a, b)) if a and b else 0
