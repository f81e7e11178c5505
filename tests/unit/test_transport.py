"""``memories_client._transport``: httpcore's errors become httpx's, as httpx's transport does."""

from __future__ import annotations

import httpcore
import httpx
import pytest

from memories_client._transport import _as_httpx_errors

# httpcore's pool retries this one itself; it never reaches a transport (nor does httpx map it).
INTERNAL = {"ConnectionNotAvailable"}
ERRORS = sorted(
    name
    for name in httpcore.__all__
    if isinstance(getattr(httpcore, name), type)
    and issubclass(getattr(httpcore, name), Exception)
    and name not in INTERNAL
)


@pytest.mark.parametrize("name", ERRORS)
def test_each_httpcore_error_becomes_httpx_error_of_the_same_name(name: str) -> None:
    cause = getattr(httpcore, name)("what happened")
    with pytest.raises(httpx.TransportError) as raised, _as_httpx_errors():
        raise cause
    assert type(raised.value) is getattr(httpx, name)
    assert str(raised.value) == "what happened"
    assert raised.value.__cause__ is cause


def test_other_errors_pass_through() -> None:
    with pytest.raises(KeyError), _as_httpx_errors():
        raise KeyError("not a transport error")
