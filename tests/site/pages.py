"""Read what a built page holds: its meta tags, JSON-LD blocks and links (stdlib parser)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path


class Page(HTMLParser):
    """The parts of an HTML page that the metadata tests look at."""

    def __init__(self, path: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: list[dict[str, str]] = []
        self.links: list[dict[str, str]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.raw = path.read_text(encoding="utf-8")
        self._script: dict[str, str] | None = None
        self._text: list[str] = []
        self.feed(self.raw)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta":
            self.meta.append(values)
        elif tag == "link":
            self.links.append(values)
        elif tag == "script":
            self._script, self._text = values, []
        if "href" in values:
            self.hrefs.append(values["href"])
        if "src" in values:
            self.srcs.append(values["src"])

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None

    def named(self, name: str) -> list[str]:
        """Contents of ``<meta name=…>`` (or ``property=…``) tags with this name, in order."""
        return [
            m.get("content", "") for m in self.meta if name in (m.get("name"), m.get("property"))
        ]
