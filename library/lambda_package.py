#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: lambda_package
short_description: Build a byte-for-byte deterministic Lambda deployment zip
description:
  - Packs the files of a Lambda function's source folder into a zip that is the
    same, byte for byte, every time it is built from the same files, and writes it to O(dest).
  - Entries are sorted by path; every entry has the timestamp 1980-01-01 00:00:00,
    the mode 0644 (0755 when the source file is executable by its owner) and the
    Unix creator system; folders are implied, not stored; files and folders matching
    O(exclude) (by default C(__pycache__), compiled Python and hidden files) are left out.
  - Returns the base64 SHA-256 of the zip, the form of Lambda's C(CodeSha256),
    so a caller can tell whether a deployed function already runs this code.
  - The zip is rewritten only when its bytes change.
  - When the folder holds a C(requirements.txt) (or O(requirements) names a file), the
    pinned packages it lists are vendored into the zip's root, next to the function's
    modules. They are installed once with the controller's pip into a cache folder named
    after the SHA-256 of the requirements file, O(runtime), O(architecture) and
    O(build_from_source), under O(deps_cache); a later run finds that folder and calls
    no pip at all.
  - "pip is run as C(<python> -m pip install --target <tmp> --no-deps --no-compile
    --only-binary=:all: --no-binary=<build_from_source> --implementation cp
    --python-version <runtime's version> --platform manylinux2014_<arch>
    --platform manylinux_2_28_<arch> -r <requirements>): wheels are chosen for the
    Lambda runtime, not for the controller, and only the packages named in
    O(build_from_source) may be built from a source distribution. The index is pip's
    own configuration (C(pip.conf), C(PIP_INDEX_URL))."
  - "What pip writes that differs between machines or runs is not packed: C(bin/) (console
    scripts with the controller's interpreter in their first line), and in each
    C(*.dist-info/) folder C(RECORD), C(INSTALLER), C(REQUESTED), C(WHEEL) and
    C(direct_url.json) (installer name, file hashes, builder version and download URL).
    C(METADATA), C(top_level.txt), C(entry_points.txt) and licence files are kept, so
    C(importlib.metadata) still finds the packages. O(exclude) applies to them too."
  - This module supports check mode and diff mode. In check mode the zip is built in
    memory and nothing is written, except the dependency cache when it is missing (like
    the zip, it is a local build product, and the zip cannot be predicted without it).
author:
  - Ansible toolkit contributors
options:
  src:
    description:
      - The function's source folder, for example C(lambdas/stream_preprocessor).
    required: true
    type: path
  dest:
    description:
      - Path of the zip to write. Missing parent folders are created.
    required: true
    type: path
  exclude:
    description:
      - Shell patterns (fnmatch) of file and folder names to leave out, matched against each path component.
    type: list
    elements: str
    default: ["__pycache__", "*.pyc", "*.pyo", ".*"]
  compression:
    description:
      - V(stored) writes the files uncompressed, so the zip is the same on every machine.
      - V(deflated) compresses them at level 9; the bytes are then the same only for the same zlib build.
    choices: ["stored", "deflated"]
    default: stored
    type: str
  requirements:
    description:
      - Requirements file whose packages are vendored into the zip.
      - Every line is a pin, C(name==version) (with optional extras and environment
        marker), a comment or blank; C(--no-deps) is used, so the file must list every
        package the function needs beyond what the Lambda runtime provides.
      - Defaults to C(requirements.txt) in O(src) when that file exists; with none,
        only the folder's own files are packed.
    type: path
  deps_cache:
    description:
      - Folder holding one sub-folder per installed requirements set (named by its SHA-256).
      - Defaults to C(deps) beside O(dest), for example C(artifacts/<env>/lambda/deps/).
    type: path
  runtime:
    description:
      - Lambda runtime the packages are chosen for (its Python version); part of the cache key.
    default: python3.12
    type: str
  architecture:
    description:
      - Lambda instruction set the binary wheels are chosen for; part of the cache key.
    choices: ["x86_64", "arm64"]
    default: x86_64
    type: str
  build_from_source:
    description:
      - Names of the packages that may be built from a source distribution (for example
        C(amazon-dax-client), published as an sdist only). Every other package must come
        as a wheel. Part of the cache key.
    default: []
    type: list
    elements: str
  python:
    description:
      - Interpreter whose pip installs the packages. Defaults to the one running this module.
    type: path
