"""What several commands share: their common options, progress on a terminal, notices."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

DOCS_DEFAULT = "docs"
INDEX_DEFAULT = "search_index"


def docs_argument(func: Any) -> Any:
    return click.argument("docs", default=DOCS_DEFAULT, type=click.Path(file_okay=False, path_type=Path))(func)


def utf8_argument(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A text argument as given, or one clear line when the terminal passed bytes that are not UTF-8
    (Python keeps them as lone surrogates, which no search or file can hold)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(value[exc.start])
        shown = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"U+{code:04X}"
        raise click.ClickException(f"{param.human_readable_name} is not UTF-8 text ({shown} at character "
                                   f"{exc.start + 1}); type it again, or use a UTF-8 locale (e.g. LANG=C.UTF-8)") from None
    return value


def docs_option(help: str = "The docs folder.") -> Any:
    return click.option("--docs", "docs", default=DOCS_DEFAULT, show_default=True,
                        type=click.Path(file_okay=False, path_type=Path), help=help)


def index_option(func: Any) -> Any:
    return click.option("--index", "index_dir", default=INDEX_DEFAULT, show_default=True,
                        type=click.Path(file_okay=False, path_type=Path), help="The index folder.")(func)


def mode_option(func: Any) -> Any:
    return click.option("--mode", type=click.Choice(["hybrid", "lexical", "semantic"]), default="hybrid",
                        show_default=True, help="Rank by words and meaning, words only, or meaning only.")(func)


def json_option(help: str) -> Any:
    return click.option("--json", "as_json", is_flag=True, help=help)


def log_options(func: Any) -> Any:
    func = click.option("--no-log", is_flag=True, help="Record nothing in the activity log.")(func)
    return click.option("--log", "log_setting", envvar="KB_LOG", metavar="PATH|URL",
                        help="The activity log: a file or a postgresql:// URL (env KB_LOG; `off` records nothing) "
                             "[default: kb-activity.sqlite beside the index folder].")(func)


def log_path(log_setting: str | None, no_log: bool, index_dir: Path) -> Path | str | None:
    from kb_tools.measure.activity import log_location

    return None if no_log else log_location(log_setting, index_dir)


def open_searcher(index_dir: Path) -> Any:
    from kb_tools.search import Searcher

    return Searcher(index_dir)


def notice(text: str | None) -> None:
    if text:
        click.echo(click.style(f"Note: {text}", fg="yellow"), err=True)


def echo_json(data: Any) -> None:
    import json

    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


class Progress:
    """A one-line progress display on a terminal; silent when output is piped. As a context
    manager, it clears its line at the end."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.shown = False
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if self.enabled and (done == total or done % 25 == 0):
            width = 30
            filled = width * done // max(total, 1)
            click.echo(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", err=True, nl=False)
            self.shown = True

    def finish(self) -> None:
        if self.shown:
            click.echo("\r" + " " * 70 + "\r", err=True, nl=False)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()
