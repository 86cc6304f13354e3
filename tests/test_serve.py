"""``briefgen serve``: the event stream, what is served, and rebuilds from a real watcher.

Every server here is real (127.0.0.1, a free port) and every watcher watches a real project in
``tmp_path``; nothing is mocked but Ctrl-C in one CLI test.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from briefgen.build import build_site
from briefgen.config import load_config
from briefgen.errors import Diagnostic, Location
from briefgen.serve.events import BuildEvents, format_event
from briefgen.serve.live import LiveSite
from briefgen.serve.server import CLIENT_PATH, client_tag, inject_client, is_loopback
from briefgen.serve.watch import project_sources

SECTION = "content/small/01-the-deal.md"
WAIT = 10.0
"""Generous: a rebuild takes a fraction of a second, but CI machines stall."""


def section(body: str) -> str:
    return f"---\ntitle: The Deal\n---\n{body}\n"


def wait_until(condition: Callable[[], object], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a GET (a 404 too)."""
    try:
        with urllib.request.urlopen(url, timeout=WAIT) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def first_event(url: str) -> tuple[str, dict[str, object]]:
    """The event a page receives on connecting: the present state of the build."""
    with urllib.request.urlopen(url + "_briefgen/events", timeout=WAIT) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        name = ""
        for raw in response:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: ") and name:
                return name, json.loads(line.removeprefix("data: "))
    raise AssertionError("the stream ended without an event")


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


class Served:
    """A project served by a :class:`LiveSite` on a free port, and what it logged."""

    def __init__(self, root: Path, *, watch: bool) -> None:
        self.root = root
        self.log: list[str] = []
        self.live = LiveSite(load_config(root), port=0, log=self.log.append)
        self.live.build()
        if watch:
            self.live.watch()
        self.live.serve_in_thread()
        self.url = self.live.url

    @property
    def builds(self) -> int:
        return sum(line.startswith("built ") for line in self.log)

    def page(self, path: str = "small/index.html") -> str:
        status, _, body = fetch(self.url + path)
        assert status == 200
        return body.decode()


@pytest.fixture
def serve(make_project: Callable[..., Path]) -> Iterator[Callable[..., Served]]:
    """``serve(watch=True, files={...})``: a small project, built and served."""
    started: list[Served] = []

    def start(*, watch: bool = True, files: dict[str, str] | None = None) -> Served:
        served = Served(make_project(files), watch=watch)
        started.append(served)
        return served

    yield start
    for served in started:
        served.live.close()


# The event stream


def test_an_event_is_its_name_and_one_line_of_json() -> None:
    event = format_event("error", {"diagnostics": ["a.md:3: unknown key 'x\ny'"]})
    assert event == (b'event: error\ndata: {"diagnostics": ["a.md:3: unknown key \'x\\ny\'"]}\n\n')


def test_a_stream_starts_with_the_present_then_follows_each_build() -> None:
    events = BuildEvents()
    events.built()
    stream = events.stream(keepalive=0.05)
    assert next(stream) == b"retry: 1000\n\n"
    first = next(stream)
    assert first == format_event("reload", {"build": events.build_id})
    assert next(stream) == b": keep-alive\n\n"  # nothing happened: a comment keeps it open
    events.failed([Diagnostic("unknown citation key 'x'", Location(Path("a.md"), 4))])
    assert next(stream) == format_event(
        "error", {"build": events.build_id, "diagnostics": ["a.md:4: unknown citation key 'x'"]}
    )
    before = events.build_id
    events.built()
    assert events.build_id != before
    assert next(stream) == format_event("reload", {"build": events.build_id})
    events.close()
    assert list(stream) == []


def test_a_stream_waits_for_news_in_another_thread() -> None:
    events = BuildEvents()
    stream = events.stream(keepalive=WAIT)
    next(stream), next(stream)  # retry, the present
    threading.Timer(0.1, events.built).start()
    assert next(stream).startswith(b"event: reload\n")


# What is served


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param(
            b"<body><p>x</p></body></html>", b"<body><p>x</p>TAG</body></html>", id="body"
        ),
        pytest.param(b"<BODY>x</BODY>", b"<BODY>xTAG</BODY>", id="upper-case"),
        pytest.param(
            b'<body><script>"</body>"</script></body>',
            b'<body><script>"</body>"</script>TAG</body>',
            id="last-body-closes",
        ),
        pytest.param(b"<p>no body", b"<p>no bodyTAG", id="no-body"),
    ],
)
def test_the_script_goes_before_the_last_closing_body(html: bytes, expected: bytes) -> None:
    assert inject_client(html, "b-1") == expected.replace(b"TAG", client_tag("b-1"))


