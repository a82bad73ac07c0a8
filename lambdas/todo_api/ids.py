"""To-do ids: ULIDs (https://github.com/ulid/spec), 26 characters of Crockford base32.

The first 10 characters are the creation time in milliseconds, the last 16 are
random (80 bits), so ids sort in creation order and a list Query on the sort key
returns a user's to-dos oldest first. Ids made in the same millisecond by one
container increase (the random part is incremented), so they keep their order too.
"""

import os
import re
import threading
import time

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_PATTERN = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")
RANDOM_BITS = 80

clock_ns = time.time_ns  # replaced by tests
_last = {"ms": -1, "random": 0}
_lock = threading.Lock()


def random_bits():
    return int.from_bytes(os.urandom(RANDOM_BITS // 8), "big")


def _encode(value, length):
    chars = []
    for _ in range(length):
        value, digit = divmod(value, 32)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def new_id():
    """A new ULID, greater than every id this container made before."""
    with _lock:
        ms = clock_ns() // 1_000_000
        if ms <= _last["ms"]:
            ms = _last["ms"]
            rand = _last["random"] + 1
            if rand >> RANDOM_BITS:  # 2^80 ids in one millisecond: move to the next one
                ms, rand = ms + 1, random_bits()
        else:
            rand = random_bits()
        _last.update(ms=ms, random=rand)
    return _encode(ms, 10) + _encode(rand, 16)


def is_id(value):
    """True when value has the server's id format (a canonical, upper-case ULID)."""
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None
