"""The shared records' own logic: anchors, link rules, DOIs."""

from __future__ import annotations

import pytest

from briefgen.model import doi_url, is_linkable, work_anchor


def test_work_anchors_are_one_per_key() -> None:
    keys = ["x.y", "x_y", "x-y", "xy", "odd key", "Smith2020", "smith2020", "é"]
    anchors = [work_anchor(key) for key in keys]
    assert len(set(anchors)) == len(keys)
    assert all(a.replace("-", "").replace("_", "").isalnum() and a.isascii() for a in anchors)
    assert work_anchor("blum2004") == "work-blum2004"


@pytest.mark.parametrize(
    ("url", "linkable"),
    [
        ("https://doi.org/10.1/x", True),
        ("HTTP://example.org", True),
        ("javascript:alert(1)", False),
        (" JaVaScRiPt:alert(1)", False),
        ("data:text/html,x", False),
    ],
)
def test_only_http_urls_become_links(url: str, linkable: bool) -> None:
    assert is_linkable(url) is linkable


def test_doi_url() -> None:
    assert doi_url(" 10.1000/xyz ") == "https://doi.org/10.1000/xyz"