notes:
  - Only regular files are packed; a symbolic link is packed as the file it points to.
  - A file that both O(src) and the vendored packages provide fails the module.
  - Packages built from a source distribution are deterministic for one build backend
    version; C(METADATA) written by another setuptools may differ, and so would the zip.
  - A failed pip run leaves no cache folder behind, and the module fails with the
    requirements file's path and pip's output.
"""

EXAMPLES = r"""
- name: Package the stream preprocessor
  lambda_package:
    src: "{{ playbook_dir }}/../lambdas/stream_preprocessor"
    dest: "{{ artifacts_dir }}/lambda/stream_preprocessor.zip"
  register: package

- name: Package the to-do API with its pinned dependencies (amazon-dax-client is an sdist)
  lambda_package:
    src: "{{ playbook_dir }}/../lambdas/todo_api"
    dest: "{{ artifacts_dir }}/lambda/todo_api.zip"
    runtime: python3.12
    build_from_source: [amazon-dax-client]
  register: todo_package

- name: Deploy it (unchanged code is not uploaded again)
  amazon.aws.lambda:
    name: my-function
    zip_file: "{{ package.path }}"
    runtime: python3.12
    handler: handler.lambda_handler
    role: arn:aws:iam::123456789012:role/my-function
"""

RETURN = r"""
path:
  description: Path of the zip.
  returned: always
  type: str
  sample: /srv/platform/artifacts/local/lambda/stream_preprocessor.zip
sha256:
  description: Base64 SHA-256 of the zip, comparable with Lambda's CodeSha256.
  returned: always
  type: str
  sample: 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
sha256_hex:
  description: Hexadecimal SHA-256 of the zip.
  returned: always
  type: str
  sample: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
size:
  description: Size of the zip in bytes.
  returned: always
  type: int
  sample: 10240
files:
  description: The packed paths, in zip order.
  returned: always
  type: list
  elements: str
  sample: ["config.py", "handler.py", "schema.py"]
dependencies:
  description: The vendored requirements, when there are any.
  returned: when a requirements file is used
  type: dict
  contains:
    requirements:
      description: Path of the requirements file.
      type: str
    cache:
      description: The cache folder the packages were installed into; null when the file pins nothing.
      type: str
    installed:
      description: Whether pip ran in this call (false when the cache already held them).
      type: bool
    files:
      description: How many files the packages added to the zip.
      type: int
  sample:
    requirements: /srv/platform/lambdas/todo_api/requirements.txt
    cache: /srv/platform/artifacts/local/lambda/deps/0c5e...
    installed: false
    files: 118
