"""Realistic queries for the speed benchmark, made from a knowledge base's own words.

Five kinds, in equal shares and shuffled, each the way an agent types during a call:
  title     an article's title with a third of its words dropped ("band disconnects android")
  typo      two to four title words, one of them misspelt ("guest netwrok password")
  spoken    what the caller says: an article's `customer_says` line or an everyday complaint
  word      a single word of the vocabulary ("voicemail")
  rambling  a long call summary, 30-50 words, mixing a complaint, article text and filler
The same articles and seed give the same queries.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass

from kb_tools.content.model import Article

KINDS = ("title", "typo", "spoken", "word", "rambling")

# Everyday complaints a caller opens with, whatever the knowledge base says.
COMPLAINTS = (
    "my internet keeps dropping", "wifi keeps cutting out in the evening", "cant log in to my account",
    "the tv box says no signal", "phone has no dial tone", "my bill is higher than last month",
    "app keeps crashing when i open it", "camera went offline", "forgot my password",
    "the lights on the hub are flashing orange", "no internet since this morning", "slow speeds upstairs",
    "my sim isnt working abroad", "recordings disappeared", "doorbell doesnt ring anymore",
    "how do i change my payment card", "thermostat not responding", "cant hear anything on calls",
)
OPENERS = ("hi so the customer says", "caller is an older gentleman and says", "lady on the phone says",
           "customer called back again because", "ok so basically")
FILLERS = ("they already restarted everything twice", "nothing seems to help", "they tried it on another phone too",
           "this started a few days ago", "what should i tell them", "they are pretty annoyed",
           "not sure if it is related but", "they want to know if an engineer can come out")
_WORD = re.compile(r"[a-z][a-z'-]{3,}")


@dataclass(frozen=True)
class Query:
    kind: str
    text: str


def make_queries(articles: Iterable[Article], count: int, *, seed: int = 7) -> list[Query]:
    """`count` queries over `articles` (site pages are skipped), the kinds in equal shares, shuffled."""
    pool = [a for a in articles if a.meta.type != "page"]
    if not pool:
        raise ValueError("no articles to make queries from")
    r = random.Random(seed)
    vocabulary = sorted({w for a in pool[:2000] for w in _WORD.findall(f"{a.title} {a.meta.summary}".lower())})
    makers = {"title": _title, "typo": _typo, "spoken": _spoken, "word": lambda r, a: r.choice(vocabulary),
              "rambling": _rambling}
    queries = [Query(kind, makers[kind](r, r.choice(pool))) for i in range(count) for kind in [KINDS[i % len(KINDS)]]]
    r.shuffle(queries)
    return queries


def _title(r: random.Random, article: Article) -> str:
    words = article.title.lower().split()
    drop = set(r.sample(range(len(words)), len(words) // 3)) if len(words) > 2 else set()
    return " ".join(w for i, w in enumerate(words) if i not in drop)


def misspell(r: random.Random, word: str) -> str:
    """One keyboard slip: two letters swapped, one dropped or one doubled."""
    i = r.randrange(1, len(word) - 2)
    slip = r.choice(("swap", "drop", "double"))
    if slip == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i + 1:] if slip == "drop" else word[:i] + word[i] + word[i:]


def _typo(r: random.Random, article: Article) -> str:
    words = article.title.lower().split()
    long = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not long:
        return " ".join(words)
    slip = r.choice(long)
    start = max(0, slip - r.randint(0, 2))
    picked = words[start:max(slip + 1, start + r.randint(2, 4))]
    picked[slip - start] = misspell(r, words[slip])
    return " ".join(picked)


def _spoken(r: random.Random, article: Article) -> str:
    if article.meta.customer_says and r.random() < 0.7:
        return r.choice(article.meta.customer_says).lower()
    return r.choice(COMPLAINTS)


def _rambling(r: random.Random, article: Article) -> str:
    said = r.choice(article.meta.customer_says).lower() if article.meta.customer_says else r.choice(COMPLAINTS)
    body = article.text().split()
    start = r.randrange(max(1, len(body) - 12))
    parts = [r.choice(OPENERS), said, "and", *r.sample(FILLERS, 2), "the article mentions",
             " ".join(body[start:start + r.randint(6, 12)]).lower()]
    return " ".join(parts)


# Queries that need exactness (Whoosh's query language): timed apart from the everyday mix.
EXACT_KINDS = ("phrase", "label", "field")


def make_exact_queries(articles: Iterable[Article], count: int, *, seed: int = 7) -> list[Query]:
    """`count` queries in equal shares, shuffled: a quoted run of 2-5 words from an article's text, as
    a caller reads out a message (phrase); `label:"..."` with one of its steps' on-screen labels
    (label); `title:` with a word of its title (field)."""
    pool = [a for a in articles if a.meta.type != "page"]
    if not pool:
        raise ValueError("no articles to make queries from")
    r = random.Random(seed)

    def phrase(article: Article) -> str:
        body = article.text().split()
        start = r.randrange(max(1, len(body) - 5))
        return '"' + " ".join(body[start:start + r.randint(2, 5)]).strip('"') + '"'

    def label(article: Article) -> str:
        labels = [label for step in article.steps() for label in step.labels]
        return f'label:"{r.choice(labels)}"' if labels else phrase(article)

    def field(article: Article) -> str:
        return "title:" + r.choice([w for w in _WORD.findall(article.title.lower())] or ["help"])

    makers = {"phrase": phrase, "label": label, "field": field}
    queries = [Query(kind, makers[kind](r.choice(pool))) for i in range(count)
               for kind in [EXACT_KINDS[i % len(EXACT_KINDS)]]]
    r.shuffle(queries)
    return queries
