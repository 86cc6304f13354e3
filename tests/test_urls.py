"""Which URLs may become links on a page: one rule for every place that writes an href."""

from __future__ import annotations

import pytest

from briefgen.urls import link_target


@pytest.mark.parametrize(
    ("url", "linkable"),
    [
        ("https://doi.org/10.1/x", "https://doi.org/10.1/x"),
        ("HTTP://example.org", "HTTP://example.org"),
        (" https://example.org/a ", "https://example.org/a"),
        ("http://[::1]/", "http://[::1]/"),
        ("javascript:alert(1)", None),
        (" JaVaScRiPt:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("java\nscript:alert(1)", None),
        ("\x01javascript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("vbscript:msgbox(1)", None),
        ("file:///etc/passwd", None),
        ("//evil.example/x", None),
        ("/relative/path", None),
        ("https://", None),
        ("https://exa mple.org/", None),
        ("https://example.org/\x7f", None),
        ("https://example.org/a\u0085b", None),
        ("mailto:someone@example.org", None),
        ("", None),
    ],
)
def test_only_web_urls_become_links(url: str, linkable: str | None) -> None:
    assert link_target(url) == linkable


def test_mailto_only_where_meant() -> None:
    assert link_target("mailto:someone@example.org", mailto=True) == "mailto:someone@example.org"
    assert link_target("mailto:", mailto=True) is None
    assert link_target("mailto:javascript:alert(1)", mailto=True) is None
    assert link_target("javascript:alert(1)", mailto=True) is None


def test_not_a_string() -> None:
    assert link_target(None) is None
    assert link_target(["https://example.org"]) is None


def test_an_author_record_never_holds_a_script_url() -> None:
    """Whatever makes an Author (front matter refuses such a url with an error; a plugin or a
    test might not), its url is a web address or nothing, for every template that links it."""
    from briefgen.model import Author

    assert Author(name="M", url="JaVaScRiPt:alert(1)").url == ""
    assert Author(name="M", url=" https://example.org/m ").url == "https://example.org/m"
