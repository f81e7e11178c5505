"""Optional dependencies: each framework layer is an extra, and says so when it is missing.

``memories_client`` needs only httpx and pydantic. ``langchain_memories`` needs the
``langchain`` extra and ``llama_index_memories`` the ``llamaindex`` one; importing either
without its framework raises :class:`ExtraMissingError` naming the ``pip install`` line, rather
than a bare "No module named" from deep inside the layer.
"""

from __future__ import annotations

import importlib.util

__all__ = ["ExtraMissingError", "require_extra"]

DISTRIBUTION = "memories-integrations"


class ExtraMissingError(ModuleNotFoundError):
    """A layer of the package was imported without the extra that brings its framework.

    Example:
        >>> issubclass(ExtraMissingError, ImportError)
        True
    """


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a dotted name whose parent package is missing
        return False


def require_extra(module: str, *, extra: str, layer: str, requirement: str) -> None:
    """Raise :class:`ExtraMissingError` unless ``module`` can be imported.

    Only looks the module up (no import), so a layer that has its framework pays nothing.

    Args:
        module: The framework's import name, such as ``"langchain_core"``.
        extra: The extra of this distribution that installs it.
        layer: The package asking, named in the message.
        requirement: The framework's distribution name, named in the message.

    Example:
        >>> require_extra("json", extra="x", layer="demo", requirement="json")
        >>> require_extra("no_such_framework.core", extra="nsf", layer="demo", requirement="nsf")
        Traceback (most recent call last):
        ...
        memories_client._extras.ExtraMissingError: demo needs nsf, which is not installed; \
install it with: pip install 'memories-integrations[nsf]'
    """
    if not _installed(module):
        raise ExtraMissingError(
            f"{layer} needs {requirement}, which is not installed; install it with: "
            f"pip install '{DISTRIBUTION}[{extra}]'",
            name=module,
        )
