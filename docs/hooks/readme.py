"""The docs' home page is the repository's README, so the overview has one home.

`docs/index.md` holds only the marker `<!-- readme -->`; the README's links into `docs/` are
made relative to the site.
"""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
MARKER = "<!-- readme -->"


def on_page_markdown(markdown: str, **_: object) -> str:
    if MARKER not in markdown:
        return markdown
    readme = README.read_text(encoding="utf-8").replace("](docs/", "](")
    return markdown.replace(MARKER, readme)
