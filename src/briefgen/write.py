"""Write the rendered site: into a temporary folder, swapped in for ``site/`` only on success.

The search index is built here too, on the staged folder, so a failed index never replaces the
previous site. The swap is one atomic exchange where the system has one (Linux's
``renameat2``), so no moment is without a ``site/``; elsewhere it is two renames, and the next
build puts back a site that a kill between them left aside. Each staging folder is locked by
the build writing it, so the next build removes only the leftovers of builds that are gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import BriefgenError, Diagnostics, Location

try:
    import fcntl
except ImportError:  # Windows: no flock; stale folders are told by their age instead
    fcntl = None  # type: ignore[assignment]

MARKER = ".briefgen-site"
"""A file every briefgen output folder carries, so we only ever replace our own output."""


STAGING_KINDS = ("new", "old")
"""``.site.new-*`` is a site being written; ``.site.old-*`` the previous one during a swap."""
STALE_AFTER = 3600.0
"""Without ``flock``, a staging folder untouched this long (seconds) is a crashed build's."""


def check_output_dir(output: Path, shown: Path) -> None:
    """Put back a site a killed build left aside and remove its staging folders
    (:func:`recover_output`), then refuse to replace a folder that is not a previous briefgen
    output (or empty). Every build calls this first, whether or not it gets to write."""
    recover_output(output)
    if not output.exists():
        return
    if not output.is_dir():
        raise BriefgenError(
            "output path exists and is not a folder; remove it or set 'output_dir'",
            Location(shown),
        )
    if (output / MARKER).is_file() or not any(output.iterdir()):
        return
    raise BriefgenError(
        f"refusing to replace {str(shown)!r}: it is not a previous briefgen output (it has no "
        f"{MARKER} file); move it away or set 'output_dir' in [tool.briefgen]",
        Location(shown),
    )


def write_site(
    output: Path,
    files: Mapping[str, bytes],
    *,
    static_dirs: tuple[Path, ...] = (),
    copies: Mapping[str, Path] | None = None,
    reused: Mapping[str, Path] | None = None,
    finish: Callable[[Path], None] | None = None,
    root: Path | None = None,
    spare: Path | None = None,
) -> None:
    """Write ``files`` (site-relative path → bytes), copy ``static_dirs`` and ``copies``
    (site-relative path → source file, such as a brief's images), put ``reused`` pages from the
    build cache (linked from the previous site when unchanged), run ``finish`` on the staged
    folder (the search indexer), then swap in.

    With a ``spare`` path, the site the swap retires is kept there, and the next build stages
    in it: it already holds every folder and most files, so only what changed is written and
    nothing is made or removed folder by folder (a thousand briefs are a thousand folders).
    A kept file is never written through (it may be a hard link to the live site): a changed
    one is replaced.

    A symbolic link in a static folder is followed only where it stays inside ``root`` (the
    project; without it, the folder holding the static folder). A file that cannot be read or
    written (disk full, read-only, permission denied) is a :class:`BriefgenError` naming it;
    in every case the previous site is left as it was and the staging folder removed.
    """
    static = static_files(static_dirs, root=root)
    sources = {**static, **(copies or {})}
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with _locked(output.parent):
            staging = _take_spare(spare, output)
            reusing = staging is not None
            if staging is None:
                staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
            try:
                hold = _hold(staging)
            except OSError:
                _remove(staging)
                raise
    except OSError as exc:
        raise _write_error(exc, output, None, sources) from exc
    wanted = {*sources, *(reused or {}), *files}
    swapped = False
    try:
        if reusing:  # first, what the new site lacks goes (the search index too: made afresh)
            _prune(staging, wanted)
        for relative, source in sorted(sources.items()):
            with _writing(staging / relative) as target:
                if not (reusing and _same_file_bytes(target, source)):
                    _replace(target)
                    shutil.copyfile(source, target)
        for relative, source in sorted((reused or {}).items()):
            with _writing(staging / relative) as target:
                if not (reusing and _untouched_copy(target, source)):
                    _replace(target)
                    _reuse_or_copy(source, output / relative, target)
        for relative, content in sorted(files.items()):
            with _writing(staging / relative) as target:
                if not (reusing and _same_bytes(target, content)):
                    _replace(target)
                    target.write_bytes(content)
        if finish is not None:
            finish(staging)
        with _writing(staging / MARKER) as target:
            _replace(target)
            target.write_text("This folder is generated by briefgen and replaced on every "
                              "build.\n", encoding="utf-8")  # fmt: skip
        os.chmod(staging, 0o755)
        with _locked(output.parent):
            # The previous site is kept as the spare the next build stages in, or removed.
            _swap(staging, output, retire=functools.partial(_retire, spare=spare))
        swapped = True
    except OSError as exc:
        raise _write_error(exc, output, staging, sources) from exc
    finally:
        if not swapped:  # half-written
            _remove(staging)
        _release(hold)


