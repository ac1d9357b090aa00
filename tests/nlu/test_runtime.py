"""Finding Python 3.10 for the Rasa venv, and the cache keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.errors import PythonNotFoundError
from nlu.runtime import content_hash, find_python310


def test_missing_python310_names_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(PythonNotFoundError) as caught:
        find_python310(search_path=str(tmp_path), pyenv_root=tmp_path / "pyenv")
    message = str(caught.value)
    assert "PATH" in message and str(tmp_path / "pyenv" / "versions") in message
    assert "pyenv install 3.10" in message


def test_a_broken_shim_on_path_is_skipped(tmp_path: Path) -> None:
    shim = tmp_path / "python3.10"
    shim.write_text("#!/bin/sh\nexit 127\n")
    shim.chmod(0o755)
    with pytest.raises(PythonNotFoundError):
        find_python310(search_path=str(tmp_path), pyenv_root=tmp_path / "none")


def test_cache_key_changes_with_content() -> None:
    assert content_hash(b"a", b"b") == content_hash(b"a", b"b")
    assert content_hash(b"a", b"b") != content_hash(b"a", b"c")
    assert content_hash(b"ab") != content_hash(b"a", b"b")
