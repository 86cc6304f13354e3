"""axe-core (WCAG 2.1 A and AA rules) finds no violation on any page, in light and dark mode."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import NODE_MODULES, ServedSite, tool

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core in the page; return its violations in a short, readable form."""
    page.add_script_tag(path=tool(NODE_MODULES / "axe-core" / "axe.min.js", "npm ci"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    assert result["passes"], "axe ran no passing rule: it did not really run"
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
            "summary": v["nodes"][0].get("failureSummary", ""),
        }
        for v in result["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "name",
    ["brief", "features", "index", "not_found",
     "tags/index.html", "tags/prisons/index.html", "search/index.html"],
)  # fmt: skip
def test_no_axe_violations(served_site: ServedSite, new_page: Any, name: str, scheme: str) -> None:
    page = new_page(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page.goto(getattr(served_site, name, None) or served_site.url + name)
    assert page.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches")
    assert axe_violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations_with_a_preview_open(
    served_site: ServedSite, new_page: Any, scheme: str
) -> None:
    page = new_page(color_scheme=scheme, viewport={"width": 390, "height": 844})
    page.goto(served_site.brief)
    page.focus("#ref-i")
    page.locator("#note-preview").wait_for(state="visible")
    assert axe_violations(page) == []


def test_axe_catches_a_real_violation(served_site: ServedSite, new_page: Any) -> None:
    """The check can fail: text made unreadably faint is reported."""
    page = new_page()
    page.goto(served_site.brief)
    page.add_style_tag(content=".standfirst { color: #ddd !important; }")
    assert "color-contrast" in {v["rule"] for v in axe_violations(page)}
