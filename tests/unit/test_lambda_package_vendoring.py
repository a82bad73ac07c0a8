"""library/lambda_package.py with a requirements.txt: pinned packages vendored into the zip.

Offline: the packages are wheels written by hand into a temporary folder, and pip is
pointed at that folder alone (no index, no pip configuration). One slower test vendors
amazon-dax-client (an sdist) from the configured index when it is reachable.
"""

import base64
import hashlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

LIBRARY = Path(__file__).resolve().parents[2] / "library"
REPO_ROOT = LIBRARY.parent
EXCLUDE = ["__pycache__", "*.pyc", "*.pyo", ".*"]

spec = importlib.util.spec_from_file_location("lambda_package", LIBRARY / "lambda_package.py")
pkg = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pkg)


def write_wheel(folder, name="tinypkg", version="1.0"):
    """A minimal pure-Python wheel with a console script (pip writes bin/ for it)."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": b"VALUE = 1\n\ndef main():\n    return VALUE\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{dist}/entry_points.txt": f"[console_scripts]\n{name} = {name}:main\n".encode(),
    }
    record = "".join(
        f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}\n"
        for path, data in files.items()) + f"{dist}/RECORD,,\n"
    files[f"{dist}/RECORD"] = record.encode()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    return path


@pytest.fixture
def offline_pip(tmp_path, monkeypatch):
    """pip sees only a folder of hand-made wheels."""
    wheels = tmp_path / "wheels"
    write_wheel(wheels, "tinypkg", "1.0")
    write_wheel(wheels, "otherpkg", "2.0")
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    return wheels


def make_function(root, requirements="tinypkg==1.0\notherpkg==2.0  # pinned\n"):
    root.mkdir(parents=True)
    (root / "handler.py").write_text("import tinypkg\n\ndef lambda_handler(event, context):\n    return tinypkg.VALUE\n")
    (root / "requirements.txt").write_text(requirements)
    return root


def run_module(args, check=False):
    payload = {"ANSIBLE_MODULE_ARGS": dict(args, _ansible_check_mode=check)}
    proc = subprocess.run([sys.executable, str(LIBRARY / "lambda_package.py")], input=json.dumps(payload),
                          capture_output=True, text=True, check=False, cwd=REPO_ROOT)
    return json.loads(proc.stdout)


def zip_names(path):
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


# --- pure functions ------------------------------------------------------------------------

def test_only_pins_are_accepted():
    assert pkg.requirement_errors("# deps\n\na==1.0\nB_c.d[x,y] == 2.0.post1 ; python_version > '3.8'\n") == []
    errors = pkg.requirement_errors("a==1\nrequests>=2\n-e .\ngit+https://example/x.git\nc\n")
    assert [e.split(":")[0] for e in errors] == ["line 2", "line 3", "line 4", "line 5"]


def test_cache_key_covers_what_decides_the_install():
    base = pkg.cache_key(b"a==1\n", "python3.12", "x86_64", [])
    assert base == pkg.cache_key(b"a==1\n", "python3.12", "x86_64", [])
    others = {pkg.cache_key(b"a==2\n", "python3.12", "x86_64", []),
              pkg.cache_key(b"a==1\n", "python3.13", "x86_64", []),
              pkg.cache_key(b"a==1\n", "python3.12", "arm64", []),
              pkg.cache_key(b"a==1\n", "python3.12", "x86_64", ["a"])}
    assert base not in others and len(others) == 4
    assert pkg.cache_key(b"x", "python3.12", "x86_64", ["B", "a"]) == pkg.cache_key(b"x", "python3.12", "x86_64", ["a", "b"])


def test_pip_targets_the_lambda_runtime_with_wheels_only_unless_allowed():
    command = pkg.pip_command("py", "/t", "/r.txt", "python3.12", "arm64", ["amazon-dax-client"])
    assert command[:4] == ["py", "-m", "pip", "install"] and command[-2:] == ["-r", "/r.txt"]
    for flag in ["--no-deps", "--no-compile", "--only-binary=:all:", "--no-binary=amazon-dax-client"]:
        assert flag in command
    assert command[command.index("--target") + 1] == "/t"
    assert command[command.index("--python-version") + 1] == "3.12"
    assert "manylinux2014_aarch64" in command
    assert not any(c.startswith("--no-binary") for c in pkg.pip_command("py", "/t", "/r", "python3.12", "x86_64", []))
    with pytest.raises(pkg.DependencyError, match="not a Python runtime"):
        pkg.pip_command("py", "/t", "/r", "nodejs20.x", "x86_64", [])


def test_dependency_files_leave_out_what_differs_between_machines(tmp_path):
    site = tmp_path / "site"
    for relative in ["pkg/__init__.py", "pkg/__pycache__/x.cpython-313.pyc", "bin/tool", "pkg-1.dist-info/METADATA",
                     "pkg-1.dist-info/RECORD", "pkg-1.dist-info/INSTALLER", "pkg-1.dist-info/REQUESTED",
                     "pkg-1.dist-info/WHEEL", "pkg-1.dist-info/direct_url.json", "pkg-1.dist-info/licenses/LICENSE"]:
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(relative)
    assert [r for r, _ in pkg.dependency_files(str(site), EXCLUDE)] == [
        "pkg-1.dist-info/METADATA", "pkg-1.dist-info/licenses/LICENSE", "pkg/__init__.py"]


# --- the module, with pip against local wheels ------------------------------------------------

def test_vendored_zip_is_identical_from_two_clean_caches(tmp_path, offline_pip):
    source = make_function(tmp_path / "fn")
    one = run_module({"src": str(source), "dest": str(tmp_path / "a" / "fn.zip")})
    two = run_module({"src": str(source), "dest": str(tmp_path / "b" / "fn.zip")})
    assert one["dependencies"]["installed"] and two["dependencies"]["installed"], (one, two)
    assert one["dependencies"]["cache"] != two["dependencies"]["cache"], "two separate clean caches"
    assert one["sha256"] == two["sha256"]
    assert (tmp_path / "a" / "fn.zip").read_bytes() == (tmp_path / "b" / "fn.zip").read_bytes()
    names = zip_names(tmp_path / "a" / "fn.zip")
    assert names == sorted(names)
    assert {"handler.py", "requirements.txt", "tinypkg/__init__.py", "otherpkg/__init__.py",
            "tinypkg-1.0.dist-info/METADATA", "tinypkg-1.0.dist-info/entry_points.txt"} <= set(names)
    # pip wrote these into the cache, but they are not packed.
    cache = Path(one["dependencies"]["cache"])
    assert (cache / "bin" / "tinypkg").exists() and (cache / "tinypkg-1.0.dist-info" / "RECORD").exists()
    assert not [n for n in names if n.startswith("bin/") or n.rsplit("/", 1)[-1] in
                {"RECORD", "INSTALLER", "REQUESTED", "WHEEL", "direct_url.json"} or "__pycache__" in n]
    assert Path(one["dependencies"]["cache"]).parent == tmp_path / "a" / "deps", "default cache: deps/ beside the zip"


def test_a_warm_cache_calls_no_pip(tmp_path, offline_pip):
    source = make_function(tmp_path / "fn")
    args = {"src": str(source), "dest": str(tmp_path / "out" / "fn.zip"), "deps_cache": str(tmp_path / "deps")}
    first = run_module(args)
    assert first["changed"] and first["dependencies"]["installed"]
    # An interpreter that fails on any call: the module must not need it.
    again = run_module(dict(args, python="/bin/false"))
    assert again.get("failed") is not True, again
    assert again["changed"] is False and again["dependencies"]["installed"] is False
    assert again["sha256"] == first["sha256"]
    # Another requirements set is another cache folder, and a new zip.
    (source / "requirements.txt").write_text("tinypkg==1.0\n")
    third = run_module(args)
    assert third["changed"] and third["dependencies"]["installed"] and third["sha256"] != first["sha256"]
    assert "otherpkg/__init__.py" not in third["files"]
    assert len(os.listdir(tmp_path / "deps")) == 2


def test_check_mode_fills_the_cache_but_writes_no_zip(tmp_path, offline_pip):
    source = make_function(tmp_path / "fn")
    dest = tmp_path / "out" / "fn.zip"
    predicted = run_module({"src": str(source), "dest": str(dest)}, check=True)
    assert predicted["changed"] and not dest.exists()
    assert predicted["dependencies"]["installed"] and Path(predicted["dependencies"]["cache"]).is_dir()
    real = run_module({"src": str(source), "dest": str(dest)})
    assert real["sha256"] == predicted["sha256"] and real["dependencies"]["installed"] is False


def test_failing_pip_names_the_requirements_file_and_leaves_no_cache(tmp_path, offline_pip):
    source = make_function(tmp_path / "fn", "tinypkg==9.9\n")
    result = run_module({"src": str(source), "dest": str(tmp_path / "out" / "fn.zip")})
    assert result["failed"]
    assert str(source / "requirements.txt") in result["msg"] and "tinypkg==9.9" in result["msg"], result["msg"]
    assert "pip could not install" in result["msg"]
    assert os.listdir(tmp_path / "out" / "deps") == [], "no half-made cache folder"
    assert not (tmp_path / "out" / "fn.zip").exists()


def test_unpinned_requirements_fail_before_pip(tmp_path):
    source = make_function(tmp_path / "fn", "tinypkg>=1.0\n")
    result = run_module({"src": str(source), "dest": str(tmp_path / "out" / "fn.zip"), "python": "/bin/false"})
    assert result["failed"] and "line 1" in result["msg"] and "requirements.txt" in result["msg"], result["msg"]


def test_a_file_from_both_the_function_and_a_package_fails(tmp_path, offline_pip):
    source = make_function(tmp_path / "fn")
    (source / "tinypkg").mkdir()
    (source / "tinypkg" / "__init__.py").write_text("VALUE = 2\n")
    result = run_module({"src": str(source), "dest": str(tmp_path / "out" / "fn.zip")})
    assert result["failed"] and "tinypkg/__init__.py" in result["msg"], result["msg"]


def test_a_requirements_file_without_pins_vendors_nothing(tmp_path):
    source = make_function(tmp_path / "fn", "# nothing yet\n\n")
    result = run_module({"src": str(source), "dest": str(tmp_path / "out" / "fn.zip"), "python": "/bin/false"})
    assert result["changed"] and result["files"] == ["handler.py", "requirements.txt"], result
    assert result["dependencies"]["files"] == 0 and result["dependencies"]["installed"] is False


def test_a_folder_without_requirements_packs_as_before(tmp_path):
    source = tmp_path / "fn"
    source.mkdir()
    (source / "handler.py").write_text("X = 1\n")
    result = run_module({"src": str(source), "dest": str(tmp_path / "out" / "fn.zip"), "python": "/bin/false"})
    assert result["changed"] and "dependencies" not in result and result["files"] == ["handler.py"]
    assert not (tmp_path / "out" / "deps").exists()


# --- the real thing: amazon-dax-client (sdist only) from the configured index ------------------

def index_has(name, version):
    proc = subprocess.run([sys.executable, "-m", "pip", "index", "versions", name], capture_output=True, text=True,
                          check=False, timeout=60)
    return proc.returncode == 0 and version in proc.stdout


# Slower (about 2-3 s: an sdist build); skipped when PLATFORM_SKIP_NETWORK_TESTS is set or the index lacks it.
def test_amazon_dax_client_is_vendored_deterministically(tmp_path):
    if os.environ.get("PLATFORM_SKIP_NETWORK_TESTS"):
        pytest.skip("PLATFORM_SKIP_NETWORK_TESTS is set")
    try:
        available = index_has("amazon-dax-client", "2.1.0")
    except subprocess.TimeoutExpired:
        available = False
    if not available:
        pytest.skip("the configured package index has no amazon-dax-client==2.1.0")
    source = make_function(tmp_path / "fn", "amazon-dax-client==2.1.0\nantlr4-python3-runtime==4.13.2\n")
    common = {"src": str(source), "runtime": "python3.12", "build_from_source": ["amazon-dax-client"]}
    env_cold = dict(os.environ, PIP_NO_CACHE_DIR="1")  # the first one really builds the sdist
    payload = {"ANSIBLE_MODULE_ARGS": dict(common, dest=str(tmp_path / "a" / "fn.zip"))}
    proc = subprocess.run([sys.executable, str(LIBRARY / "lambda_package.py")], input=json.dumps(payload),
                          capture_output=True, text=True, check=False, cwd=REPO_ROOT, env=env_cold)
    one = json.loads(proc.stdout)
    two = run_module(dict(common, dest=str(tmp_path / "b" / "fn.zip")))
    assert one.get("failed") is not True and two.get("failed") is not True, (one.get("msg"), two.get("msg"))
    assert one["dependencies"]["installed"] and two["dependencies"]["installed"]
    assert one["sha256"] == two["sha256"]
    with zipfile.ZipFile(io.BytesIO((tmp_path / "a" / "fn.zip").read_bytes())) as archive:
        names = set(archive.namelist())
    assert {"amazondax/__init__.py", "amazondax/AmazonDaxClient.py", "antlr4/__init__.py",
            "amazon_dax_client-2.1.0.dist-info/METADATA"} <= names
    assert not [n for n in names if n.startswith("bin/") or n.endswith(("/RECORD", "/WHEEL", "/INSTALLER"))]
