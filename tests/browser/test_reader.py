"""The reader's experience in a real browser: previews, jumps, backlinks, layout, no third party."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from .conftest import ServedSite

PREVIEW = "#note-preview"


def note_text(page: Any, label: str) -> str:
    return str(page.locator(f"#note-{label}-text").inner_text()).strip()


def in_viewport(page: Any, selector: str) -> bool:
    return bool(
        page.eval_on_selector(
            selector,
            "el => { const r = el.getBoundingClientRect();"
            " return r.top >= 0 && r.bottom <= window.innerHeight; }",
        )
    )


def test_preview_appears_on_hover_with_the_formatted_reference(
    served_site: ServedSite, new_page: Any
) -> None:
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(served_site.brief)
    preview = page.locator(PREVIEW)
    assert preview.is_hidden()
    page.hover("#ref-ii")
    preview.wait_for(state="visible")
    assert note_text(page, "ii") in preview.inner_text()
    assert "Rubio says El Salvador will house deportees" in preview.inner_text()
    assert "Link verified working on 1 March 2025" in preview.inner_text()
    # The preview is hoverable (WCAG 1.4.13): moving onto it keeps it open...
    page.hover(PREVIEW)
    page.wait_for_timeout(400)
    assert preview.is_visible()
    # ...and leaving both closes it.
    page.mouse.move(5, 5)
    preview.wait_for(state="hidden")


def test_preview_on_keyboard_focus_closes_on_escape(served_site: ServedSite, new_page: Any) -> None:
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(served_site.brief)
    preview = page.locator(PREVIEW)
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "ref-i":
            break
    else:
        pytest.fail("Tab never reached the first endnote marker")
    preview.wait_for(state="visible")
    assert note_text(page, "i") in preview.inner_text()
    page.keyboard.press("Escape")
    preview.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == "ref-i", "Esc must not move focus"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "ref-ii", "the preview trapped focus"
    preview.wait_for(state="visible")
    assert note_text(page, "ii") in preview.inner_text()


def test_multi_work_notes_preview_every_reference(served_site: ServedSite, new_page: Any) -> None:
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(served_site.brief)
    for label in page.eval_on_selector_all(
        ".note",
        "els => els.filter(e => e.querySelectorAll('.reference').length > 1)"
        ".map(e => e.id.slice(5))",
    ):
        page.hover(f"#ref-{label}")
        page.locator(PREVIEW).wait_for(state="visible")
        shown = page.locator(f"{PREVIEW} .reference").all_inner_texts()
        assert shown == page.locator(f"#note-{label} .reference").all_inner_texts()


def test_marker_is_described_by_its_note_for_screen_readers(
    served_site: ServedSite, new_page: Any
) -> None:
    page = new_page()
    page.goto(served_site.brief)
    markers = page.eval_on_selector_all(
        'a[role="doc-noteref"]',
        "els => els.map(a => [a.id, a.getAttribute('aria-describedby'), a.getAttribute('href'),"
        " a.getAttribute('aria-label')])",
    )
    assert len(markers) == 28
    for marker_id, described_by, href, label in markers:
        note = href.removeprefix("#")
        assert marker_id == "ref-" + note.removeprefix("note-")
        assert described_by == f"{note}-text"
        assert page.locator(f"#{described_by}").count() == 1
        assert label == "Note " + note.removeprefix("note-")
    # The visual preview repeats the description, so it is hidden from assistive technology.
    page.hover("#ref-i")
    assert page.get_attribute(PREVIEW, "aria-hidden") == "true"
    assert page.eval_on_selector_all(f"{PREVIEW} a", "as => as.every(a => a.tabIndex === -1)")


def test_touch_first_tap_previews_second_tap_jumps(served_site: ServedSite, new_page: Any) -> None:
    page = new_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page.goto(served_site.brief)
    page.tap("#ref-iii")
    page.locator(PREVIEW).wait_for(state="visible")
    assert note_text(page, "iii") in page.locator(PREVIEW).inner_text()
    assert urlsplit(page.url).fragment == ""
    page.tap("#ref-iii")
    page.wait_for_function("location.hash === '#note-iii'")
    assert in_viewport(page, "#note-iii")


def test_markers_jump_to_notes_and_back_without_javascript(
    served_site: ServedSite, new_page: Any
) -> None:
    page = new_page(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page.goto(served_site.brief)
    page.click("#ref-v")
    assert urlsplit(page.url).fragment == "note-v"
    assert in_viewport(page, "#note-v")
    assert page.locator(PREVIEW).count() == 0
    page.click("#note-v a[role='doc-backlink']")
    assert urlsplit(page.url).fragment == "ref-v"
    assert in_viewport(page, "#ref-v")


def test_every_backlink_lands_on_its_marker(served_site: ServedSite, new_page: Any) -> None:
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(served_site.brief)
    labels = page.eval_on_selector_all(".note", "els => els.map(e => e.id.slice(5))")
    assert len(labels) == 28
    for label in labels:
        page.click(f"#note-{label} .note-links > a[role='doc-backlink']")
        assert urlsplit(page.url).fragment == f"ref-{label}"
        assert in_viewport(page, f"#ref-{label}")
        assert page.evaluate("document.querySelector(':target').id") == f"ref-{label}"


def test_shared_source_links_both_citing_places(served_site: ServedSite, new_page: Any) -> None:
    """[xvi] and [xvii] cite the same Amnesty report: each note points at the other marker."""
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(served_site.brief)
    for label, other in (("xvi", "xvii"), ("xvii", "xvi")):
        also = page.locator(f"#note-{label} .also-cited")
        assert "Same source also cited at" in also.inner_text()
        also.locator("a").click()
        assert urlsplit(page.url).fragment == f"ref-{other}"
        assert in_viewport(page, f"#ref-{other}")
    assert page.locator("#note-xv .also-cited").count() == 0


def test_link_health_is_shown_per_note(served_site: ServedSite, new_page: Any) -> None:
    page = new_page()
    page.goto(served_site.brief)
    broken = page.locator("#note-i .health-broken")
    assert "Link broken when checked on 20 March 2025" in broken.inner_text()
    assert "last seen working on 1 March 2025" in broken.inner_text()
    archived = broken.locator("a.archived")
    assert archived.get_attribute("href", timeout=1000).startswith("https://web.archive.org/")
    assert archived.get_attribute("data-versiondate") == "2025-01-15"
    assert "Link verified working on 1 March 2025" in page.locator("#note-ii").inner_text()
    assert "could not be checked automatically" in page.locator("#note-iii").inner_text()
    assert page.locator("#note-iv .health").count() == 0


LAYOUT_PAGES = ("brief", "features", "index", "not_found",
                "tags/index.html", "tags/prisons/index.html", "search/index.html")  # fmt: skip


@pytest.mark.parametrize("width", [pytest.param(w, id=f"{w}px") for w in (320, 390, 1280)])
def test_no_horizontal_overflow_and_screenshots(
    served_site: ServedSite, new_page: Any, artifacts: Path, width: int
) -> None:
    page = new_page(viewport={"width": width, "height": 900})
    for name in LAYOUT_PAGES:
        page.goto(getattr(served_site, name, None) or served_site.url + name)
        overflow = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert overflow[0] <= overflow[1], f"{name} overflows at {width}px: {overflow}"
        if width != 320:
            shot = artifacts / f"{name.replace('/', '-')}-{width}.png"
            page.screenshot(path=shot, full_page=name != "brief")
    if width != 320:
        page.goto(served_site.brief + "#note-xvi")
        page.screenshot(path=artifacts / f"notes-{width}.png")
        page.goto(served_site.brief)
        page.hover("#ref-xvi")
        page.locator(PREVIEW).wait_for(state="visible")
        box = page.locator(PREVIEW).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, "preview leaves the screen"
        page.screenshot(path=artifacts / f"preview-{width}.png")


def test_no_request_leaves_for_a_third_party(served_site: ServedSite, new_page: Any) -> None:
    page = new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for name in LAYOUT_PAGES:
        page.goto(getattr(served_site, name, None) or served_site.url + name)
        page.wait_for_load_state("networkidle")
    page.goto(served_site.brief)
    page.hover("#ref-i")
    page.locator(PREVIEW).wait_for(state="visible")
    hosts = {urlsplit(url).netloc for url in requested}
    assert hosts == {urlsplit(served_site.url).netloc}, requested
    assert any(url.endswith("static/briefgen.css") for url in requested)
    assert any(url.endswith("static/notes.js") for url in requested)


def test_site_works_from_file_urls(served_site: ServedSite, new_page: Any) -> None:
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto((served_site.root / "index.html").as_uri())
    # The stylesheet loaded: the theme's background colour is applied.
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(251, 250, 247)"
    page.click("a[href='cecot/index.html']")
    assert page.url == (served_site.root / "cecot" / "index.html").as_uri()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(251, 250, 247)"
    page.hover("#ref-i")
    page.locator(PREVIEW).wait_for(state="visible")
    for href in page.eval_on_selector_all(
        "link[href], script[src], a[download]", "els => els.map(e => e.href || e.src)"
    ):
        if href.startswith("file:"):
            path = Path(urlsplit(href).path)
            assert path.is_file(), f"{href} does not exist"


def test_print_shows_full_urls_and_hides_chrome(served_site: ServedSite, new_page: Any) -> None:
    page = new_page()
    page.goto(served_site.brief)
    page.emulate_media(media="print")
    for selector in (".site-header", ".toc", ".note-links", ".cite-downloads"):
        assert page.locator(selector).first.is_hidden(), f"{selector} is printed"
    # The formatted reference prints its URL as text; the archived copy adds it after the link.
    assert "https://theconversation.com/" in page.locator("#note-i-text").inner_text()
    after = page.eval_on_selector(
        "#note-i a.archived", "a => getComputedStyle(a, '::after').content"
    )
    assert "web.archive.org" in after
