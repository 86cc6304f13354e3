"""The shared records' own logic: anchors, DOIs."""

from __future__ import annotations

from briefgen.model import doi_url, work_anchor


def test_work_anchors_are_one_per_key() -> None:
    keys = ["x.y", "x_y", "x-y", "xy", "odd key", "Smith2020", "smith2020", "é"]
    anchors = [work_anchor(key) for key in keys]
    assert len(set(anchors)) == len(keys)
    assert all(a.replace("-", "").replace("_", "").isalnum() and a.isascii() for a in anchors)
    assert work_anchor("blum2004") == "work-blum2004"


def test_doi_url() -> None:
    assert doi_url(" 10.1000/xyz ") == "https://doi.org/10.1000/xyz"
