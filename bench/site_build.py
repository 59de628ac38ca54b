"""Site-build benchmark: what the kb plugin adds to a real `mkdocs build`.

    python bench/site_build.py [--articles 1000] [--runs 1] [--seed 7]

Generates the same synthetic knowledge base twice in a temporary folder (bench/generate_kb.py,
same seed): once with `plugins: [search, kb]`, once with `plugins: [search]`. Builds each one
`--runs` times, alternating, with `python -m mkdocs build -q` in a subprocess, then prints the
median build times, the plugin's overhead (target: at most 15 %) and the size of each site.
Progress goes to stderr, one line per build; the table and a one-line summary go to stdout.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_kb import generate_kb  # noqa: E402  (a sibling script, not a package)

TARGET_OVERHEAD = 15.0  # percent the kb plugin may add to the build time


@dataclass
class Variant:
    """One of the two builds: its folder and its measured times."""

    label: str
    root: Path
    with_plugin: bool
    times: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


@dataclass(frozen=True)
class SiteStats:
    megabytes: float
    html_files: int
    html_kilobytes: float  # average HTML page

    @classmethod
    def of(cls, site: Path) -> SiteStats:
        files = [p for p in site.rglob("*") if p.is_file()]
        sizes = {p: p.stat().st_size for p in files}
        html = [size for p, size in sizes.items() if p.suffix == ".html"]
        return cls(sum(sizes.values()) / 1e6, len(html), sum(html) / max(len(html), 1) / 1e3)


def build(root: Path) -> float:
    """Seconds one `mkdocs build -q` takes in `root`; a failed build stops the benchmark."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=root, env=env,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"mkdocs build failed in {root} (exit {result.returncode}):\n{result.stderr}")
    return elapsed


def measure(variants: list[Variant], runs: int) -> None:
    """Build every variant `runs` times, interleaved (the order flips each run)."""
    total = runs * len(variants)
    done = 0
    for run in range(runs):
        for variant in variants if run % 2 == 0 else variants[::-1]:
            variant.times.append(build(variant.root))
            done += 1
            print(f"[{done}/{total}] build {variant.label}: {variant.times[-1]:.2f} s", file=sys.stderr)


def report(variants: list[Variant], articles: int, runs: int) -> str:
    """The table of figures, and the one-line summary as its last line."""
    with_kb, without = variants
    stats = [SiteStats.of(v.root / "site") for v in variants]
    ratio = 100 * with_kb.median / without.median
    overhead = ratio - 100
    verdict = "met" if overhead <= TARGET_OVERHEAD else "missed"
    rows = [("build time, median (s)", [f"{v.median:.2f}" for v in variants]),
            ("site size (MB)", [f"{s.megabytes:.1f}" for s in stats]),
            ("HTML files", [str(s.html_files) for s in stats]),
            ("average HTML page (KB)", [f"{s.html_kilobytes:.1f}" for s in stats])]
    lines = [f"Site build: {articles} articles, {runs} run(s) per variant", "",
             f"{'':24}{with_kb.label:>12}{without.label:>14}"]
    lines += [f"{name:24}{a:>12}{b:>14}" for name, (a, b) in rows]
    lines += ["", f"with/without: {ratio:.1f} %  (plugin overhead {overhead:+.1f} %; "
                  f"target: the plugin adds at most {TARGET_OVERHEAD:.0f} %)", "",
              f"site_build: {articles} articles, {with_kb.median:.2f} s with kb vs {without.median:.2f} s "
              f"without, overhead {overhead:+.1f} % (target <= {TARGET_OVERHEAD:.0f} %): {verdict}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="articles in the knowledge base (default 1000)")
    parser.add_argument("--runs", type=int, default=1, help="builds per variant; the median is reported (default 1)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    args = parser.parse_args(argv)
    if args.articles < 1 or args.runs < 1:
        parser.error("--articles and --runs must be at least 1")
    with tempfile.TemporaryDirectory(prefix="kb-site-build-") as tmp:
        variants = [Variant("with kb", Path(tmp) / "with-kb", True),
                    Variant("without kb", Path(tmp) / "without-kb", False)]
        for variant in variants:
            started = time.perf_counter()
            generate_kb(variant.root, args.articles, seed=args.seed, with_plugin=variant.with_plugin)
            print(f"generated {args.articles} articles ({variant.label}) in "
                  f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
        measure(variants, args.runs)
        print(report(variants, args.articles, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
