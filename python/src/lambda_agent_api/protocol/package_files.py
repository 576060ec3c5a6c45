"""Read the data files the package ships (schema bundles, the rules), without importlib.resources.

``importlib.resources`` costs a command's start more than the rest of
``validate``'s imports together (it loads ``zipfile``, ``tempfile``,
``pathlib``...). An installed package is a folder of files, so they are read
from beside the modules; only a package imported from an archive falls back
to ``importlib.resources``.
"""

from __future__ import annotations

import os

__all__ = ["list_folder", "read_text"]

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
"""The folder of the ``lambda_agent_api`` package."""


def read_text(*parts: str) -> str:
    """Return the text of the package's file at ``parts`` (relative to the package)."""
    try:
        with open(os.path.join(_ROOT, *parts), encoding="utf-8") as file:
            return file.read()
    except FileNotFoundError:
        if os.path.isdir(_ROOT):
            raise
    from importlib.resources import files  # imported from an archive

    return files("lambda_agent_api").joinpath(*parts).read_text(encoding="utf-8")


def list_folder(*parts: str) -> list[str]:
    """Return the names of the entries of the package's folder at ``parts``."""
    if os.path.isdir(_ROOT):
        return os.listdir(os.path.join(_ROOT, *parts))
    from importlib.resources import files  # imported from an archive

    return [entry.name for entry in files("lambda_agent_api").joinpath(*parts).iterdir()]