def _take_spare(spare: Path | None, output: Path) -> Path | None:
    """Move the spare site (see :func:`write_site`) to a fresh staging name beside ``output``;
    None when there is none, it is not a site briefgen wrote (no marker file: a pull request
    could commit one), or it cannot move there (another file system). What it holds is still
    not trusted: :func:`_prune` leaves only plain folders and files."""
    if spare is None or spare.is_symlink() or not (spare / MARKER).is_file():
        if spare is not None and os.path.lexists(spare):
            _remove(spare)
        return None
    staging = output.parent / f".{output.name}.new-{os.getpid()}-{time.monotonic_ns()}"
    try:
        spare.rename(staging)
        os.utime(staging)  # a fresh staging folder, to a cleanup that goes by age
    except OSError:
        _remove(spare)
        _remove(staging)
        return None
    return staging


def _retire(previous: Path, *, spare: Path | None) -> None:
    """The site a swap replaced: kept as ``spare`` when there is room, else removed."""
    keep = spare is not None and previous.is_dir() and not previous.is_symlink()
    if keep and spare is not None and not os.path.lexists(spare):
        with contextlib.suppress(OSError):
            spare.parent.mkdir(parents=True, exist_ok=True)
            previous.rename(spare)
            return
    _remove(previous)


def _replace(target: Path) -> None:
    """Make way for a new ``target``: the old one may be a hard link to the live site's file
    or the build cache's copy, which must not change."""
    if os.path.lexists(target):
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink()


def _same_bytes(target: Path, content: bytes) -> bool:
    try:
        return _same_size(target, len(content)) and target.read_bytes() == content
    except OSError:
        return False


def _same_file_bytes(target: Path, source: Path) -> bool:
    try:
        # Read only when the sizes agree: a changed image is seldom the same size.
        return _same_size(target, source.stat().st_size) and _same_bytes(
            target, source.read_bytes()
        )
    except OSError:
        return False


def _same_size(target: Path, size: int) -> bool:
    try:
        return not target.is_symlink() and target.stat().st_size == size
    except OSError:
        return False


def _untouched_copy(target: Path, source: Path) -> bool:
    """Whether ``target`` is ``source`` as the cache keeps it: same size and modification
    time (the test :func:`_reuse_or_copy` applies to the previous site's file)."""
    try:
        was, now = target.lstat(), source.stat()
    except OSError:
        return False
    return not target.is_symlink() and (was.st_size, was.st_mtime_ns) == (
        now.st_size,
        now.st_mtime_ns,
    )


