"""Pull-request mode (``--changed-since REF``): which citations a change adds or edits.

Link rot is nobody's change: a pull request that fixes a typo must not fail because a page
cited two years ago went away (teams switch checkers off over such false alarms). So in this
mode only the citations the change touches can fail the job; everything else is still checked
and reported, and the scheduled job, which checks everything, catches the rot.

A citation is *in the change* when its BibTeX entry is new or edited since REF (its type or any
field as written), or when its section file is new or edited since REF and did not cite that
key (or, for a link in the text, hold that URL) before. Git is asked through its command line.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefgen.config import Config
from briefgen.errors import UsageError
from briefgen.linkcheck.targets import Citation, CitationKind, Target

# Pandoc's citation keys: @key (letters, digits, _ and internal punctuation) or @{any key}.
_CITED_KEY = re.compile(r"@\{([^}]*)\}|@([\w][\w:.#$%&\-+?<>~/]*)")
_GIT_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class Change:
    """What changed since REF, as far as citations go."""

    ref: str
    """The reference as given (``origin/main``)."""
    base: str
    """The commit compared against: the merge base of REF and HEAD."""
    edited_keys: frozenset[str]
    """BibTeX keys whose entry is new or edited."""
    sections: dict[Path, str | None]
    """Changed Markdown files (absolute paths) and their text at the base (None if new)."""

    def touches(self, url: str, citation: Citation, root: Path) -> bool:
        """Tell whether the change adds or edits this citation of ``url``."""
        if citation.key and citation.key in self.edited_keys:
            return True
        where = (root / citation.location.path).resolve()
        if where not in self.sections:
            return False
        before = self.sections[where]
        if before is None:
            return True  # a new file: everything in it is new
        if citation.kind is CitationKind.LINK:
            return url not in before
        return citation.key is not None and citation.key not in cited_keys(before)


def cited_keys(text: str) -> set[str]:
    """Every citation key a Markdown text names (a generous reading: a key merely mentioned
    counts, so nothing is taken for new that was there before)."""
    return {(braced or bare).rstrip(".:,;?") for braced, bare in _CITED_KEY.findall(text)}


def urls_in_change(targets: Sequence[Target], change: Change, root: Path) -> set[str]:
    """The URLs at least one of whose citations the change adds or edits."""
    return {
        target.url
        for target in targets
        if any(change.touches(target.url, c, root) for c in target.citations)
    }


def find_change(
    config: Config, ref: str, *, warn: Callable[[str], None] = lambda _message: None
) -> Change:
    """Ask git what changed between ``ref`` (its merge base with HEAD) and the work tree.

    ``warn`` is told when git finds no merge base (a shallow clone, most often).
    """
    root = config.root.resolve()
    top = Path(_git(root, "rev-parse", "--show-toplevel", what="find the git repository"))
    if ref.startswith("-") or not _git_ok(root, "rev-parse", "--verify", "--quiet",
                                          f"{ref}^{{commit}}"):  # fmt: skip
        raise UsageError(
            f"--changed-since {ref[:80]!r} is not a commit git knows; expected a branch, tag or"
            " commit (in CI, fetch it first: git fetch origin main)"
        )
    base = _git(root, "merge-base", ref, "HEAD", what="", allow_fail=True)
    if not base:
        # Comparing with REF itself still works, but whatever REF gained since the branch
        # started would count as this change's (new rot on main could fail the pull request).
        warn(
            f"warning: --changed-since: git found no merge base of {ref[:80]!r} and HEAD (a"
            f" shallow clone?), so the change is taken against {ref[:80]!r} itself; fetch the"
            " history (actions/checkout with fetch-depth: 0, or git fetch --unshallow)"
        )
        base = ref
    names = _git(top, "diff", "--name-only", "-z", "--no-renames", base, "--", what="diff")
    untracked = _git(top, "ls-files", "--others", "--exclude-standard", "-z", what="list files")
    changed = [name for name in (names + "\0" + untracked).split("\0") if name]
    edited_keys: set[str] = set()
    sections: dict[Path, str | None] = {}
    for name in changed:
        path = (top / name).resolve()
        if name.endswith(".bib"):
            edited_keys |= _edited_entries(config, path, _show(top, base, name))
        elif name.endswith((".md", ".markdown")):
            sections[path] = _show(top, base, name)
    return Change(ref, base, frozenset(edited_keys), sections)


def _edited_entries(config: Config, path: Path, before: str | None) -> set[str]:
    """Keys of ``path`` whose entry is new or differs from the one in ``before``."""
    now = _entries(config, path) if path.is_file() else {}
    if before is None:
        return set(now)
    with tempfile.TemporaryDirectory() as tmp:
        old_path = Path(tmp) / path.name
        old_path.write_text(before, encoding="utf-8", errors="surrogateescape")
        old = _entries(config, old_path)
    return {key for key, entry in now.items() if old.get(key) != entry}


def _entries(config: Config, path: Path) -> dict[str, tuple[str, tuple[tuple[str, str], ...]]]:
    """Each entry of a .bib file as its type and fields as written, by key."""
    from briefgen.bibliography import load_bibliography
    from briefgen.errors import Diagnostics

    # Problems in the file are the build's and the check's to report, not this comparison's.
    bibliography = load_bibliography(path, root=config.root, diagnostics=Diagnostics())
    found = {}
    for key in bibliography.locations:
        entry = bibliography.entries.get(key)
        if entry is not None:
            found[key] = (entry.entry_type, tuple(sorted(entry.latex.items())))
    return found


def _show(top: Path, base: str, name: str) -> str | None:
    """The text of ``name`` at ``base``, or None when it did not exist there."""
    if not _git_ok(top, "cat-file", "-e", f"{base}:{name}"):
        return None
    return _git(top, "show", f"{base}:{name}", what="read a file's old version")


def _git_ok(cwd: Path, *args: str) -> bool:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, timeout=_GIT_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _git(cwd: Path, *args: str, what: str, allow_fail: bool = False) -> str:
    """Run git; its output, or a usage error saying what could not be done."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, timeout=_GIT_TIMEOUT, check=False
        )
    except FileNotFoundError as exc:
        raise UsageError("--changed-since needs git, which is not installed") from exc
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"--changed-since: could not run git ({exc})") from exc
    if done.returncode != 0:
        if allow_fail:
            return ""
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        if "not a git repository" in " ".join(detail).lower():
            raise UsageError("--changed-since needs a git repository; the project is not in one")
        reason = detail[0][:200] if detail else f"exit {done.returncode}"
        raise UsageError(f"--changed-since: git could not {what} ({reason})")
    return done.stdout.decode("utf-8", "surrogateescape").strip("\n")


def describe(change: Change, in_change: Iterable[str], total: int) -> str:
    """One line for the report: what may fail this run."""
    count = len(set(in_change))
    return (
        f"only citations added or edited since {change.ref} can fail this run "
        f"({count} of {total} URLs); the others are reported, not failed"
    )
