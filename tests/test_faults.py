"""Faults (issue 11, item 6): a real ``briefgen`` killed with SIGKILL at each step of its swap
and at random moments of build and check, a full disk, a read-only output folder and an input
file it may not read. After each, ``site/`` is whole (the previous site or the new one), the
error names the file, and the next run leaves no staging folder behind.

Faults are injected in a subprocess at the boundary with the system: an audit hook
(``sys.addaudithook``) sees each ``open``, ``os.rename``, ``shutil.rmtree``, ctypes call… and
kills the process or raises the ``OSError`` the kernel would; a full disk is a real
``RLIMIT_FSIZE`` (EFBIG, which briefgen treats as ENOSPC).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import briefgen

SRC = Path(briefgen.__file__).resolve().parents[1]
SMALL = '[tool.briefgen]\ntitle = "Faults"\nsearch = false\n'
# Runs briefgen's command line under an audit hook that raises the OSError the kernel would
# for the first event of the kinds listed whose path ends with ``suffix`` or whose name starts
# with ``prefix``.
RUNNER = r"""
import json, os, sys
fault = json.loads(sys.argv[1])


def hook(event, args):
    if event in fault["events"] and args and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        if path.endswith(fault["suffix"]) or os.path.basename(path).startswith(fault["prefix"]):
            raise OSError(fault["raise"], os.strerror(fault["raise"]), path)


sys.addaudithook(hook)
from briefgen.cli import main
sys.exit(main(fault["argv"]))
"""


def environment() -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"}


def briefgen_run(
    root: Path,
    *argv: str,
    fault: dict[str, object] | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``briefgen ARGV`` in ``root``, under ``fault`` (see ``RUNNER``) when given."""
    command = [sys.executable, "-m", "briefgen", *argv]
    if fault is not None:
        fault = {"suffix": "\0", "prefix": "\0", **fault, "argv": list(argv)}
        command = [sys.executable, "-c", RUNNER, json.dumps(fault)]
    return subprocess.run(command, cwd=root, env=environment(), capture_output=True, text=True,
                          timeout=300, check=False, preexec_fn=preexec_fn)  # fmt: skip


def start(root: Path, *argv: str) -> subprocess.Popen[bytes]:
    """Start ``briefgen ARGV`` in ``root``, to be killed."""
    return subprocess.Popen([sys.executable, "-m", "briefgen", *argv], cwd=root,
                            env=environment(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip


def digest(site: Path) -> str:
    """One hash of every file's path and bytes: two sites are the same or not."""
    files = {p.relative_to(site).as_posix(): p for p in site.rglob("*") if p.is_file()}
    hashed = hashlib.sha256()
    for name, path in sorted(files.items()):
        hashed.update(name.encode() + b"\0")
        hashed.update(hashlib.sha256(path.read_bytes()).digest())
    return hashed.hexdigest()


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".site."))


def edit(root: Path, version: int) -> None:
    """Change the brief's text, so the next build has a different site to swap in."""
    section = root / "content" / "small" / "01-the-deal.md"
    text = section.read_text(encoding="utf-8").split("\n<!-- v")[0]
    section.write_text(f"{text}\n<!-- v -->\nVersion {version} of the text.\n", encoding="utf-8")


@pytest.fixture
def project(make_project: Callable[..., Path]) -> Path:
    root = make_project({"pyproject.toml": SMALL})
    assert briefgen_run(root, "build").returncode == 0
    return root


def built(root: Path) -> str:
    """Build normally (as the user does after a crash): it must succeed and leave nothing."""
    run = briefgen_run(root, "build")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert leftovers(root) == [], "the run after a crash left staging folders"
    return digest(root / "site")


# Writes a site as a build's last step does (first the check every build makes, which puts
# back a site left aside and removes leftovers), killed at the Nth system call of the kinds
# listed: making, filling and locking the staging folder, the exchange (a ctypes call) or the
# two renames, and removing the previous site.
WRITER = r"""
import json, os, signal, sys
from pathlib import Path
import briefgen.write as write

fault = json.loads(sys.argv[1])
if fault["two_renames"]:
    write._renameat2 = lambda: None
seen = 0


def hook(event, args):
    global seen
    if event in fault["events"]:
        seen += 1
        if seen == fault["kill_at"]:
            os.kill(os.getpid(), signal.SIGKILL)


site = Path(fault["site"])
spare = Path(fault["spare"]) if fault["spare"] else None
write.check_output_dir(site, Path("site"))
sys.addaudithook(hook)
write.write_site(site, {name: text.encode() for name, text in fault["files"].items()},
                 spare=spare)
"""
SWAP_EVENTS = ["tempfile.mkdtemp", "os.mkdir", "open", "fcntl.flock", "os.chmod", "os.rename",
               "os.rmdir", "os.remove", "shutil.rmtree", "ctypes.call_function"]  # fmt: skip


