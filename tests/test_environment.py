"""environment.yml (conda), requirements.in and requirements.lock (pip) name the same versions."""

import re

import yaml

from sosu_analysis.paths import project_root

ROOT = project_root()


def _pins(path):
    pins = {}
    for line in (ROOT / path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def test_environment_yml_matches_requirements_in():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep:
            name, version = dep.split("=", 1)
            conda[name.lower()] = version
    assert conda.pop("python") == "3.11"
    assert conda == _pins("requirements.in")


def test_requirements_in_pins_are_in_the_lock():
    lock = _pins("requirements.lock")
    for name, version in _pins("requirements.in").items():
        assert lock.get(name) == version, name


def test_user_fixed_packages_are_there():
    pins = _pins("requirements.in")
    for name in ("jupyterlab", "pandas", "statsmodels", "seaborn", "papermill", "nbval"):
        assert name in pins
    assert all(re.fullmatch(r"[0-9][0-9a-z.]*", v) for v in _pins("requirements.lock").values())
