"""briefgen as other teams get it: a wheel, installed into a fresh virtual environment."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The installed command must find the wheel's package, whatever path the test run was given.
CLEAN = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding briefgen's wheel; its dependencies come from this interpreter's
    site-packages (the registry is not needed, and the wheel alone is what is tested)."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(work), str(REPO)],
        check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = work.glob("briefgen-*.whl")
    env = work / "venv"
    venv.create(env, system_site_packages=True, with_pip=True)
    python = env / "bin" / "python"
    install = ["-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", str(wheel)]
    subprocess.run([str(python), *install], check=True, capture_output=True)
    return env / "bin" / "briefgen"


def test_init_new_build_in_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    def run(*args: str) -> str:
        done = subprocess.run([str(installed), *args], cwd=tmp_path, capture_output=True,
                              text=True, check=True, env=CLEAN)  # fmt: skip
        return done.stderr

    run("init")
    run("new", "first-brief")
    assert "built 1 brief(s), 2 endnote(s)" in run("build", "--strict")
    site = tmp_path / "site"
    assert (site / "first-brief" / "index.html").is_file()
    assert (site / "static" / "briefgen.css").is_file()  # the theme came with the wheel
    assert not (tmp_path / "templates").exists()


def test_the_wheel_runs_its_own_code(installed: Path) -> None:
    """The installed command imports the wheel's package, not this checkout's."""
    python = installed.parent / "python"
    where = subprocess.run([str(python), "-c", "import briefgen; print(briefgen.__file__)"],
                           cwd="/", capture_output=True, text=True, check=True,
                           env=CLEAN).stdout  # fmt: skip
    assert str(installed.parents[1]) in where
