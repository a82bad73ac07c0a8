"""The execution environment (execution-environment.yml, ansible-builder v3): `ansible-builder
create` writes its build context offline, with the toolkit's pinned ansible-core, ansible-runner,
Python packages, system packages and collections; the collections are exactly the ones the
toolkit uses, at the versions installed from the pinned `ansible` package."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import ansible_collections
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
EE_DIR = REPO_ROOT / "execution-environment"
ANSIBLE_BUILDER = str(Path(sys.executable).with_name("ansible-builder"))
# Where the toolkit's own code names collections (module FQCNs, filters, callbacks, module_utils).
SOURCES = ["site.yml", "ansible.cfg", "playbooks", "roles", "library", "module_utils", "filter_plugins",
           "lookup_plugins", "strategy_plugins", "inventories", "group_vars"]
FQCN = re.compile(r"\b(?:ansible_collections\.)?([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\.[a-z][a-z0-9_]*")


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line)
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


def installed_collections() -> dict[str, str]:
    root = Path(ansible_collections.__path__[0])
    return {f"{m['collection_info']['namespace']}.{m['collection_info']['name']}": m["collection_info"]["version"]
            for m in (json.loads(p.read_text()) for p in root.glob("*/*/MANIFEST.json"))}


def used_collections() -> set[str]:
    installed = installed_collections()
    used = set()
    for source in SOURCES:
        path = REPO_ROOT / source
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.suffix in {".yml", ".py", ".j2", ".cfg"}]
        for file in files:
            used |= {f"{ns}.{name}" for ns, name in FQCN.findall(file.read_text()) if f"{ns}.{name}" in installed}
    return used


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    out = tmp_path_factory.mktemp("ee-context")
    # Offline: any attempt to reach a network through a proxy-aware client fails.
    env = dict(os.environ, HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9", NO_PROXY="")
    proc = subprocess.run([ANSIBLE_BUILDER, "create", "-f", "execution-environment.yml", "-c", str(out),
                           "--output-filename", "Containerfile"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_the_build_context_installs_the_pinned_ansible_core_and_runner(context):
    containerfile = (context / "Containerfile").read_text()
    definition = yaml.safe_load((REPO_ROOT / "execution-environment.yml").read_text())
    assert definition["version"] == 3
    assert f'ARG EE_BASE_IMAGE="{definition["images"]["base_image"]["name"]}"' in containerfile
    locked = pins(REPO_ROOT / "requirements.txt")
    refs = re.search(r'^ARG ANSIBLE_INSTALL_REFS="(.*)"$', containerfile, re.M).group(1).split()
    assert sorted(refs) == [f"ansible-core=={locked['ansible-core']}", f"ansible-runner=={locked['ansible-runner']}"]
    assert "ansible-galaxy collection install" in containerfile and "-r requirements.yml" in containerfile
    assert "COPY _build/requirements.txt requirements.txt" in containerfile
    assert "COPY _build/bindep.txt bindep.txt" in containerfile
    # Python 3.12 or newer in the image, as ansible-core 2.21 needs.
    version = re.search(r'^ARG PYCMD="/usr/bin/python3\.(\d+)"$', containerfile, re.M)
    assert version and int(version.group(1)) >= 12


def test_the_build_context_carries_the_requirements_files(context):
    for name in ("requirements.yml", "requirements.txt", "bindep.txt"):
        assert (context / "_build" / name).read_text() == (EE_DIR / name).read_text(), name
    bindep = (context / "_build" / "bindep.txt").read_text()
    assert re.search(r"^git-core \[platform:rpm\]$", bindep, re.M)


def test_the_python_requirements_are_pinned_as_in_the_lock(context):
    wanted = pins(context / "_build" / "requirements.txt")
    locked = pins(REPO_ROOT / "requirements.txt")
    assert {"boto3", "botocore", "kubernetes", "mitogen"} <= set(wanted)
    assert {name: locked.get(name) for name in wanted} == wanted
    # Every non-comment line is an exact pin.
    lines = [line for line in (EE_DIR / "requirements.txt").read_text().splitlines() if line and not line.startswith("#")]
    assert len(lines) == len(wanted)


def test_the_collections_are_the_ones_used_at_the_installed_versions(context):
    listed = {c["name"]: c["version"] for c in yaml.safe_load((context / "_build" / "requirements.yml").read_text())["collections"]}
    installed = installed_collections()
    assert listed == {name: installed[name] for name in listed}
    used = used_collections() - {"ansible.builtin"}
    assert {"amazon.aws", "community.aws", "kubernetes.core"} <= used
    assert set(listed) == used
