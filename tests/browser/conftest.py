"""A built CECOT site served on 127.0.0.1, and Debian's Chromium driven by Playwright.

The tools come from the project's own install steps (``make test``): Chromium and Java from
Debian, axe-core and vnu-jar from ``npm ci``. A missing tool fails the tests that need it, with
the command that installs it: a skipped accessibility test must never look like a passing one.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

import pytest


def _load_site_helpers() -> ModuleType:
    # tests/ is not a package (pytest's importlib mode), so share tests/site/helpers.py by path.
    path = Path(__file__).parents[1] / "site" / "helpers.py"
    spec = importlib.util.spec_from_file_location("briefgen_site_test_helpers", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


helpers = _load_site_helpers()
REPO: Path = helpers.REPO

ARTIFACTS = REPO / "test-artifacts"
NODE_MODULES = REPO / "node_modules"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SUB_PATH = "/briefs/"
"""The site is served below a sub-path, so every relative link is tested as such."""


@dataclass(frozen=True, slots=True)
class ServedSite:
    """A built site and the URL it is served at."""

    root: Path
    """The built ``site/`` folder."""
    url: str
    """Its URL, ending in ``/``."""

    @property
    def brief(self) -> str:
        return f"{self.url}cecot/index.html"

    @property
    def features(self) -> str:
        """The brief using every Pandoc Markdown feature (tests/fixtures/features)."""
        return f"{self.url}features/index.html"

    @property
    def index(self) -> str:
        return f"{self.url}index.html"

    @property
    def not_found(self) -> str:
        return f"{self.url}404.html"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def tool(path: Path, install: str) -> Path:
    """A file a test needs from the project's install steps; fail (not skip) without it."""
    if not path.is_file():
        pytest.fail(f"{path} is missing; install it with `{install}` (see `make test`)")
    return path


@contextlib.contextmanager
def serving(docroot: Path) -> Iterator[str]:
    """Serve ``docroot`` on 127.0.0.1 while the block runs; yields its URL (``http://…/``)."""
    handler = functools.partial(_QuietHandler, directory=str(docroot))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """The CECOT brief with sample link health, and the features brief, built and served from
    a sub-path."""
    docroot = tmp_path_factory.mktemp("docroot")
    with serving(docroot) as base:
        url = base.rstrip("/") + SUB_PATH
        project = helpers.copy_cecot(tmp_path_factory.mktemp("project") / "cecot", base_url=url)
        helpers.sample_health(project)
        helpers.add_features_brief(project)
        helpers.build(project)
        shutil.copytree(project / "site", docroot / SUB_PATH.strip("/"))
        yield ServedSite(docroot / SUB_PATH.strip("/"), url)


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    """One headless Debian Chromium for the browser tests.

    Package scope, not session: sync Playwright keeps an asyncio loop running while it is
    open, which would break every later test that calls ``asyncio.run`` (the link checker's).
    """
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed; `apt-get install chromium`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser: object) -> Iterator[object]:
    """Open pages in fresh contexts (``new_page(**context_options)``), closed after the test."""
    contexts = []

    def make(**options: object) -> object:
        options.setdefault("reduced_motion", "reduce")  # jumps land at once, not mid-scroll
        context = browser.new_context(**options)  # type: ignore[attr-defined]
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go for a person to look at (``test-artifacts/``, git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