def _prune(staging: Path, wanted: set[str]) -> None:
    """Leave in a reused staging folder only what the new site has, as plain folders and files:
    a file not wanted goes, so does a file where a folder is wanted (or the reverse), and so
    does anything else (a symbolic link, a device), wherever it is.

    Names are compared exactly: on a case-insensitive disk, ``Logo.png`` goes before
    ``logo.png`` is written."""
    folders = {parent.as_posix() for path in wanted for parent in Path(path).parents}
    pending = [(staging, "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                name = f"{prefix}{entry.name}"
                if entry.is_dir(follow_symlinks=False) and name in folders:
                    pending.append((Path(entry.path), f"{name}/"))
                elif not (entry.is_file(follow_symlinks=False) and name in wanted):
                    _replace(Path(entry.path))


@contextlib.contextmanager
def _writing(target: Path) -> Iterator[Path]:
    """Make ``target``'s folder for the block that writes it; an error that names no file (a
    ``write()`` on a full disk) or names the wrong one is given ``target``'s name."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        yield target
    except OSError as exc:
        if exc.filename is None or exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            exc.filename = str(target)
        raise


_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    # RLIMIT_FSIZE or the file system's own limit: to the user, the same as a full disk.
    errno.EFBIG: "the file is larger than the system allows (the disk is full, or a file-size "
    "limit was hit)",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENAMETOOLONG: "the file name is too long",
}


def describe_os_error(exc: OSError) -> str:
    """What went wrong, in words, with the system's own name for it (no path: the location
    says where)."""
    detail = str(exc.args[0]) if exc.errno is None and exc.args else ""
    system = exc.strerror or _cut(detail, 200) or type(exc).__name__
    reason = _REASONS.get(exc.errno or 0)
    return f"{reason} ({system})" if reason else system


def _write_error(
    exc: OSError, output: Path, staging: Path | None, sources: Mapping[str, Path]
) -> BriefgenError:
    """The error to show for an OSError met while writing: at the site file being written, or
    at the source file being read, with the reason in words."""
    name = Path(os.fsdecode(exc.filename)) if exc.filename is not None else None
    reason = describe_os_error(exc)
    if name is not None and staging is not None and name.is_relative_to(staging):
        where, what = output / name.relative_to(staging), "cannot write this file of the new site"
    elif name is not None and name in set(sources.values()):
        where, what = name, "cannot read this file"
    else:
        where, what = output, "cannot write the new site here"
    return BriefgenError(f"{what}: {reason}; the previous site is untouched", Location(where))


def static_files(static_dirs: tuple[Path, ...], *, root: Path | None = None) -> dict[str, Path]:
    """The static folders' files as site path → file to copy, later folders winning (the
    project's over the theme's). Symbolic links are followed only inside ``root`` (or, without
    it, the folder holding each static folder): a link to ``/etc/passwd``, a broken link, a
    loop or a device is an error at the link, so nothing from outside is ever published."""
    diagnostics = Diagnostics()
    found: dict[str, Path] = {}
    for static in static_dirs:
        if not static.is_dir():
            continue
        static = static.absolute()
        if root is not None and static.is_relative_to(root.absolute()):
            bound = _Bound(Path(os.path.realpath(root)), "the project")
        else:
            bound = _Bound(Path(os.path.realpath(static.parent)), repr(static.parent.name))
        _walk_static(static, Path(static.name), bound, (), found, diagnostics)
    diagnostics.raise_if_failed()
    return found


@dataclass(frozen=True, slots=True)
class _Bound:
    """The folder a static file's real path must stay in."""

    folder: Path
    """Its real path."""
    label: str
    """How messages name it ("the project")."""

    def refuses(self, real: Path) -> str | None:
        """Why ``real`` may not be published, or None."""
        if real.is_relative_to(self.folder):
            return None
        return f"not published: a symbolic link to {_quoted(str(real))}, outside {self.label}"


