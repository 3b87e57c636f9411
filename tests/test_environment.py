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


# The oldest Python the project claims (README, "Computational requirements"):
# Debian 12's python3 is 3.11.2. A pin whose Requires-Python excludes it breaks
# `make` on a fresh Debian machine (soupsieve 4.1.2 needed 3.11.5).
OLDEST_SUPPORTED_PYTHON = "3.11.2"


def test_every_locked_package_installs_on_the_oldest_supported_python():
    from importlib import metadata

    from packaging.specifiers import SpecifierSet

    lock = _pins("requirements.lock")
    checked, refused = 0, []
    for dist in metadata.distributions():
        name = dist.metadata["Name"].lower().replace("_", "-")
        if name not in lock:
            continue
        spec = dist.metadata.get("Requires-Python")
        checked += 1
        if spec and OLDEST_SUPPORTED_PYTHON not in SpecifierSet(spec):
            refused.append(f"{name} {dist.version} needs Python {spec}")
    assert checked > 100, "the installed set should be the lock's"
    assert not refused, refused


def test_pyproject_claims_the_same_pythons():
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    from packaging.specifiers import SpecifierSet

    claim = SpecifierSet(meta["project"]["requires-python"])
    assert OLDEST_SUPPORTED_PYTHON in claim
    assert "3.11.0" not in claim or OLDEST_SUPPORTED_PYTHON == "3.11.0"
