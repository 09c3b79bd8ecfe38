"""A normal install: the wheel carries the shipped configs and scenarios inside the package, and an
installed copy runs anywhere, writing `results/` under the folder it is run from."""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import REPOSITORY

from sim.config import shipped
from sim.results import provenance

SHIPPED = ("configs", "scenarios")  # top-level folders of the repository that the package needs


def test_the_wheel_maps_each_shipped_folder_into_the_package_with_all_its_files():
    setuptools = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    for folder in SHIPPED:
        package = f"sim.{folder}"
        assert package in setuptools["packages"], package
        assert setuptools["package-dir"][package] == folder
        patterns = setuptools["package-data"][package]
        files = [p.name for p in (REPOSITORY / folder).iterdir() if p.is_file()]
        assert files
        for name in files:
            assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), f"{folder}/{name} left out of the wheel"


def test_the_shipped_folders_are_read_inside_an_installed_package_else_beside_a_checkout(tmp_path, monkeypatch):
    package = tmp_path / "site-packages" / "sim"
    (package / "configs").mkdir(parents=True)
    monkeypatch.setattr(shipped, "PACKAGE", package)
    assert shipped.shipped("configs") == package / "configs"  # a wheel
    assert shipped.shipped("scenarios") == package.parent / "scenarios"  # nothing inside: a checkout's folder


def test_this_checkout_reads_its_top_level_folders():
    for folder in SHIPPED:
        assert shipped.shipped(folder) == REPOSITORY / folder


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_an_installed_package_inside_another_repository_records_no_commit(tmp_path, monkeypatch):
    # A virtual environment kept inside someone's project: its commit says nothing of this code.
    git("init", "-q", cwd=tmp_path)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x", cwd=tmp_path)
    site = tmp_path / "venv" / "lib" / "site-packages"
    site.mkdir(parents=True)
    monkeypatch.setattr(provenance, "REPOSITORY", site)
    assert provenance.git_state() == {"commit": None, "dirty": None}


def test_a_checkout_records_its_commit():
    if not (REPOSITORY / ".git").exists():
        pytest.skip("not a git checkout")
    assert provenance.git_state()["commit"]


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.mark.slow
def test_a_wheel_installed_outside_the_checkout_runs_its_own_configs_and_scenarios(tmp_path):
    # Built from a copy of what the build reads, so that no build/ folder is left in the checkout and
    # no stale one (holding files the sources no longer have) can leak into the wheel. pip fetches
    # the build backend (setuptools) from the package index, as any `pip install .` does.
    # Every command without PYTHONPATH: nothing on it (a checkout, its egg-info) may stand in for the wheel.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "HYDRA_FULL_ERROR", "SIM_SCENARIO_PATH")}
    env["MPLBACKEND"] = "Agg"
    source = tmp_path / "source"
    skip = shutil.ignore_patterns("__pycache__")
    for folder in ("sim", *SHIPPED):
        shutil.copytree(REPOSITORY / folder, source / folder, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPOSITORY / name, source / name)
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--wheel-dir",
        tmp_path / "wheels",
        source,
        cwd=tmp_path,
        env=env,
    )
    shutil.rmtree(source)  # nothing installed may lean on the sources
    (wheel,) = (tmp_path / "wheels").glob("*.whl")

    # A fresh environment that borrows the dependencies (numpy, Hydra, ...) already installed; the
    # package itself comes from the wheel, as the check of where its folders are read from shows.
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--system-site-packages", venv, cwd=tmp_path, env=env)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    _run(python, "-m", "pip", "install", "--no-deps", "--no-index", wheel, cwd=tmp_path, env=env)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run(
        python,
        "-c",
        "from sim.config import compose, library; print(compose.CONFIG_DIR); print(library.SCENARIO_DIR)",
        cwd=elsewhere,
        env=env,
    )
    for line in where.stdout.splitlines():
        assert Path(line).is_relative_to(venv.resolve()), f"read from {line}, not from the installed wheel"

    _run(python, "-m", "sim", "scenario=baseline", "replications=20", cwd=elsewhere, env=env)
    (run,) = (elsewhere / "results" / "baseline").iterdir()
    assert '"complete"' in (run / "status.json").read_text(encoding="utf-8")
    assert (run / "report.html").is_file()

    listed = _run(python, "-m", "sim", "--help", cwd=elsewhere, env=env).stdout
    for scenario in (REPOSITORY / "scenarios").glob("*.yaml"):
        assert scenario.stem in listed, scenario.stem