"""

import base64
import fnmatch
import hashlib
import io
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile

from ansible.module_utils.basic import AnsibleModule

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
UNIX = 3

# What pip writes that is not the same on two machines or runs (installer, hashes,
# builder version, download URL, console scripts with the controller's interpreter):
# relative paths in the dependency folder (fnmatch, "*" crosses "/").
DEPENDENCY_EXCLUDE = [
    "bin/*",
    "*.dist-info/RECORD",
    "*.dist-info/INSTALLER",
    "*.dist-info/REQUESTED",
    "*.dist-info/WHEEL",
    "*.dist-info/direct_url.json",
]
# name[extras]==version[; marker]
PIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:\[[A-Za-z0-9._, -]*\])?"
                 r"\s*==\s*[A-Za-z0-9._+!]+\s*(?:;.*)?$")
# Platforms of Lambda's Amazon Linux (manylinux2014 also accepts manylinux2010/1 wheels).
PLATFORMS = ["manylinux2014_{arch}", "manylinux_2_28_{arch}"]
PIP_ARCH = {"x86_64": "x86_64", "arm64": "aarch64"}


class DependencyError(Exception):
    pass


def excluded(relative_path, patterns):
    return any(fnmatch.fnmatch(part, pattern) for part in relative_path.split("/") for pattern in patterns)


def source_files(src, patterns):
    """Sorted (zip path, file path) of every regular file under src that is not excluded."""
    found = []
    for root, dirs, files in os.walk(src, followlinks=True):
        relative_root = os.path.relpath(root, src)
        relative_root = "" if relative_root == "." else relative_root.replace(os.sep, "/") + "/"
        dirs[:] = [d for d in dirs if not excluded(relative_root + d, patterns)]
        for name in files:
            relative = relative_root + name
            path = os.path.join(root, name)
            if not excluded(relative, patterns) and os.path.isfile(path):
                found.append((relative, path))
    return sorted(found)


def dependency_files(folder, patterns):
    """The files of an installed dependency folder that go into the zip."""
    return [(relative, path) for relative, path in source_files(folder, patterns)
            if not any(fnmatch.fnmatch(relative, pattern) for pattern in DEPENDENCY_EXCLUDE)]


def requirement_errors(text):
    """Lines of a requirements file that are not a pin (name==version), a comment or blank."""
    errors = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#") and not PIN.match(line):
            errors.append(f"line {number}: '{line}' is not a pin (name==version)")
    return errors


def python_version(runtime):
    match = re.fullmatch(r"python(\d+)\.(\d+)", runtime)
    if not match:
        raise DependencyError(f"runtime {runtime} is not a Python runtime (pythonX.Y)")
    return f"{match.group(1)}.{match.group(2)}"


def cache_key(requirements_bytes, runtime, architecture, build_from_source):
    """SHA-256 (hex) of everything that decides what pip installs."""
    digest = hashlib.sha256(requirements_bytes)
    for part in [runtime, architecture] + sorted(name.lower() for name in build_from_source):
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


def pip_command(python, target, requirements, runtime, architecture, build_from_source):
    arch = PIP_ARCH[architecture]
    command = [python, "-m", "pip", "install", "--target", target, "--no-deps", "--no-compile",
               "--only-binary=:all:", "--implementation", "cp", "--python-version", python_version(runtime),
               "--disable-pip-version-check", "--no-input", "--no-warn-script-location", "--progress-bar", "off"]
    for platform in PLATFORMS:
        command += ["--platform", platform.format(arch=arch)]
    if build_from_source:
        command.append("--no-binary=" + ",".join(sorted(build_from_source)))
    return command + ["-r", requirements]


def ensure_dependencies(requirements, cache, runtime, architecture, build_from_source, python):
    """The cache folder holding the installed requirements, and whether pip ran now."""
    with open(requirements, "rb") as handle:
        content = handle.read()
    errors = requirement_errors(content.decode("utf-8", "replace"))
    if errors:
        raise DependencyError(f"requirements file {requirements}: {'; '.join(errors)}")
    python_version(runtime)  # a runtime that is not Python fails before anything is written
    if not any(line.split("#", 1)[0].strip() for line in content.decode("utf-8", "replace").splitlines()):
        return None, False  # only comments: nothing to vendor
    folder = os.path.join(cache, cache_key(content, runtime, architecture, build_from_source))
    if os.path.isdir(folder):
        return folder, False
    os.makedirs(cache, exist_ok=True)
    staging = tempfile.mkdtemp(dir=cache, prefix=".install-")
    try:
        # A build from source stamps files with SOURCE_DATE_EPOCH where the backend supports it.
        environment = dict(os.environ, SOURCE_DATE_EPOCH="315532800", PYTHONDONTWRITEBYTECODE="1")
        command = pip_command(python, os.path.join(staging, "site"), requirements, runtime, architecture,
                              build_from_source)
        proc = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
        if proc.returncode != 0:
            output = (proc.stderr.strip() or proc.stdout.strip())[-4000:]
            raise DependencyError(f"pip could not install requirements file {requirements} (exit {proc.returncode}): {output}")
        try:
            os.rename(os.path.join(staging, "site"), folder)
        except OSError:
            if not os.path.isdir(folder):  # else another run installed the same set first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder, True


def build_zip(src, patterns, compression="stored", extra_files=None):
    """The zip bytes and the packed paths; extra_files are (zip path, file path) added to src's."""
    method = zipfile.ZIP_STORED if compression == "stored" else zipfile.ZIP_DEFLATED
    files = source_files(src, patterns)
    if extra_files:
        clashes = sorted({relative for relative, _ in files} & {relative for relative, _ in extra_files})
        if clashes:
            raise DependencyError(f"both {src} and its requirements provide {', '.join(clashes[:10])}")
        files = sorted(files + list(extra_files))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for relative, path in files:
            info = zipfile.ZipInfo(relative, date_time=FIXED_DATE)
            info.create_system = UNIX
            info.compress_type = method
            executable = os.stat(path).st_mode & stat.S_IXUSR
            info.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
            with open(path, "rb") as handle:
                data = handle.read()
            if method == zipfile.ZIP_DEFLATED:
                archive.writestr(info, data, compress_type=method, compresslevel=9)
            else:
                archive.writestr(info, data)
    return buffer.getvalue(), [relative for relative, _ in files]


