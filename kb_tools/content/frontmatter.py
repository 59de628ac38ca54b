"""Split an article into its YAML front matter and its Markdown body, keeping line numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

_FENCE = "---"
_END_FENCES = ("---", "...")


@dataclass(frozen=True)
class FrontMatter:
    """The parsed block: values, the file line of each key, and the body that follows."""

    data: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    present: bool = False
    error: str | None = None
    error_line: int = 1


# libyaml's loader when PyYAML has it (10x faster), with the same safe constructors.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """`yaml.safe_load`, with libyaml's parser when there is one; raises yaml.YAMLError."""
    return yaml.load(text, Loader=_SafeLoader)


def load_yaml_with_nodes(text: str, *, loader_class: type = _SafeLoader) -> tuple[yaml.Node | None, Any]:
    """The document's nodes (they know their lines, for messages) and its data, from one parse;
    raises yaml.YAMLError."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def split_front_matter(text: str) -> FrontMatter:
    """Parse the leading `---` block; a YAML error is returned, never raised."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != _FENCE:
        return FrontMatter(body=text)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in _END_FENCES), None)
    if end is None:
        return FrontMatter(body=text, present=True, error="the front matter has no closing `---` line",
                           error_line=1)
    block = "".join(lines[1:end])
    body = "".join(lines[end + 1:])
    body_line = end + 2
    try:
        node, data = load_yaml_with_nodes(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        return FrontMatter(body=body, body_line=body_line, present=True,
                           error=f"the front matter is not valid YAML: {yaml_problem(exc)}", error_line=line)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return FrontMatter(body=body, body_line=body_line, present=True,
                           error="the front matter must be `key: value` lines", error_line=2)
    key_lines = {}
    if isinstance(node, yaml.MappingNode):
        key_lines = {str(k.value): k.start_mark.line + 2 for k, _ in node.value}
    return FrontMatter(data={str(k): v for k, v in data.items()}, key_lines=key_lines, body=body,
                       body_line=body_line, present=True)


def yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error's own words, without the snippet PyYAML appends."""
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if problem:
        return f"{context}, {problem}" if context else str(problem)
    return str(exc).splitlines()[0]
