"""The writer (``briefgen.write``): the swap, what a killed build leaves and the next one
cleans, symbolic links in static folders, and file-system errors as located messages.

Killing a real build at each step of the swap is in ``test_faults.py``."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from briefgen import write
from briefgen.errors import BriefgenError, BuildFailed
from briefgen.write import MARKER, check_output_dir, static_files, write_site

PAGES = {"index.html": b"<p>new</p>", "b/index.html": b"<p>brief</p>"}


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def make_site(folder: Path, text: str) -> dict[str, bytes]:
    """A previous briefgen output holding ``text``; returns its files."""
    (folder / "b").mkdir(parents=True)
    (folder / MARKER).write_text("generated\n", encoding="utf-8")
    (folder / "index.html").write_text(text, encoding="utf-8")
    (folder / "b" / "index.html").write_text(text + " brief", encoding="utf-8")
    return tree(folder)


def staging_folders(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".site."))


@pytest.fixture(params=["exchange", "two renames"])
def swap_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each test runs with Linux's atomic exchange and with the portable two renames."""
    if request.param == "two renames":
        monkeypatch.setattr(write, "_renameat2", lambda: None)
    elif write._renameat2() is None:
        pytest.skip("this system has no renameat2")
    yield request.param


def test_swap_replaces_the_site_and_leaves_nothing(tmp_path: Path, swap_kind: str) -> None:
    make_site(tmp_path / "site", "old")
    write_site(tmp_path / "site", PAGES)
    assert tree(tmp_path / "site") == {**PAGES, MARKER: tree(tmp_path / "site")[MARKER]}
    assert staging_folders(tmp_path) == []


def test_a_linked_site_leaves_no_link_behind(tmp_path: Path, swap_kind: str) -> None:
    """``site`` a symbolic link to a previous output: replaced by the new site, the link
    removed (not left as a staging folder that no cleanup can empty), its target kept."""
    target = make_site(tmp_path / "elsewhere", "old")
    (tmp_path / "site").symlink_to("elsewhere")
    write_site(tmp_path / "site", PAGES)
    assert not (tmp_path / "site").is_symlink()
    assert (tmp_path / "site" / "index.html").read_bytes() == PAGES["index.html"]
    assert tree(tmp_path / "elsewhere") == target
    assert staging_folders(tmp_path) == []


