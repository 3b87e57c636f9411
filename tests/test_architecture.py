"""docs/architecture.md draws the layers of the import-linter contract in pyproject.toml, and every module is in one."""

from __future__ import annotations

import re
import tomllib

from sosu_analysis.paths import project_root

ROOT = project_root()
PACKAGE = ROOT / "src" / "sosu_analysis"


def _contract_layers() -> list[tuple[str, ...]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (layers,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return [tuple(sorted(m.strip() for m in re.split(r"[:|]", layer))) for layer in layers["layers"]]


def _documented_layers() -> list[tuple[str, ...]]:
    text = (ROOT / "docs/architecture.md").read_text(encoding="utf-8")
    block = re.search(r"```text layers\n(.*?)```", text, re.S)
    assert block, "docs/architecture.md has no ```text layers block"
    layers = []
    for line in block.group(1).splitlines():
        _, parts = line.split(None, 1)
        layers.append(tuple(sorted("sosu_analysis." + p.strip().removesuffix("/").removesuffix(".py")
                                   for p in parts.split(","))))
    return layers


def test_the_documented_layers_are_the_contracts():
    assert _documented_layers() == _contract_layers()


def test_every_module_of_the_package_is_in_a_layer():
    """A new top-level module or package must be placed in a layer (else the contract says nothing about it)."""
    placed = {m for layer in _contract_layers() for m in layer}
    top = {"sosu_analysis." + (p.stem if p.is_file() else p.name) for p in PACKAGE.iterdir()
           if (p.suffix == ".py" or (p / "__init__.py").is_file()) and p.name not in ("__init__.py", "__main__.py")}
    assert top - placed == set()
    assert placed - top == set()


def test_the_layer_names_are_the_pictures():
    text = (ROOT / "docs/architecture.md").read_text(encoding="utf-8")
    block = re.search(r"```text layers\n(.*?)```", text, re.S).group(1)
    assert [line.split()[0] for line in block.splitlines()] == [
        "cli", "pipeline", "presentation", "sources", "statistics", "foundation"]
