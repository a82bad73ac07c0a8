"""Every fix to moto is listed in emulator/README.md and cites the AWS behaviour it restores."""

import inspect

import pytest

from emulator import fixes
from tests.playbook import REPO_ROOT

README = (REPO_ROOT / "emulator" / "README.md").read_text()


@pytest.mark.parametrize("fix", fixes.FIXES, ids=[f.__name__ for f in fixes.FIXES])
def test_fix_is_documented(fix):
    assert f"`{fix.__name__}`" in README
    assert "aws" in (inspect.getdoc(fix) or "").lower(), "the docstring cites the AWS behaviour restored"


def test_fix_names_are_unique():
    names = [f.__name__ for f in fixes.FIXES]
    assert len(names) == len(set(names))