def _walk_static(
    folder: Path,
    site: Path,
    bound: _Bound,
    chain: tuple[Path, ...],
    found: dict[str, Path],
    diagnostics: Diagnostics,
) -> None:
    """Add ``folder``'s files under the site folder ``site``; ``chain`` holds the real folders
    being walked, so a link back to one of them is a loop, not an endless copy."""
    try:
        real_folder = Path(os.path.realpath(folder, strict=True))
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as exc:
        diagnostics.error(f"cannot read this folder: {describe_os_error(exc)}", Location(folder))
        return
    refusal = bound.refuses(real_folder)
    if refusal:
        diagnostics.error(f"{refusal}; copy the files in instead", Location(folder))
        return
    chain = (*chain, real_folder)
    for entry in entries:
        path = Path(entry.path)
        try:
            real = Path(os.path.realpath(path, strict=True))
            is_dir, is_file = real.is_dir(), real.is_file()
        except OSError as exc:
            problem = ("a symbolic link loop" if exc.errno == errno.ELOOP
                       else "a symbolic link to nothing" if exc.errno == errno.ENOENT
                       else describe_os_error(exc))  # fmt: skip
            diagnostics.error(f"cannot publish this file: {problem}; remove it", Location(path))
            continue
        refusal = bound.refuses(real)
        if refusal:
            diagnostics.error(f"{refusal}; copy the file in instead", Location(path))
        elif is_dir and real in chain:
            diagnostics.error("cannot publish this folder: a symbolic link loop (it links to a "
                              "folder that holds it); remove the link", Location(path))  # fmt: skip
        elif is_dir:
            _walk_static(path, site / entry.name, bound, chain, found, diagnostics)
        elif is_file:
            found[(site / entry.name).as_posix()] = real
        else:
            diagnostics.error("cannot publish this file: it is not a regular file (a device, "
                              "pipe or socket); remove it", Location(path))  # fmt: skip


def _quoted(text: str, limit: int = 80) -> str:
    """``text`` quoted and cut to ``limit`` characters (a path may be any length)."""
    return repr(_cut(text, limit))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reuse_or_copy(source: Path, previous: Path, target: Path) -> None:
    """Put ``source`` at ``target``: a hard link to the previous site's file when that file is
    an untouched copy of it (same size and modification time), else a copy that keeps the
    modification time, so the next build can link it."""
    try:
        was, now = previous.stat(), source.stat()
        if (was.st_size, was.st_mtime_ns) == (now.st_size, now.st_mtime_ns):
            os.link(previous, target)
            return
    except OSError:
        pass
    shutil.copy2(source, target)


SEARCH_BUNDLE = "pagefind"
"""The folder Pagefind writes its index and UI into, inside the site."""


def pagefind_binary() -> Path | None:
    """The Pagefind executable, found as ``pagefind.service.get_executable`` finds it:
    ``$PAGEFIND_BINARY_PATH``, the ``pagefind_bin_extended`` or ``pagefind_bin`` package that
    ``pagefind[bin]`` installs, else ``PATH``. (``pagefind.service`` itself imports asyncio
    and its service client: a fifth of a one-brief build's start-up, for a path.)"""
    if os.environ.get("PAGEFIND_BINARY_PATH"):
        return Path(os.environ["PAGEFIND_BINARY_PATH"])
    for package in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            module = importlib.import_module(package)
            found: Path = module.get_executable()
            return found
        except (ImportError, FileNotFoundError):
            continue
    on_path = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(on_path) if on_path else None


def index_search(site: Path, *, binary: Path, language: str) -> None:
    """Index ``site``'s briefs with Pagefind (the ``data-pagefind-body`` parts of their pages).

    One index in the site's language, so the search page finds every brief whatever language
    each is written in (Pagefind otherwise splits the index by each page's ``lang``); result
    links keep ``index.html`` so they open from ``file://`` too.
    """
    command = [str(binary), "--site", str(site), "--output-subdir", SEARCH_BUNDLE,
               "--force-language", language.split("-")[0].lower(), "--keep-index-url",
               "--silent"]  # fmt: skip
    try:
        # The binary, not the package's asyncio API: a build may run inside an event loop.
        run = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BriefgenError(f"cannot run Pagefind ({exc.strerror or exc}); reinstall it with "
                            "`pip install 'pagefind[bin]'` or set search = false",
                            Location(binary)) from exc  # fmt: skip
    if run.returncode != 0:
        detail = (run.stderr or run.stdout).strip().splitlines()
        raise BriefgenError(
            f"Pagefind failed to index the site (exit {run.returncode}): "
            f"{detail[-1] if detail else 'no message'}; the previous site is untouched",
            Location(binary),
        )


