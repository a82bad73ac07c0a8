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
  - This module supports check mode and diff mode. In check mode the zip is built in
    memory and nothing is written.
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
notes:
  - Only regular files are packed; a symbolic link is packed as the file it points to.
"""

EXAMPLES = r"""
- name: Package the stream preprocessor
  lambda_package:
    src: "{{ playbook_dir }}/../lambdas/stream_preprocessor"
    dest: "{{ artifacts_dir }}/lambda/stream_preprocessor.zip"
  register: package

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
"""

import base64
import fnmatch
import hashlib
import io
import os
import stat
import tempfile
import zipfile

from ansible.module_utils.basic import AnsibleModule

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
UNIX = 3


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


def build_zip(src, patterns, compression="stored"):
    """The zip bytes and the packed paths."""
    method = zipfile.ZIP_STORED if compression == "stored" else zipfile.ZIP_DEFLATED
    files = source_files(src, patterns)
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
        ),
        supports_check_mode=True,
    )
    src, dest = module.params["src"], module.params["dest"]
    if not os.path.isdir(src):
        module.fail_json(msg=f"src {src} is not a folder")

    data, files = build_zip(src, module.params["exclude"], module.params["compression"])
    if not files:
        module.fail_json(msg=f"src {src} has no files to package")
    sha256, sha256_hex = digests(data)
    existing = read_existing(dest)
    changed = existing != data
    result = dict(changed=changed, path=dest, sha256=sha256, sha256_hex=sha256_hex, size=len(data), files=files)
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
