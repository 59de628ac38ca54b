"""Customer vocabulary: groups of equivalent words and phrases, used to widen a query.

The shipped general thesaurus (kb_tools/search/data/thesaurus.yml) is merged with an optional
`synonyms.yml` in the docs folder and with the glossary (docs/glossary.yml: each term with the
words customers use for it), so the site's vocabulary has one source. Phrases are analysed with the index's analyzer, so "log in",
"Login" and "logging in" all meet the same terms.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import yaml

from kb_tools.content.frontmatter import load_yaml, yaml_problem
from kb_tools.content.glossary import load_glossary
from kb_tools.errors import ConfigError
from kb_tools.search.analysis import terms
from kb_tools.search.storage import replace_file

KB_SYNONYMS_FILE = "synonyms.yml"
THESAURUS_FILE = "thesaurus.json"  # in each index generation

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Thesaurus:
    groups: tuple[tuple[Phrase, ...], ...]

    @cached_property
    def _groups_by_first_term(self) -> dict[str, list[int]]:
        """Group numbers by the first term of each of their phrases: a query looks at only the
        groups one of its own terms could start."""
        index: dict[str, list[int]] = {}
        for number, group in enumerate(self.groups):
            for phrase in filter(None, group):
                numbers = index.setdefault(phrase[0], [])
                if not numbers or numbers[-1] != number:
                    numbers.append(number)
        return index

    def words_starting(self, prefix: str) -> list[str]:
        """The one-word phrases of the groups that start with `prefix` ("wif" -> wifi)."""
        return sorted(term for term in self._groups_by_first_term if term.startswith(prefix) and any(
            (term,) in self.groups[n] for n in self._groups_by_first_term[term]))

    def alternatives(self, query_terms: list[str]) -> list[Phrase]:
        """Phrases equivalent to a phrase found in the query, not already in the query."""
        found: list[Phrase] = []
        possible = sorted({n for term in set(query_terms) for n in self._groups_by_first_term.get(term, ())})
        for group in (self.groups[n] for n in possible):
            if any(_contains(query_terms, phrase) for phrase in group):
                found += [p for p in group if not _contains(query_terms, p) and p not in found]
        return found


def write_thesaurus(directory: Path, thesaurus: Thesaurus) -> None:
    """Save the analysed groups into an index generation: searchers read them from there, so a
    server with only the index (no docs/) has the knowledge base's own vocabulary, and starts fast."""
    data = json.dumps({"groups": [[list(phrase) for phrase in group] for group in thesaurus.groups]})
    replace_file(directory / THESAURUS_FILE, lambda handle: handle.write(data.encode("utf-8")))


def read_thesaurus(directory: Path) -> Thesaurus:
    data = json.loads((directory / THESAURUS_FILE).read_text(encoding="utf-8"))
    return Thesaurus(tuple(tuple(tuple(phrase) for phrase in group) for group in data["groups"]))


def load_thesaurus(docs_dir: Path | None = None, *, extra_groups: list[list[str]] | None = None) -> Thesaurus:
    """The shipped groups, plus docs/synonyms.yml and the glossary's synonyms when present, plus `extra_groups`."""
    shipped = resources.files("kb_tools.search").joinpath("data", "thesaurus.yml").read_text("utf-8")
    groups = _groups(load_yaml(shipped), "kb_tools/search/data/thesaurus.yml")
    local = docs_dir / KB_SYNONYMS_FILE if docs_dir else None
    if local and local.is_file():
        try:
            data = load_yaml(local.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigError(f"{local}: not valid YAML ({yaml_problem(exc)}).") from None
        groups += _groups(data, str(local))
    groups += load_glossary(docs_dir).synonym_groups()
    groups += [g for g in extra_groups or []]
    analysed = []
    for group in groups:
        phrases = tuple(dict.fromkeys(p for p in (tuple(terms(text)) for text in group) if p))
        if len(phrases) > 1:
            analysed.append(phrases)
    return Thesaurus(tuple(analysed))


def _groups(data: object, source: str) -> list[list[str]]:
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list) or not all(isinstance(g, list) for g in groups):
        raise ConfigError(f"{source}: expected `groups:` followed by lists of equivalent phrases, "
                          "e.g. `- [sign in, log in, login]`.")
    return [[str(item) for item in group] for group in groups]


def _contains(sequence: list[str], phrase: Phrase) -> bool:
    size = len(phrase)
    return any(tuple(sequence[i:i + size]) == phrase for i in range(len(sequence) - size + 1))