def recover_output(output: Path) -> None:
    """Put back ``output`` when a build killed between the two renames of its swap left it only
    as ``.site.old-*``, and remove every staging folder whose build is gone (a running build
    holds a lock on its own). Best effort: a folder that cannot be listed is left alone."""
    with contextlib.suppress(OSError), _locked(output.parent):
        prefixes = tuple(f".{output.name}.{kind}-" for kind in STAGING_KINDS)
        leftovers = sorted(
            (p for p in output.parent.iterdir() if p.name.startswith(prefixes) and p.is_dir()),
            key=lambda p: p.lstat().st_mtime_ns,
        )
        retired = [p for p in leftovers if p.name.startswith(prefixes[1])]
        for folder in leftovers:
            with _unused(folder) as unused:
                if not unused:
                    continue
                if folder is (retired[-1] if retired else None) and not os.path.lexists(output):
                    folder.rename(output)  # the newest previous site: what the user last had
                else:
                    _remove(folder)


def _remove(path: Path) -> None:
    """Remove a staging folder, or the link a symlinked ``site`` left in its place."""
    if path.is_symlink():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _unused(folder: Path) -> Iterator[bool]:
    """Whether no running build holds ``folder``; while True, this process holds it."""
    hold = None
    if fcntl is not None:
        try:
            hold = os.open(folder, os.O_RDONLY)
        except OSError:  # gone, or not ours to read
            yield False
            return
    try:
        unused = _lock(hold, wait=False) if hold is not None else _aged(folder)
    except BlockingIOError:  # held by a running build
        unused = False
    except OSError:  # a file system without locks: go by age
        unused = _aged(folder)
    try:
        yield unused
    finally:
        _release(hold)


def _aged(folder: Path) -> bool:
    """Where locks cannot tell: whether ``folder`` has been left alone for long."""
    try:
        return time.time() - folder.lstat().st_mtime > STALE_AFTER
    except OSError:
        return False


def _lock(hold: int, *, wait: bool) -> bool:
    """Take the exclusive lock on the open folder ``hold`` (raise BlockingIOError if taken)."""
    assert fcntl is not None
    fcntl.flock(hold, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    return True


def _hold(folder: Path) -> int | None:
    """Lock ``folder`` for this build; the lock dies with the process, so a folder nobody
    holds is a crashed build's leftover. None where the system or file system has no
    ``flock`` (leftovers are then told by their age)."""
    if fcntl is None:
        return None
    hold = os.open(folder, os.O_RDONLY)
    try:
        _lock(hold, wait=True)
    except OSError as exc:
        os.close(hold)
        if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL):
            return None
        raise
    return hold


def _release(hold: int | None) -> None:
    if hold is not None:
        os.close(hold)


@contextlib.contextmanager
def _locked(parent: Path) -> Iterator[None]:
    """Hold the output's parent folder for the short steps that create, restore or remove
    staging folders, so one build never removes another's folder in the instant between
    creating and locking it."""
    hold = _hold(parent)
    try:
        yield
    finally:
        _release(hold)


def _swap(staging: Path, output: Path, *, retire: Callable[[Path], None] = _remove) -> None:
    """Put ``staging`` at ``output``; ``retire`` then takes the previous site (by default it
    is removed)."""
    if not os.path.lexists(output):
        staging.rename(output)
        return
    if _exchange(staging, output):
        retire(staging)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
    retired.rmdir()
    # Two renames: the old site is in place until the new one is complete and ready, and is
    # held, so that if this process dies between them the next build puts it back.
    hold = _hold(output)
    try:
        output.rename(retired)
        try:
            staging.rename(output)
        except BaseException:
            retired.rename(output)
            raise
        retire(retired)
    finally:
        _release(hold)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    """Linux's renameat2 from the C library (glibc ≥ 2.28, musl ≥ 1.2.4), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]  # fmt: skip
    function.restype = ctypes.c_int
    renameat2: Callable[..., int] = function
    return renameat2


def _exchange(first: Path, second: Path) -> bool:
    """Exchange two paths in one step, so there is no moment with neither; False where the
    system or its file system cannot (the caller then renames twice)."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                 _RENAME_EXCHANGE) == 0:  # fmt: skip
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))