def test_html_pages_get_the_script_and_other_files_are_served_as_on_disk(
    serve: Callable[..., Served],
) -> None:
    served = serve(watch=False)
    site = served.root / "site"
    tag = client_tag(served.live.events.build_id)
    for path, disk in [("small/index.html", "small/index.html"), ("small/", "small/index.html"),
                       ("", "index.html")]:  # fmt: skip
        status, headers, body = fetch(served.url + path)
        assert status == 200, path
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert headers["Cache-Control"] == "no-store"
        assert int(headers["Content-Length"]) == len(body)
        assert body == inject_client((site / disk).read_bytes(), served.live.events.build_id)
        assert body.count(tag) == 1
    for path in ("static/briefgen.css", "static/notes.js", "small/small.bib", "robots.txt"):
        assert (site / path).is_file(), f"{path}: pick a file the site has"
        status, headers, body = fetch(served.url + path)
        assert (status, body) == (200, (site / path).read_bytes()), path
        assert b"_briefgen" not in body
    status, _, body = fetch(served.url + CLIENT_PATH.lstrip("/"))
    assert status == 200 and b"new EventSource" in body


def test_a_missing_page_is_the_sites_404_with_the_script(serve: Callable[..., Served]) -> None:
    served = serve(watch=False)
    status, _, body = fetch(served.url + "small/gone.html")
    assert status == 404
    four_oh_four = (served.root / "site" / "404.html").read_bytes()
    assert body == inject_client(four_oh_four, served.live.events.build_id)


