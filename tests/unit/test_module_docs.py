"""Every custom module documents itself: DOCUMENTATION, EXAMPLES and RETURN parse,
so `ansible-doc -M library <module>` renders them."""

from pathlib import Path

import pytest
import yaml
from ansible.parsing.plugin_docs import read_docstring

LIBRARY = Path(__file__).resolve().parents[2] / "library"
MODULES = sorted(LIBRARY.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_module_is_documented(path):
    docs = read_docstring(str(path))
    documentation = docs["doc"]
    assert documentation and documentation["module"] == path.stem
    assert documentation["short_description"] and documentation["description"]
    assert documentation.get("options") is not None
    assert docs["plainexamples"] and yaml.safe_load(docs["plainexamples"])
    assert isinstance(docs["returndocs"], dict)