def test_exchange_is_one_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where renameat2 exists, the site is never renamed away: no moment is without it."""
    if write._renameat2() is None:
        pytest.skip("this system has no renameat2")
    make_site(tmp_path / "site", "old")
    renamed: list[str] = []
    real_rename = os.rename

    def rename(source: str | Path, target: str | Path, **kwargs: object) -> None:
        renamed.append(Path(source).name)
        real_rename(source, target)

    monkeypatch.setattr(os, "rename", rename)
    write_site(tmp_path / "site", PAGES)
    assert "site" not in renamed
    assert (tmp_path / "site" / "index.html").read_bytes() == PAGES["index.html"]


def test_a_site_left_aside_by_a_killed_swap_is_put_back(tmp_path: Path) -> None:
    """Killed between the two renames: only .site.old-* (the previous site) and .site.new-*
    (the new one) are left. The next build, even one that fails, puts the old one back."""
    old = make_site(tmp_path / ".site.old-abc123", "old")
    make_site(tmp_path / ".site.new-def456", "new")
    check_output_dir(tmp_path / "site", Path("site"))
    assert tree(tmp_path / "site") == old
    assert staging_folders(tmp_path) == []


def test_the_newest_site_left_aside_wins(tmp_path: Path) -> None:
    older = make_site(tmp_path / ".site.old-1", "older")
    newer = make_site(tmp_path / ".site.old-2", "newer")
    assert older != newer
    os.utime(tmp_path / ".site.old-1", (1_000_000, 1_000_000))
    check_output_dir(tmp_path / "site", Path("site"))
    assert tree(tmp_path / "site") == newer
    assert staging_folders(tmp_path) == []


def test_stale_staging_folders_are_removed(tmp_path: Path) -> None:
    current = make_site(tmp_path / "site", "current")
    for name in (".site.new-a", ".site.new-b", ".site.old-c"):
        make_site(tmp_path / name, name)
    (tmp_path / ".site.new-half").mkdir()  # killed while writing
    (tmp_path / ".other.new-x").mkdir()  # another output's: not ours to touch
    check_output_dir(tmp_path / "site", Path("site"))
    assert tree(tmp_path / "site") == current
    assert staging_folders(tmp_path) == []
    assert (tmp_path / ".other.new-x").is_dir()


def test_a_running_builds_staging_folder_is_left_alone(tmp_path: Path) -> None:
    if sys.platform == "win32":
        pytest.skip("no flock on this system")
    make_site(tmp_path / "site", "current")
    running = tmp_path / ".site.new-running"
    running.mkdir()
    (running / "page.html").write_text("being written", encoding="utf-8")
    # Another process holds it, as a build holds its own staging folder.
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time\n"
         "fd = os.open(sys.argv[1], os.O_RDONLY); fcntl.flock(fd, fcntl.LOCK_EX)\n"
         "print('held', flush=True); time.sleep(60)", str(running)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        check_output_dir(tmp_path / "site", Path("site"))
        assert (running / "page.html").is_file()
        write_site(tmp_path / "site", PAGES)
        assert (running / "page.html").is_file()
    finally:
        holder.kill()
        holder.communicate()
    check_output_dir(tmp_path / "site", Path("site"))  # its build is gone: a leftover now
    assert staging_folders(tmp_path) == []


@pytest.mark.parametrize("without", ["flock", "locks on this file system"])
def test_without_locks_leftovers_are_told_by_age(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, without: str
) -> None:
    """Windows has no flock, and some network file systems refuse it: the build still works,
    and a staging folder is a leftover once it has been left alone for an hour."""
    if without == "flock":
        monkeypatch.setattr(write, "fcntl", None)
    else:

        def no_locks(hold: int, *, wait: bool) -> bool:
            raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

        monkeypatch.setattr(write, "_lock", no_locks)
    make_site(tmp_path / "site", "old")
    make_site(tmp_path / ".site.new-recent", "maybe still being written")
    make_site(tmp_path / ".site.new-stale", "crashed long ago")
    hours_ago = time.time() - 2 * write.STALE_AFTER
    os.utime(tmp_path / ".site.new-stale", (hours_ago, hours_ago))
    write_site(tmp_path / "site", PAGES)
    check_output_dir(tmp_path / "site", Path("site"))
    assert (tmp_path / "site" / "index.html").read_bytes() == PAGES["index.html"]
    assert staging_folders(tmp_path) == [".site.new-recent"]


# --- symbolic links in static folders ---------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "templates" / "static").mkdir(parents=True)
    (root / "templates" / "static" / "site.css").write_text("body{}", encoding="utf-8")
    (root / "assets").mkdir()
    (root / "assets" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    return root


def static_errors(project: Path, *, root: bool = True) -> list[str]:
    with pytest.raises(BuildFailed) as info:
        static_files((project / "templates" / "static",), root=project if root else None)
    return [d.format().replace(str(project) + "/", "") for d in info.value.diagnostics]


@pytest.mark.parametrize(
    ("target", "shown"),
    [
        pytest.param("/etc/passwd", "'/etc/passwd'", id="etc-passwd"),
        pytest.param("/proc/self/environ", "'/proc/", id="proc-environ"),
        pytest.param("../../../outside.txt", "outside.txt'", id="relative-escape"),
    ],
)
def test_a_link_out_of_the_project_is_refused(project: Path, target: str, shown: str) -> None:
    (project.parent / "outside.txt").write_text("secret", encoding="utf-8")
    (project / "templates" / "static" / "x").symlink_to(target)
    (error,) = static_errors(project)
    assert error.startswith("templates/static/x: not published: a symbolic link to '")
    assert shown in error
    assert error.endswith(", outside the project; copy the file in instead")


def test_a_link_to_a_folder_out_of_the_project_is_refused(project: Path) -> None:
    (project / "templates" / "static" / "etc").symlink_to("/etc")
    assert static_errors(project) == [
        "templates/static/etc: not published: a symbolic link to '/etc', outside the project; "
        "copy the file in instead"
    ]


def test_the_static_folder_itself_may_not_lead_out(project: Path, tmp_path: Path) -> None:
    shutil.rmtree(project / "templates" / "static")
    (tmp_path / "elsewhere").mkdir()
    (project / "templates" / "static").symlink_to(tmp_path / "elsewhere")
    (error,) = static_errors(project)
    assert error.startswith("templates/static: not published: a symbolic link to ")


def test_loops_and_broken_links_are_errors_not_tracebacks(project: Path) -> None:
    static = project / "templates" / "static"
    (static / "a").symlink_to("b")
    (static / "b").symlink_to("a")
    (static / "gone").symlink_to("nothing-here")
    (static / "sub").mkdir()
    (static / "sub" / "up").symlink_to("..")
    os.mkfifo(static / "pipe")
    assert static_errors(project) == [
        "templates/static/a: cannot publish this file: a symbolic link loop; remove it",
        "templates/static/b: cannot publish this file: a symbolic link loop; remove it",
        "templates/static/gone: cannot publish this file: a symbolic link to nothing; remove it",
        "templates/static/pipe: cannot publish this file: it is not a regular file (a device, "
        "pipe or socket); remove it",
        "templates/static/sub/up: cannot publish this folder: a symbolic link loop (it links to "
        "a folder that holds it); remove the link",
    ]


def test_links_inside_the_project_are_followed(project: Path) -> None:
    static = project / "templates" / "static"
    (static / "logo.svg").symlink_to("../../assets/logo.svg")
    (static / "assets").symlink_to("../../assets")
    (static / "same.css").symlink_to("site.css")
    assert static_files((static,), root=project) == {
        "static/assets/logo.svg": project / "assets" / "logo.svg",
        "static/logo.svg": project / "assets" / "logo.svg",
        "static/same.css": static / "site.css",
        "static/site.css": static / "site.css",
    }


def test_without_a_root_links_stay_in_the_templates_folder(project: Path) -> None:
    static = project / "templates" / "static"
    (static / "same.css").symlink_to("site.css")
    (static / "logo.svg").symlink_to("../../assets/logo.svg")
    (error,) = static_errors(project, root=False)
    assert error.endswith(", outside 'templates'; copy the file in instead")


def test_the_projects_static_files_replace_the_themes(project: Path, tmp_path: Path) -> None:
    theme = tmp_path / "theme" / "static"
    theme.mkdir(parents=True)
    (theme / "site.css").write_text("theme", encoding="utf-8")
    (theme / "notes.js").write_text("js", encoding="utf-8")
    static = project / "templates" / "static"
    assert static_files((theme, static), root=project) == {
        "static/notes.js": theme / "notes.js",
        "static/site.css": static / "site.css",
    }


def test_a_refused_link_leaves_the_site_untouched(project: Path) -> None:
    before = make_site(project / "site", "old")
    (project / "templates" / "static" / "passwd").symlink_to("/etc/passwd")
    with pytest.raises(BuildFailed):
        write_site(project / "site", PAGES, static_dirs=(project / "templates" / "static",),
                   root=project)  # fmt: skip
    assert tree(project / "site") == before
    assert staging_folders(project) == []


# --- the file system says no -------------------------------------------------------------


def failing(code: int, *, named: bool = False) -> Callable[..., object]:
    def fail(*args: object, **kwargs: object) -> object:
        if named:
            raise OSError(code, os.strerror(code), str(args[0]))
        raise OSError(code, os.strerror(code))  # as write() says it: no file name

    return fail


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        pytest.param(errno.ENOSPC, "the disk is full (No space left on device)", id="ENOSPC"),
        pytest.param(
            errno.EFBIG,
            "the file is larger than the system allows (the disk is full, or a file-size limit "
            "was hit) (File too large)",
            id="EFBIG",
        ),
        pytest.param(errno.EDQUOT, "the disk quota is used up (Disk quota exceeded)", id="EDQUOT"),
    ],
)
def test_a_full_disk_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, reason: str
) -> None:
    before = make_site(tmp_path / "site", "old")
    monkeypatch.setattr(Path, "write_bytes", failing(code))
    with pytest.raises(BriefgenError) as info:
        write_site(tmp_path / "site", PAGES)
    assert info.value.location is not None
    assert info.value.location.path == tmp_path / "site" / "b" / "index.html"
    assert info.value.message == (
        f"cannot write this file of the new site: {reason}; the previous site is untouched"
    )
    monkeypatch.undo()
    assert tree(tmp_path / "site") == before
    assert staging_folders(tmp_path) == []


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        pytest.param(errno.EROFS, "the file system is read-only", id="EROFS"),
        pytest.param(errno.EACCES, "permission denied", id="EACCES"),
    ],
)
def test_an_output_folder_that_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, reason: str
) -> None:
    before = make_site(tmp_path / "site", "old")
    monkeypatch.setattr("tempfile.mkdtemp", failing(code))
    with pytest.raises(BriefgenError) as info:
        write_site(tmp_path / "site", PAGES)
    assert info.value.location is not None and info.value.location.path == tmp_path / "site"
    assert info.value.message == (
        f"cannot write the new site here: {reason} ({os.strerror(code)}); the previous site is "
        "untouched"
    )
    monkeypatch.undo()
    assert tree(tmp_path / "site") == before


def test_a_source_that_cannot_be_read_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = make_site(tmp_path / "site", "old")
    image = tmp_path / "content" / "b" / "map.png"
    image.parent.mkdir(parents=True)
    image.write_bytes(b"png")
    real_copy = shutil.copyfile

    def copyfile(source: Path, target: Path, **kwargs: object) -> object:
        if Path(source) == image:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(source))
        return real_copy(source, target)

    monkeypatch.setattr(shutil, "copyfile", copyfile)
    with pytest.raises(BriefgenError) as info:
        write_site(tmp_path / "site", PAGES, copies={"b/map.png": image})
    assert info.value.location is not None and info.value.location.path == image
    assert info.value.message == (
        "cannot read this file: permission denied (Permission denied); the previous site is "
        "untouched"
    )
    monkeypatch.undo()
    assert tree(tmp_path / "site") == before
    assert staging_folders(tmp_path) == []


def test_a_failed_exchange_keeps_the_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = make_site(tmp_path / "site", "old")
    monkeypatch.setattr(write, "_exchange", failing(errno.EIO, named=True))
    monkeypatch.setattr(os, "rename", failing(errno.EIO, named=True))
    with pytest.raises(BriefgenError, match="Input/output error"):
        write_site(tmp_path / "site", PAGES)
    monkeypatch.undo()
    assert tree(tmp_path / "site") == before
    assert staging_folders(tmp_path) == []


# The spare: the site a swap retired, staged in by the next build.


def spare_site(tmp_path: Path) -> tuple[Path, Path]:
    """A site written twice with a spare: the spare now holds the first version."""
    site, spare = tmp_path / "site", tmp_path / "cache" / "previous-site"
    write_site(site, {"index.html": b"one", "b/index.html": b"one b"}, spare=spare)
    write_site(site, {"index.html": b"two", "b/index.html": b"two b"}, spare=spare)
    assert tree(spare)["index.html"] == b"one"
    return site, spare


def test_the_spare_is_kept_with_either_swap(tmp_path: Path, swap_kind: str) -> None:
    site, spare = spare_site(tmp_path)
    write_site(site, {"index.html": b"three", "c/index.html": b"c"}, spare=spare)
    assert {k: v for k, v in tree(site).items() if k != MARKER} == {
        "index.html": b"three",
        "c/index.html": b"c",
    }
    assert tree(spare)["index.html"] == b"two"
    assert staging_folders(tmp_path) == []


def test_a_file_becomes_a_folder_and_back(tmp_path: Path) -> None:
    """The spare is the site two builds back: where it has a file, the new site may have a
    folder of that name, and the reverse."""
    site, spare = spare_site(tmp_path)
    versions = [{"notes": b"a file"}, {"other": b"x"}, {"notes/index.html": b"a folder"},
                {"other": b"y"}, {"notes": b"a file again"}]  # fmt: skip
    for files in versions:
        write_site(site, files, spare=spare)
        assert {k: v for k, v in tree(site).items() if k != MARKER} == files


def test_links_and_strays_in_the_spare_are_never_written_through(tmp_path: Path) -> None:
    site, spare = spare_site(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "index.html").write_bytes(b"victim")
    shutil.rmtree(spare / "b")
    (spare / "b").symlink_to(outside)  # a folder link where the new site has a folder
    (spare / "index.html").unlink()
    (spare / "index.html").symlink_to(outside / "index.html")  # a file link
    os.mkfifo(spare / "pipe")
    write_site(site, {"index.html": b"new", "b/index.html": b"new b"}, spare=spare)
    assert (outside / "index.html").read_bytes() == b"victim"
    assert not any(p.is_symlink() for p in [site, *site.rglob("*")])
    assert {k: v for k, v in tree(site).items() if k != MARKER} == {
        "index.html": b"new",
        "b/index.html": b"new b",
    }


def test_a_spare_briefgen_did_not_write_is_not_used(tmp_path: Path) -> None:
    """A pull request may commit a folder at the spare's path: without the marker file it is
    removed, not staged in."""
    site, spare = tmp_path / "site", tmp_path / "cache" / "previous-site"
    write_site(site, {"index.html": b"one"}, spare=spare)
    (spare / "planted").mkdir(parents=True)
    (spare / "planted" / "index.html").write_bytes(b"planted")
    write_site(site, {"index.html": b"two"}, spare=spare)
    assert "planted/index.html" not in tree(site)
    assert "planted/index.html" not in tree(spare)
