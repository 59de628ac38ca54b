"""Whoosh's query language in searches: quoted phrases and field queries.

    "Error PAY-051: card declined"       these words side by side, in any text field
    title:refund                         a word in one field
    label:"Optimise Wi-Fi"               a phrase in one field (label: the on-screen labels of the steps)
    title:refund OR title:return         Whoosh's operators (AND, OR, NOT, parentheses, `wi*`) in such a query

A query with a quoted phrase, or a field name (FIELDS, lower case) with a colon then a word or a
quote, goes to Whoosh: Whoosh decides which articles match, with its own rules (every word is required unless OR
says otherwise), and the usual pipeline ranks them by the query's words. Any other query is everyday
words, ranked on the postings. What Whoosh cannot make sense of (an unclosed quote, `label:"`,
nothing but operators or stop words) is read as everyday words: bad syntax is never an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from whoosh.fields import Schema
from whoosh.query import AndNot, Not, NullQuery, Phrase, Query, Term

from kb_tools.search.analysis import MAX_QUERY_CHARS, clean_text

TEXT_FIELDS = ("title", "summary", "customer_says", "headings", "body", "label")  # as the index's schema has them
FIELDS = (*TEXT_FIELDS, "tags", "product", "type", "status", "owner")
# Typed quotes, as a word processor or a phone keyboard makes them, are quotes too.
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"'})
_PHRASE = re.compile(r'"[^"]*\w[^"]*"')
_FIELD = re.compile(rf'(?<![\w:])(?:{"|".join(FIELDS)}):(?=[\w"])')


@dataclass(frozen=True)
class ExactQuery:
    """A query in Whoosh's language: what must match, and the words the matches are ranked by."""

    text: str
    query: Query
    terms: list[str]  # analysed, without those under NOT


def parse_exact(text: str, schema: Schema) -> ExactQuery | None:
    """The Whoosh query in `text`, or None when `text` is everyday words (or syntax that means nothing)."""
    cleaned = " ".join(clean_text(str(text), limit=MAX_QUERY_CHARS).translate(_QUOTES).split())
    if cleaned.count('"') % 2 or not (_PHRASE.search(cleaned) or _FIELD.search(cleaned)):
        return None  # everyday words, or an unclosed quote
    # Imported here: everyday queries (and the start of `kb search`) never need the parser.
    from whoosh.qparser import BoostPlugin, EveryPlugin, MultifieldParser, RangePlugin, SingleQuotePlugin

    parser = MultifieldParser(list(TEXT_FIELDS), schema)
    # Kept out of the language: literal 'single quotes' (apostrophes are everyday text), ranges,
    # boosts, and `*` alone (every article).
    for plugin in (SingleQuotePlugin, RangePlugin, BoostPlugin, EveryPlugin):
        parser.remove_plugin_class(plugin)
    try:
        query = parser.parse(cleaned)
    except Exception:  # noqa: BLE001 - the parser trips on some malformed input (IndexError on `NOT AND "`)
        return None
    if query is NullQuery or isinstance(query, Not):
        return None
    ranked = list(dict.fromkeys(_ranking_terms(query)))
    return ExactQuery(cleaned, query, ranked)


def without_quotes(text: str) -> str:
    """`text` without its quote marks: in everyday words (an unclosed quote) they mean nothing, and
    embedded with the words they would change what the query is about."""
    return text.translate(_QUOTES).replace('"', " ")


def _ranking_terms(query: Query) -> Iterator[str]:
    """The words of `query` that an article should have (not those under NOT)."""
    if isinstance(query, Not):
        return
    if isinstance(query, AndNot):
        yield from _ranking_terms(query.a)
        return
    if isinstance(query, Phrase):
        yield from query.words
    elif isinstance(query, Term) and isinstance(query.text, str):
        yield query.text
    for child in query.children():
        yield from _ranking_terms(child)
