"""Both packages are release-ready: license, metadata, and the checks `nox -s package` runs."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tarfile
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
LICENSE = (ROOT / "LICENSE").read_text(encoding="utf-8")


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


check_dists = load(ROOT / "tools" / "release" / "check_dists.py")


def test_the_license_is_mit_and_each_package_ships_the_same_text() -> None:
    assert LICENSE.startswith("MIT License\n")
    for package in ("python", "typescript"):
        assert (ROOT / package / "LICENSE").read_text(encoding="utf-8") == LICENSE, package


def test_both_packages_declare_mit_and_their_docs() -> None:
    pyproject = (ROOT / "python" / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^license = "MIT"$', pyproject, re.MULTILINE)
    assert re.search(r'^license-files = \["LICENSE"\]$', pyproject, re.MULTILINE)
    urls = pyproject.split("[project.urls]", 1)[1].split("\n[", 1)[0]
    assert 'Documentation = "https://' in urls
    assert 'Changelog = "https://' in urls
    package = json.loads((ROOT / "typescript" / "package.json").read_text(encoding="utf-8"))
    assert package["license"] == "MIT"
    assert package["homepage"].startswith("https://")
    assert {"dist", "README.md", "LICENSE"} <= set(package["files"])


def test_the_long_descriptions_link_to_the_docs() -> None:
    for readme in (ROOT / "python" / "README.md", ROOT / "typescript" / "README.md"):
        text = readme.read_text(encoding="utf-8")
        assert "<https://agent-api.lambda.coredump.ru/" in text, readme
        assert "MIT" in text


def wheel(path: Path, *, license_text: str | None = LICENSE, urls: bool = True) -> Path:
    dist_info = "lambda_agent_api-1.0.dist-info"
    metadata = "Metadata-Version: 2.4\nName: lambda-agent-api\nLicense-Expression: MIT\n"
    if urls:
        metadata += "Project-URL: Documentation, https://example.org/\n"
    metadata += "Description-Content-Type: text/markdown\n\nreadme\n"
    with zipfile.ZipFile(path, "w") as archive:
        for name in ("__init__.py", "py.typed", "_schemas.json"):
            archive.writestr(f"lambda_agent_api/{name}", "")
        archive.writestr(f"{dist_info}/METADATA", metadata)
        archive.writestr(f"{dist_info}/entry_points.txt", "")
        if license_text is not None:
            archive.writestr(f"{dist_info}/licenses/LICENSE", license_text)
    return path


def test_check_dists_accepts_a_complete_wheel(tmp_path: Path) -> None:
    assert check_dists.check_wheel(wheel(tmp_path / "ok.whl")) == []


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"license_text": None}, "missing lambda_agent_api-1.0.dist-info/licenses/LICENSE"),
        ({"license_text": "Proprietary"}, "its LICENSE differs from the repository's"),
        ({"urls": False}, "no Documentation URL among []"),
    ],
)
def test_check_dists_names_what_a_wheel_lacks(
    tmp_path: Path, kwargs: dict[str, object], problem: str
) -> None:
    assert check_dists.check_wheel(wheel(tmp_path / "bad.whl", **kwargs)) == [problem]  # type: ignore[arg-type]


def test_check_dists_refuses_an_npm_tarball_with_sources_and_no_license(tmp_path: Path) -> None:
    path = tmp_path / "pkg.tgz"
    source = tmp_path / "empty"
    source.write_text("", encoding="utf-8")
    with tarfile.open(path, "w:gz") as tarball:
        for name in ("package.json", "README.md", "dist/index.js", "dist/index.d.ts", "src/x.ts"):
            tarball.add(source, f"package/{name}")
    assert check_dists.check_npm_tarball(path) == ["missing LICENSE", "ships src/x.ts"]


def test_check_dists_wants_one_file_of_each_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wheel(tmp_path / "a.whl")
    assert check_dists.main([str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "expected one *.tar.gz, found 0" in err
    assert "expected one *.tgz, found 0" in err


def test_the_release_workflow_publishes_what_nox_package_checked() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    assert set(workflow["jobs"]) == {"build", "pypi", "npm"}
    build_steps = [step.get("run", "") for step in workflow["jobs"]["build"]["steps"]]
    assert any("python3 -m nox -s package" in run for run in build_steps)
    for job in ("pypi", "npm"):
        assert workflow["jobs"][job]["needs"] == "build"