def digests(data):
    digest = hashlib.sha256(data)
    return base64.b64encode(digest.digest()).decode("ascii"), digest.hexdigest()


def read_existing(dest):
    try:
        with open(dest, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def write_atomically(dest, data):
    folder = os.path.dirname(dest) or "."
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".lambda_package-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, dest)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type="path", required=True),
            dest=dict(type="path", required=True),
            exclude=dict(type="list", elements="str", default=["__pycache__", "*.pyc", "*.pyo", ".*"]),
            compression=dict(choices=["stored", "deflated"], default="stored"),
            requirements=dict(type="path"),
            deps_cache=dict(type="path"),
            runtime=dict(default="python3.12"),
            architecture=dict(choices=["x86_64", "arm64"], default="x86_64"),
            build_from_source=dict(type="list", elements="str", default=[]),
            python=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    src, dest = params["src"], params["dest"]
    if not os.path.isdir(src):
        module.fail_json(msg=f"src {src} is not a folder")
    requirements = params["requirements"]
    if requirements is None and os.path.isfile(os.path.join(src, "requirements.txt")):
        requirements = os.path.join(src, "requirements.txt")
    if requirements is not None and not os.path.isfile(requirements):
        module.fail_json(msg=f"requirements file {requirements} does not exist")

    dependencies, extra_files = None, None
    try:
        if requirements is not None:
            # Installed in check mode too: a local build product, like the zip.
            cache = params["deps_cache"] or os.path.join(os.path.dirname(dest) or ".", "deps")
            folder, installed = ensure_dependencies(requirements, cache, params["runtime"], params["architecture"],
                                                    params["build_from_source"], params["python"] or sys.executable)
            extra_files = dependency_files(folder, params["exclude"]) if folder else []
            dependencies = dict(requirements=requirements, cache=folder, installed=installed, files=len(extra_files))
        data, files = build_zip(src, params["exclude"], params["compression"], extra_files)
    except (DependencyError, OSError) as e:
        module.fail_json(msg=str(e))
    if not files:
        module.fail_json(msg=f"src {src} has no files to package")
    sha256, sha256_hex = digests(data)
    existing = read_existing(dest)
    changed = existing != data
    result = dict(changed=changed, path=dest, sha256=sha256, sha256_hex=sha256_hex, size=len(data), files=files)
    if dependencies is not None:
        result["dependencies"] = dependencies
    if module._diff:
        result["diff"] = {
            "before": {"sha256": digests(existing)[0] if existing is not None else None},
            "after": {"sha256": sha256},
        }
    if changed and not module.check_mode:
        try:
            write_atomically(dest, data)
        except OSError as e:
            module.fail_json(msg=f"Failed to write {dest}: {e}")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
