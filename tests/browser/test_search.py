"""Site search in Chromium: Pagefind's UI finds the CECOT brief by its text and its references,
offline (nothing leaves 127.0.0.1), and says what to do where it cannot run."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from .conftest import ServedSite

SEARCH_PAGE = "search/index.html"
INPUT = ".pagefind-ui__search-input"
RESULT = ".pagefind-ui__result-link"
CECOT_TITLE = "El Salvador’s Controversial Offer"


def test_search_finds_the_nelson_mandela_rules_offline(
    served_site: ServedSite, new_page: Any
) -> None:
    page = new_page(viewport={"width": 390, "height": 844})
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(served_site.index)
    page.click("a[href='search/index.html']")  # the header's link
    page.fill(INPUT, "Nelson Mandela Rules")
    page.locator(RESULT).first.wait_for()
    results = page.locator(".pagefind-ui__result")
    assert results.count() == 1
    assert CECOT_TITLE in results.first.locator(".pagefind-ui__result-title").first.inner_text()
    # The phrase is in the text and in note [xii]; each place gets its own link.
    assert "Nelson Mandela Rules" in results.first.inner_text()
    page.locator(RESULT).first.click()
    assert page.url == served_site.brief
    hosts = {urlsplit(url).netloc for url in requested}
    assert hosts == {urlsplit(served_site.url).netloc}, requested
    assert any(url.endswith("pagefind/pagefind-ui.js") for url in requested)
    assert any("/pagefind/index/" in url for url in requested), "no index chunk was loaded"


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("burgeoning regional appeal", id="reference-title"),
        pytest.param("human rights", id="tag"),
    ],
)
def test_search_indexes_references_and_tags_from_the_query_string(
    served_site: ServedSite, new_page: Any, query: str
) -> None:
    """A reference title (only in the notes) finds the brief; ``?q=`` starts a search."""
    page = new_page()
    page.goto(f"{served_site.url}{SEARCH_PAGE}?q={query.replace(' ', '+')}")
    page.locator(RESULT).first.wait_for()
    assert page.input_value(INPUT) == query
    assert page.locator(RESULT).first.get_attribute("href") == urlsplit(served_site.brief).path


def test_search_without_javascript_points_to_the_briefs(
    served_site: ServedSite, new_page: Any
) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(served_site.url + SEARCH_PAGE)
    notice = page.locator("noscript").inner_text()
    assert "Search needs JavaScript" in notice
    assert page.locator("#search-unavailable").is_hidden()


def test_search_from_a_file_url_says_how_to_serve_the_site(
    served_site: ServedSite, new_page: Any
) -> None:
    """Chromium refuses modules from file://: the page says so instead of a dead search box."""
    page = new_page()
    page.goto((served_site.root / "search" / "index.html").as_uri())
    notice = page.locator("#search-unavailable")
    notice.wait_for(state="visible")
    assert "http.server" in notice.inner_text()
    assert page.locator(INPUT).count() == 0
    page.click("#search-unavailable a[href='../index.html']")
    assert page.url == (served_site.root / "index.html").as_uri()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_results_have_no_axe_violations(
    served_site: ServedSite, new_page: Any, scheme: str
) -> None:
    from .test_accessibility import axe_violations

    page = new_page(color_scheme=scheme, viewport={"width": 390, "height": 844})
    page.goto(f"{served_site.url}{SEARCH_PAGE}?q=Nelson+Mandela+Rules")
    page.locator(RESULT).first.wait_for()
    assert axe_violations(page) == []
    overflow = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert overflow[0] <= overflow[1], f"the results overflow: {overflow}"
