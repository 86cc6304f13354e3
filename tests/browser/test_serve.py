"""``briefgen serve`` end to end in Chromium: edit, break and fix a brief while a page is open.

The page is never reloaded by the test: whatever changes on it, the served script changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from briefgen.config import load_config
from briefgen.serve.live import LiveSite

SECTION = "content/small/01-the-deal.md"
WAIT_MS = 10_000
"""Generous for a rebuild that takes a fraction of a second."""


def section(body: str) -> str:
    return f"---\ntitle: The Deal\n---\n{body}\n"


@pytest.fixture
def live(make_project: Callable[..., Path]) -> Iterator[LiveSite]:
    """The small project built, watched and served on 127.0.0.1, on a free port."""
    site = LiveSite(load_config(make_project()), host="127.0.0.1", port=0, log=lambda _: None)
    try:
        site.build()
        site.watch()
        site.serve_in_thread()
        yield site
    finally:
        site.close()


def test_edit_break_and_fix_a_brief_while_the_page_is_open(
    live: LiveSite, new_page: Callable[..., Any]
) -> None:
    source = live.config.root / SECTION
    page = new_page()
    page.goto(live.url + "small/index.html")
    main = page.locator("main")
    expect(main).to_contain_text("First claim")
    panel = page.get_by_role("alert")
    expect(panel).to_have_count(0)

    source.write_text(section("An edited claim[@blum2004] here."))
    expect(main).to_contain_text("An edited claim", timeout=WAIT_MS)
    expect(main).not_to_contain_text("First claim")

    # A broken citation, and a key that looks like markup: the panel shows it as text. (A
    # braced key holds no white space, as in Pandoc: "/" separates the attributes.)
    source.write_text(section("Broken[@blum2005] and [@{<img/src=x/onerror=alert(1)>}]."))
    expect(panel).to_be_visible(timeout=WAIT_MS)
    expect(panel.get_by_role("listitem")).to_have_text(
        [
            f"{SECTION}:4: unknown citation key 'blum2005'; did you mean 'blum2004'?",
            f"{SECTION}:4: unknown citation key '<img/src=x/onerror=alert(1)>'; add an entry "
            "with this key to references.bib",
        ]
    )
    expect(panel.locator("img")).to_have_count(0)
    expect(main).to_contain_text("An edited claim")  # the last good site, still there

    # A page opened while the build is broken hears about it at once.
    other = new_page()
    other.goto(live.url + "small/index.html")
    expect(other.get_by_role("alert")).to_contain_text("did you mean 'blum2004'?")

    source.write_text(section("Fixed claim[@blum2004] here."))
    expect(main).to_contain_text("Fixed claim", timeout=WAIT_MS)
    expect(panel).to_have_count(0)
    expect(other.get_by_role("alert")).to_have_count(0)
    expect(other.locator("main")).to_contain_text("Fixed claim")
