"""Object keys of the user-files bucket: always `<caller sub>/<relative key>`.

A caller names a key relative to their own folder ("photos/cat.jpg"). Anything that
could name an object outside it, or that S3 and clients treat ambiguously, is
refused with a 400 naming the rule: an empty key, an absolute path, empty, "." or
".." segments, backslashes, control characters, a key longer than S3's 1024 bytes
once prefixed, and a first segment that is another user's id (a UUID that is not
the caller's sub). A key that already starts with the caller's own sub is taken as is.
"""

import re

try:  # packaged: the zip's root holds the modules
    from .errors import bad_request
except ImportError:  # pragma: no cover - how Lambda imports it
    from errors import bad_request  # type: ignore[no-redef]

MAX_KEY_BYTES = 1024  # S3's limit on an object key (UTF-8)
UUID_PATTERN = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_CONTROL = frozenset(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)])


def user_key(relative, sub, field="key"):
    """The full object key of a caller's relative key; 400 when it is not safe."""
    if not isinstance(relative, str):
        raise bad_request(f"{field}: must be a string")
    if not relative:
        raise bad_request(f"{field}: must not be empty")
    if any(char in _CONTROL for char in relative):
        raise bad_request(f"{field}: must not contain control characters")
    if "\\" in relative:
        raise bad_request(f"{field}: must not contain backslashes")
    if relative.startswith("/"):
        raise bad_request(f"{field}: must be relative to your folder, not an absolute path")
    segments = relative.split("/")
    for segment in segments:
        if segment in (".", ".."):
            raise bad_request(f"{field}: must not contain '.' or '..' segments")
        if not segment:
            raise bad_request(f"{field}: must not contain empty segments ('//' or a trailing '/')")
    try:
        relative.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request(f"{field}: must be valid UTF-8") from None
    if segments[0] == sub:
        if len(segments) == 1:
            raise bad_request(f"{field}: names your folder, not an object in it")
        full = relative
    elif UUID_PATTERN.fullmatch(segments[0]):
        raise bad_request(f"{field}: must not start with another user's id")
    else:
        full = f"{sub}/{relative}"
    size = len(full.encode("utf-8"))
    if size > MAX_KEY_BYTES:
        raise bad_request(f"{field}: at most {MAX_KEY_BYTES} bytes once prefixed with your id, got {size}")
    return full


def relative_key(full, sub):
    """The caller's view of a full key (without the `<sub>/` prefix)."""
    prefix = f"{sub}/"
    return full[len(prefix):] if full.startswith(prefix) else full