def test_the_served_site_on_disk_is_byte_for_byte_a_briefgen_build(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    served = serve(watch=False)
    for path in ("", "small/", "small/index.html", "404.html", "nothing-here"):
        fetch(served.url + path)
    twin = tmp_path / "twin"
    shutil.copytree(served.root, twin, ignore=shutil.ignore_patterns("site", ".briefgen"))
    build_site(load_config(twin))
    assert tree(served.root / "site") == tree(twin / "site")


# Rebuilds


def test_editing_a_section_rebuilds_the_site_and_tells_the_pages(
    serve: Callable[..., Served],
) -> None:
    served = serve()
    before = served.live.events.build_id
    (served.root / SECTION).write_text(section("An edited claim[@blum2004] here."))
    site_page = served.root / "site" / "small" / "index.html"
    wait_until(lambda: "An edited claim" in site_page.read_text(), "the rebuilt page on disk")
    wait_until(lambda: first_event(served.url) != ("reload", {"build": before}), "a new build")
    assert first_event(served.url) == ("reload", {"build": served.live.events.build_id})
    assert "An edited claim" in served.page()
    assert any(line == f"changed: {SECTION}" for line in served.log)


def test_a_broken_citation_keeps_the_last_good_site_and_fixing_it_recovers(
    serve: Callable[..., Served],
) -> None:
    served = serve()
    good = tree(served.root / "site")
    good_build = served.live.events.build_id
    (served.root / SECTION).write_text(section("Broken claim[@blum2005] here."))
    wait_until(lambda: first_event(served.url)[0] == "error", "the error event")
    _, state = first_event(served.url)
    assert state["build"] == good_build  # pages stay on the last good build
    assert state["diagnostics"] == [
        f"{SECTION}:4: unknown citation key 'blum2005'; did you mean 'blum2004'?"
    ]
    assert state["diagnostics"][0] in served.log  # the terminal says it too
    assert tree(served.root / "site") == good  # the last good site, untouched…
    assert "First claim" in served.page()  # …and still served
    (served.root / SECTION).write_text(section("Fixed claim[@blum2004] here."))
    wait_until(lambda: first_event(served.url)[0] == "reload", "the recovery")
    assert first_event(served.url) == ("reload", {"build": served.live.events.build_id})
    assert served.live.events.build_id != good_build
    assert "Fixed claim" in served.page()


def test_a_file_the_build_cannot_read_is_a_located_error_not_a_traceback(
    serve: Callable[..., Served], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As `briefgen build` says it: the file, relative to the project, and the reason."""
    served = serve(watch=False)
    unreadable = served.root / SECTION

    def denied(*args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied", str(unreadable))

    monkeypatch.setattr("briefgen.serve.live.build_site", denied)
    assert served.live.build() is False
    assert served.log[-2] == (
        f"{SECTION}: cannot read this file: permission denied (Permission denied)"
    )
    assert served.log[-1] == "build failed; still serving the last good site"


@pytest.mark.parametrize(
    ("path", "source"),
    [
        pytest.param("content/small/01-the-deal.md", True, id="section"),
        pytest.param("content/small/map.png", True, id="bundle-file"),
        pytest.param("content/new-brief", True, id="new-folder"),
        pytest.param("refs/all.bib", True, id="bibliography"),
        pytest.param("refs/other.bib", False, id="beside-the-bibliography"),
        pytest.param("pyproject.toml", True, id="config"),
        pytest.param("styles/house.csl", True, id="csl-style"),
        pytest.param("theme/base.html", True, id="template"),
        pytest.param("content/_out/index.html", False, id="output-inside-content"),
        pytest.param(".briefgen/cache/links.sqlite", False, id="cache"),
        pytest.param("README.md", False, id="other-file"),
    ],
)
def test_what_is_a_source(make_project: Callable[..., Path], path: str, source: bool) -> None:
    root = make_project(
        {
            "pyproject.toml": (
                '[tool.briefgen]\nbibliography = "refs/all.bib"\ntemplates_dir = "theme"\n'
                'output_dir = "content/_out"\nstyle = "styles/house.csl"\n'
            )
        }
    )
    assert ((root / path) in project_sources(load_config(root))) is source


def test_only_sources_trigger_a_rebuild(serve: Callable[..., Served]) -> None:
    served = serve()
    builds = served.builds
    (served.root / "site" / "stray.txt").write_text("output")
    (served.root / ".briefgen").mkdir(exist_ok=True)
    (served.root / ".briefgen" / "state").write_text("cache")
    (served.root / "notes.txt").write_text("not a source")
    (served.root / "content" / "small" / "01-the-deal.md~").write_text("an editor's backup")
    time.sleep(1.0)
    assert served.builds == builds, served.log
    # The bibliography is a single file beside them, watched through its folder.
    with (served.root / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write("\n@misc{spare, title = {Spare}}\n")
    wait_until(lambda: served.builds > builds, "a rebuild for the bibliography")
    assert any("'spare' is not cited" in line for line in served.log)


def test_a_templates_folder_created_later_is_watched(serve: Callable[..., Served]) -> None:
    served = serve()
    css = served.root / "templates" / "static" / "extra.css"
    css.parent.mkdir(parents=True)
    css.write_text("p { color: red }")
    built = served.root / "site" / "static" / "extra.css"
    wait_until(lambda: built.is_file() and "red" in built.read_text(), "the new static file")
    css.write_text("p { color: blue }")  # inside the new folder: needs a deep watch on it
    wait_until(lambda: "blue" in built.read_text(), "the edited static file")


def test_a_config_change_is_read_again(serve: Callable[..., Served]) -> None:
    served = serve()
    pyproject = served.root / "pyproject.toml"
    pyproject.write_text('[tool.briefgen]\ntitel = "typo"\n')
    wait_until(lambda: first_event(served.url)[0] == "error", "the config error")
    assert "unknown setting 'titel'" in str(first_event(served.url)[1]["diagnostics"])
    pyproject.write_text('[tool.briefgen]\ntitle = "Renamed briefs"\n')
    wait_until(lambda: "Renamed briefs" in served.page("index.html"), "the new title")
    assert served.live.config.title == "Renamed briefs"


# The command


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        pytest.param("127.0.0.1", True, id="ipv4"),
        pytest.param("127.0.0.2", True, id="ipv4-range"),
        pytest.param("::1", True, id="ipv6"),
        pytest.param("localhost", True, id="localhost"),
        pytest.param("0.0.0.0", False, id="any"),
        pytest.param("192.168.1.5", False, id="lan"),
        pytest.param("example.org", False, id="name"),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_ctrl_c_stops_the_server_cleanly(make_project: Callable[..., Path]) -> None:
    root = make_project()
    # Started from a shell in the background, Python would inherit SIGINT ignored.
    code = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from briefgen.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    command = [sys.executable, "-c", code, "-C", str(root), "serve", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:  # fmt: skip
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.startswith("serving site/ at http://127.0.0.1:"), line
            url = line.split(" at ")[1].split()[0]
            assert fetch(url + "small/index.html")[0] == 200
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=WAIT)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert err.rstrip().endswith("stopped")
    assert "built 1 brief(s)" in err


def test_a_non_loopback_host_is_served_with_a_warning(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from briefgen.cli import main

    def interrupted(self: LiveSite) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(LiveSite, "serve_forever", interrupted)
    root = make_project()
    assert main(["-C", str(root), "serve", "--host", "0.0.0.0", "--port", "0"]) == 0
    out, err = capsys.readouterr()
    assert "warning: serving on 0.0.0.0, which other machines may reach" in err
    assert out.startswith("serving site/ at http://0.0.0.0:")
    assert main(["-C", str(root), "serve", "--port", "0"]) == 0
    assert "warning" not in capsys.readouterr().err


def test_a_port_in_use_is_a_usage_error(make_project: Callable[..., Path]) -> None:
    from briefgen.cli import main

    root = make_project()
    first = LiveSite(load_config(root), port=0)
    try:
        port = first.server.server_address[1]
        assert main(["-C", str(root), "serve", "--port", str(port)]) == 2
    finally:
        first.close()


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_a_port_out_of_range_is_a_usage_error(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from briefgen.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--port", port])
    assert exit_info.value.code == 2
    assert f"'{port}' is not a port; expected 0 to 65535" in capsys.readouterr().err


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("%00", id="nul-byte"),
        pytest.param("small/%00.html", id="nul-byte-in-a-folder"),
        pytest.param("x" * 300, id="name-too-long"),
        pytest.param("small/" + "y" * 300 + ".css", id="long-name-with-a-suffix"),
    ],
)
def test_a_path_no_file_can_have_is_not_found(
    serve: Callable[..., Served], path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    served = serve(watch=False)
    status, headers, body = fetch(served.url + path)
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert CLIENT_PATH.encode() in body
    assert served.page()  # the server is still up
    assert "Traceback" not in capsys.readouterr().err
