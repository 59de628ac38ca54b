"""Render article Markdown to HTML with the site's extensions (plus the checkpoint marker)."""

from __future__ import annotations

import threading

import markdown

from kb_tools.content.config import KBConfig
from kb_tools.errors import ConfigError

EXTENSION_NAME = "kb_tools.content.markdown_ext"


class Renderer:
    """A reusable Markdown converter; building one costs far more than a conversion."""

    def __init__(self, config: KBConfig) -> None:
        names, configs = config.extension_names_and_configs()
        if EXTENSION_NAME not in names:
            names.append(EXTENSION_NAME)
        try:
            self._md = markdown.Markdown(extensions=names, extension_configs=configs)
        except (ImportError, TypeError, KeyError, ValueError) as exc:
            raise ConfigError(f"cannot set up the Markdown extensions from mkdocs.yml: {exc}") from None
        self._lock = threading.Lock()

    def to_html(self, text: str) -> str:
        with self._lock:  # a Markdown instance keeps per-document state
            self._md.reset()
            return self._md.convert(text)