def pages(version: int) -> dict[str, str]:
    return {f"{folder}/{page}.html": f"<p>{folder} {page}, version {version}</p>"
            for folder in ("a", "b", "tags/x") for page in ("index", "other")}  # fmt: skip


@pytest.mark.parametrize(
    ("two_renames", "with_spare"),
    [(False, False), (True, False), (False, True)],
    ids=["exchange", "two-renames", "exchange-in-spare"],
)
def test_killed_at_each_step_of_the_swap(
    tmp_path: Path, two_renames: bool, with_spare: bool
) -> None:
    """Killed at every step of writing and swapping: site/ is the previous site or the new
    one, never half of either. With the exchange it is never missing; with two renames a kill
    between them leaves it aside, and the next build (even one that fails) puts it back.
    Before the fix, that kill left no site/ at all, and every kill left a staging folder.
    In a spare (the site the last build replaced, staged in again), the same holds."""
    from briefgen.write import check_output_dir, write_site

    site = tmp_path / "site"
    spare = tmp_path / "cache" / "previous-site" if with_spare else None
    write_site(site, {name: text.encode() for name, text in pages(0).items()}, spare=spare)
    for step in range(1, 500):
        if spare is not None and not spare.exists():  # a kill took it: make one again
            current = {p.relative_to(site).as_posix(): p.read_bytes()
                       for p in site.rglob("*") if p.is_file() and p.name != ".briefgen-site"}
            write_site(site, current, spare=spare)
            assert spare.is_dir()
        previous = digest(site)
        fault = {"kill_at": step, "events": SWAP_EVENTS, "two_renames": two_renames,
                 "site": str(site), "files": pages(step),
                 "spare": str(spare) if spare else ""}  # fmt: skip
        run = subprocess.run([sys.executable, "-c", WRITER, json.dumps(fault)], env=environment(),
                             capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
        assert "Traceback" not in run.stderr, run.stderr
        if not site.exists():
            assert two_renames, f"no site/ after a kill at step {step}"
            check_output_dir(site, Path("site"))  # what every build does first
            assert site.is_dir(), f"site/ was not put back after a kill at step {step}"
        now = digest(site)
        new = {name: text.encode() for name, text in pages(step).items()}
        assert now == previous or now == _digest_of(site, new), f"a mixed site at step {step}"
        check_output_dir(site, Path("site"))
        assert leftovers(tmp_path) == [], f"leftovers after a kill at step {step}"
        if run.returncode == 0:  # the write finished before the step: every step was hit
            assert step > 20
            return
        assert run.returncode == -signal.SIGKILL, run.stderr
    pytest.fail("the write was still being killed after 500 steps")


def _digest_of(site: Path, files: dict[str, bytes]) -> str:
    """The digest ``site`` has when it holds exactly ``files`` (and its marker file)."""
    from briefgen.write import MARKER

    hashed = hashlib.sha256()
    marker = (site / MARKER).read_bytes() if (site / MARKER).is_file() else b""
    for name, data in sorted({**files, MARKER: marker}.items()):
        hashed.update(name.encode() + b"\0")
        hashed.update(hashlib.sha256(data).digest())
    return hashed.hexdigest()


def test_killed_at_random_moments_of_a_build(project: Path) -> None:
    """SIGKILL after a random delay (fixed seed) within a build's time, then a normal build:
    site/ is always whole and the next build leaves no leftovers."""
    for brief in range(2, 5):  # a few more briefs, so a build lasts long enough to be hit
        folder = project / "content" / f"brief-{brief}"
        folder.mkdir()
        (folder / "_index.md").write_text(f"---\ntitle: Brief {brief}\ndate: 2025-01-0{brief}\n"
                                          "---\n", encoding="utf-8")  # fmt: skip
        text = "---\ntitle: Text\n---\nA claim[@blum2004].\n\nAnother[@amnesty2024, p. 4].\n"
        (folder / "01-text.md").write_text(text, encoding="utf-8")
    built(project)
    edit(project, -1)
    started = time.perf_counter()
    built(project)  # an incremental build: the shortest a killed one can be
    duration = time.perf_counter() - started
    chance = random.Random(20261128)
    killed = 0
    # Until eight builds were killed mid-way (a kill that comes too late on a busy machine
    # hits nothing, and the next delay is drawn shorter).
    for version in range(40):
        edit(project, version)
        previous = digest(project / "site")
        process = start(project, "build", "--clean" if version % 3 == 0 else "-q")
        time.sleep(chance.uniform(0.05, 0.95) * duration * (0.5 if version > killed + 4 else 1))
        process.send_signal(signal.SIGKILL)
        killed += process.wait() == -signal.SIGKILL
        assert (project / "site").is_dir(), f"no site/ after kill {version}"
        now = digest(project / "site")
        assert now in (previous, built(project)), f"a half-written site after kill {version}"
        if killed == 8:
            break
    assert killed >= 3, "the delays missed the builds: nothing was tested"


class Answers(BaseHTTPRequestHandler):
    """A cited host: /ok is live, /gone is 404, each after a short pause (so a check lasts)."""

    def do_GET(self) -> None:
        time.sleep(0.05)
        self.send_response(200 if self.path.startswith("/ok") else 404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_HEAD = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def host() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Answers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_killed_at_random_moments_of_a_check(project: Path, host: str) -> None:
    """A check killed mid-run (re-checking every URL, or reporting offline from the cache)
    loses no verdict already recorded: the next offline run reports the same as before,
    without a traceback; the site is untouched."""
    entries = "".join(
        f"@online{{w{n},\n  title = {{Page {n}}},\n  url = {{{host}/{'ok' if n % 3 else 'gone'}"
        f"/{n}}},\n  urldate = {{2025-01-01}},\n}}\n"
        for n in range(12)
    )
    with (project / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write(entries)
    section = project / "content" / "small" / "02-web.md"
    section.write_text("---\ntitle: Web\n---\n" + "".join(f"Page[@w{n}].\n\n" for n in range(12)),
                       encoding="utf-8")  # fmt: skip
    site = digest(project / "site")
    started = time.perf_counter()
    first = briefgen_run(project, "check", "--allow-private")
    duration = time.perf_counter() - started
    assert first.returncode == 1 and "Traceback" not in first.stderr, first.stderr
    reference = briefgen_run(project, "check", "--offline")
    assert "Traceback" not in reference.stderr
    chance = random.Random(11)
    for attempt in range(6):
        mode = ("--no-cache", "--offline")[attempt % 2]  # re-checking every URL, or reporting
        process = start(project, "check", "--allow-private", mode)
        time.sleep(chance.uniform(0.1, 1.0) * duration)
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = briefgen_run(project, "check", "--offline")
        assert "Traceback" not in after.stderr, after.stderr
        assert (after.returncode, after.stdout) == (reference.returncode, reference.stdout), (
            f"attempt {attempt}: {after.stderr}"
        )
    assert digest(project / "site") == site
    assert leftovers(project) == []


def assert_untouched(project: Path, site: str) -> None:
    assert digest(project / "site") == site, "the previous site changed"
    assert leftovers(project) == [], "the failed build left its staging folder"


def test_disk_full(project: Path) -> None:
    """A real file-size limit (RLIMIT_FSIZE: EFBIG, as a full disk says ENOSPC) while a brief's
    image is copied into the new site. Before the fix: a traceback."""
    import resource

    site = digest(project / "site")
    (project / "content" / "small" / "map.png").write_bytes(os.urandom(256 * 1024))

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (128 * 1024, resource.RLIM_INFINITY))

    run = briefgen_run(project, "build", preexec_fn=limit)
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        "site/small/map.png: cannot write this file of the new site: the file is larger than "
        "the system allows (the disk is full, or a file-size limit was hit) (File too large); "
        "the previous site is untouched"
    ]
    assert_untouched(project, site)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        pytest.param(30, "the file system is read-only (Read-only file system)", id="EROFS"),
        pytest.param(13, "permission denied (Permission denied)", id="EACCES"),
        pytest.param(28, "the disk is full (No space left on device)", id="ENOSPC"),
    ],
)
def test_output_folder_cannot_be_written(project: Path, code: int, reason: str) -> None:
    """The kernel refuses the staging folder beside site/ (as on a read-only mount)."""
    site = digest(project / "site")
    edit(project, 1)
    fault = {"raise": code, "events": ["os.mkdir"], "prefix": ".site.new-"}
    run = briefgen_run(project, "build", fault=fault)
    assert "Traceback" not in run.stderr, run.stderr
    assert (run.returncode, run.stderr.splitlines()) == (1, [
        f"site: cannot write the new site here: {reason}; the previous site is untouched"
    ])  # fmt: skip
    assert_untouched(project, site)


@pytest.mark.parametrize(
    "name",
    ["content/small/01-the-deal.md", "content/small/_index.md", "references.bib"],
)
def test_an_input_file_that_cannot_be_read(project: Path, name: str) -> None:
    """Permission denied on one input file (as ``chmod 000`` does for anyone but root)."""
    site = digest(project / "site")
    edit(project, 1)
    fault = {"raise": 13, "events": ["open"], "suffix": name}
    run = briefgen_run(project, "build", "--clean", fault=fault)
    assert "Traceback" not in run.stderr, run.stderr
    assert (run.returncode, run.stderr.splitlines()) == (1, [
        f"{name}: cannot read this file: permission denied (Permission denied)"
    ])  # fmt: skip
    assert_untouched(project, site)


def test_an_unreadable_pyproject_is_an_error(project: Path) -> None:
    site = digest(project / "site")
    fault = {"raise": 13, "events": ["open"], "suffix": "pyproject.toml"}
    run = briefgen_run(project, "build", fault=fault)
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode in (1, 2)
    assert run.stderr.startswith("pyproject.toml: "), run.stderr
    assert_untouched(project, site)
