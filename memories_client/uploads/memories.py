"""Upload to memories.ai's own asset storage (FACTS section 10 of the API notes).

The documented flow: ``POST /upload/signed-url`` with the file name gives an ``asset_id`` and a
storage ``signed_url`` (valid ``expires_in`` seconds, 26 h in the docs' example); the file is then
POSTed to the signed URL as ``multipart/form-data`` (field ``file``); ``GET /{asset_id}/metadata``
is polled until ``data.resource[0].upload_status`` is ``SUCCESS`` (or ``FAILED``).

What the docs leave open, and what this uploader does (each one a setting):

* How a chat request refers to an uploaded asset is not documented. The one public client that
  does this passes the **signed URL** itself as ``file_uri``; that is the default
  (``reference="signed_url"``). Pass ``reference=callable`` to build another URL from the
  :class:`UploadedAsset` (a CDN in front of the bucket, or a form the service documents later).
* The docs name the polling endpoint "get-metadata"; the reference page and public code use
  ``GET /{asset_id}/metadata`` (``status_path``).
* The storage POST carries no ``Authorization``: the signature in the URL is the credential, and
  the API key must never travel to a storage host.

Everything the service sends is untrusted: every answer and error page is read through the chat
client's bounded reader (:func:`memories_client._limits.read_response`, decoded bytes counted);
the ``signed_url`` must be ``https`` or on the base URL's own origin and never a private,
link-local or metadata address (:mod:`memories_client.uploads._urls`; ``trust_signed_urls=True``
opts out); the ``asset_id`` is refused if it has control characters and quoted into the status
URL; ``expires_in`` must be a finite positive number of seconds. The API key lives only in an
``httpx.Headers`` attribute (whose ``repr`` hides it), never in a plain dict or a frame local.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import httpx
from pydantic import SecretStr

from memories_client import _json
from memories_client._http import (
    AuthScheme,
    RetryPolicy,
    build_headers,
    check_default_headers,
    error_from_response,
    resolve_api_key,
    resolve_base_url,
    resolve_timeout,
    transport_error,
)
from memories_client._limits import (
    aread_error_body,
    aread_response,
    read_error_body,
    read_response,
    whole_answer,
)
from memories_client.errors import MemoriesError, MemoriesInputError, ServerError
from memories_client.uploads._cache import UploadCache
from memories_client.uploads._multipart import MultipartBody
from memories_client.uploads._source import ProgressCallback, UploadSource
from memories_client.uploads._urls import check_asset_id, check_signed_url, quoted_id
from memories_client.uploads.base import BaseUploader, UploadError, UploadTimeoutError

__all__ = ["DEFAULT_MAX_ANSWER_BYTES", "MAX_EXPIRES_IN", "MemoriesAssetUploader", "UploadedAsset"]

DEFAULT_MAX_ANSWER_BYTES = 1024 * 1024
"""The largest upload-service answer read (1 MiB): its envelopes are a few hundred bytes."""
MAX_EXPIRES_IN = 366 * 24 * 3600.0
"""The longest signed-URL lifetime believed (a year); a longer one is a malformed answer."""

_T = TypeVar("_T")
# Envelope codes that mean success: 200 (current docs), "0000" (older docs and other endpoints).
_OK_CODES = frozenset({200, "200", "0000", 0, "0"})
# "0001" is the service's transient "network abnormal": worth another try (FACTS section 9).
_TRANSIENT_CODES = frozenset({"0001", 1})
_DONE, _FAILED = "SUCCESS", "FAILED"


@dataclass(frozen=True, slots=True)
class UploadedAsset:
    """One upload as the service described it (what ``reference`` callables receive).

    Example:
        >>> UploadedAsset("re_1", "https://storage.example/re_1?sig=x", 93600.0, "a.mp4").asset_id
        're_1'
    """

    asset_id: str
    signed_url: str
    expires_in: float | None
    file_name: str

    def __repr__(self) -> str:
        # The signed URL grants access to the file: keep it out of logs and tracebacks.
        return f"UploadedAsset(asset_id={self.asset_id!r}, file_name={self.file_name!r})"


Reference = Literal["signed_url"] | Callable[[UploadedAsset], str]


def _data_of(response: httpx.Response, content: bytes | bytearray) -> Mapping[str, Any]:
    """``data`` of a ``{code, msg, data, success, failed}`` envelope, or the typed error."""
    try:
        body = _json.loads(content)
    except ValueError:
        raise UploadError(
            f"the upload service answered something that is not JSON: {bytes(content[:200])!r}",
            status=response.status_code,
        ) from None
    if not isinstance(body, Mapping):
        raise UploadError("the upload service answered JSON that is not an object", body=body)
    code, msg = body.get("code"), body.get("msg") or body.get("message")
    msg = msg[:2000] if isinstance(msg, str) else None  # a message of another shape is not shown
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    if not isinstance(code, (str, int)) or isinstance(code, bool):
        code = None if code is None else str(code)[:100]
    failed = body.get("failed") is True or body.get("success") is False
    if code in _TRANSIENT_CODES:
        raise ServerError(
            f"the upload service reported a transient failure: {msg}",
            status=response.status_code,
            code=code,
            server_message=msg,
            body=body,
        )
    if failed or (code is not None and code not in _OK_CODES):
        raise UploadError(
            f"the upload service refused the request: {msg or 'no message'}",
            status=response.status_code,
            code=code,
            server_message=msg,
            body=body,
        )
    data = body.get("data")
    return data if isinstance(data, Mapping) else {}


def _status_of(data: Mapping[str, Any]) -> str | None:
    resource = data.get("resource")
    if isinstance(resource, list) and resource and isinstance(resource[0], Mapping):
        status = resource[0].get("upload_status")
    else:  # a flatter shape, should the service simplify it
        status = data.get("upload_status", data.get("status"))
    return status.upper() if isinstance(status, str) else None


class MemoriesAssetUploader(BaseUploader):
    """Uploads local videos to memories.ai asset storage and returns a URL for chat requests.

    Streams the file from disk (memory stays flat for multi-GB files), reports progress, and
    uploads the same content once per signed-URL lifetime (see :class:`BaseUploader`).

    Args:
        api_key: defaults to ``MEMORIES_API_KEY``.
        base_url: defaults to ``MEMORIES_BASE_URL``, else the production URL.
        timeout: seconds per request (the file upload gets this per chunk written, not in total).
        max_retries: retries for 429, 5xx, the service's transient ``"0001"``, timeouts and
            dropped connections, each step on its own (the file is re-read for a retry).
        default_headers: extra headers on requests to the API (not to the storage URL).
        auth_scheme: ``"raw"`` (documented) or ``"bearer"``.
        http_client / http_async_client: ``httpx`` clients to use (never closed by this class).
        reference: what chat requests get: ``"signed_url"`` (default; what public code does), or
            a callable from :class:`UploadedAsset` to an ``http(s)://`` or ``gs://`` URL.
        signed_url_path, status_path: endpoint paths (``{asset_id}`` is filled in).
        poll_interval: first wait between status polls, growing 1.5x per poll up to 10 s.
        poll_timeout: seconds to wait for ``SUCCESS`` before :class:`UploadTimeoutError`.
        cache: where URLs are remembered (default: in this process).
        max_response_bytes: the largest answer of the upload service read, in decoded bytes
            (default 1 MiB); a larger one is a :class:`MalformedResponseError`. Error pages are
            read up to 64 KiB, as by the chat client.
        trust_signed_urls: send the file wherever the service's ``signed_url`` points. By
            default it must be ``https`` (or on ``base_url``'s own origin) and must not be a
            private, loopback, link-local or cloud-metadata address; turn the check off only
            for a deployment of your own whose storage lives on a private network.

    A file that changes while it is uploaded raises :class:`SourceChangedError` (not retried,
    nothing cached). Other failures are retried as the chat client retries them, each step on
    its own; a retried file upload re-reads the file and checks it against its hash again.

    Example:
        >>> import pathlib, tempfile
        >>> from memories_emulator import Emulator
        >>> clip = pathlib.Path(tempfile.mkdtemp()) / "clip.mp4"
        >>> _ = clip.write_bytes(bytes(4) + b"ftypmp42" + bytes(1000))
        >>> with Emulator() as emu:
        ...     uploader = MemoriesAssetUploader(api_key="k", base_url=emu.base_url)
        ...     url = uploader.upload(clip)
        ...     again = uploader.upload(clip)          # same content: no second upload
        ...     uploads = len(emu.app.upload_store.assets)
        >>> url == again, uploads
        (True, 1)
    """

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        auth_scheme: AuthScheme = "raw",
        http_client: httpx.Client | None = None,
        http_async_client: httpx.AsyncClient | None = None,
        reference: Reference = "signed_url",
        signed_url_path: str = "/upload/signed-url",
        status_path: str = "/{asset_id}/metadata",
        poll_interval: float = 1.0,
        poll_timeout: float = 600.0,
        cache: UploadCache | None = None,
        max_response_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
        trust_signed_urls: bool = False,
    ) -> None:
        super().__init__(cache=cache)
        self.base_url = resolve_base_url(base_url)
        self._api_key = resolve_api_key(api_key, base_url=self.base_url)
        self.timeout = resolve_timeout(timeout)
        self.retry_policy = RetryPolicy(max_retries=max_retries)
        if auth_scheme not in ("raw", "bearer"):
            raise MemoriesInputError("auth_scheme must be 'raw' or 'bearer'")
        # httpx.Headers, never a plain dict: its repr hides Authorization, and it is only ever
        # read from this attribute, so the key sits in no frame local an error tracker records.
        self._headers = httpx.Headers(
            build_headers(
                self._api_key, auth_scheme, check_default_headers(default_headers), stream=False
            )
        )
        if reference != "signed_url" and not callable(reference):
            raise MemoriesInputError(
                "reference must be 'signed_url' or a callable taking an UploadedAsset and "
                f"returning a URL, got {reference!r}"
            )
        self.reference = reference
        for name, path in (("signed_url_path", signed_url_path), ("status_path", status_path)):
            if not isinstance(path, str) or not path.startswith("/") or path.startswith("//"):
                raise MemoriesInputError(f"{name} must be an absolute path, got {path!r}")
        if "{asset_id}" not in status_path:
            raise MemoriesInputError("status_path must contain '{asset_id}'")
        try:
            status_path.format(asset_id="re_1")
        except (KeyError, IndexError, ValueError):
            raise MemoriesInputError(
                f"status_path may hold no other '{{...}}' than '{{asset_id}}', got {status_path!r}"
            ) from None
        self.signed_url_path = signed_url_path
        self.status_path = status_path
        for name, value in (("poll_interval", poll_interval), ("poll_timeout", poll_timeout)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise MemoriesInputError(f"{name} must be a positive number, got {value!r}")
        self.poll_interval = float(poll_interval)
        self.poll_timeout = float(poll_timeout)
        if (
            isinstance(max_response_bytes, bool)
            or not isinstance(max_response_bytes, int)
            or max_response_bytes < 1
        ):
            raise MemoriesInputError(
                f"max_response_bytes must be a positive integer, got {max_response_bytes!r}"
            )
        self.max_response_bytes = max_response_bytes
        if not isinstance(trust_signed_urls, bool):
            raise MemoriesInputError("trust_signed_urls must be True or False")
        self.trust_signed_urls = trust_signed_urls
        self._http_client = http_client
        self._owned = http_client is None
        self._async_http_client = http_async_client

    def __repr__(self) -> str:
        return f"MemoriesAssetUploader(base_url={self.base_url!r}, api_key=SecretStr('**********'))"

    @property
    def cache_namespace(self) -> str:
        """Uploads are valid for this service (base URL) and key holder."""
        # A hash of the key, never the key: cache files may be read by others.
        import hashlib

        fingerprint = hashlib.sha256(self._api_key.get_secret_value().encode()).hexdigest()[:16]
        return f"memories:{self.base_url}:{fingerprint}"

    def close(self) -> None:
        """Close the connection pool this uploader created (a given ``http_client`` stays open).

        Example:
            >>> MemoriesAssetUploader(api_key="k").close()
        """
        if self._owned and self._http_client is not None:
            self._http_client.close()
            self._http_client = None

    def __enter__(self) -> MemoriesAssetUploader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the steps, shared by sync and async ----------------------------------------------------

    def _url(self, asset: UploadedAsset) -> str:
        if self.reference == "signed_url":
            return asset.signed_url
        url = self.reference(asset)
        if not isinstance(url, str) or not url.lower().startswith(("http://", "https://", "gs://")):
            raise MemoriesInputError(
                f"the reference callable must return an http(s):// or gs:// URL, got {url!r}"
            )
        return url

    def _asset(self, data: Mapping[str, Any], name: str) -> UploadedAsset:
        """The signed-URL answer, every value checked before it is used (see _urls)."""
        asset_id = check_asset_id(data.get("asset_id"))
        signed_url = check_signed_url(
            data.get("signed_url"), base_url=self.base_url, trust=self.trust_signed_urls
        )
        expires = data.get("expires_in")
        lifetime: float | None = None
        if expires is not None:
            if (
                isinstance(expires, bool)
                or not isinstance(expires, (int, float))
                or not math.isfinite(expires)
                or not 0 < expires <= MAX_EXPIRES_IN
            ):
                raise UploadError(
                    "the signed-URL answer has an expires_in that is not a number of seconds "
                    f"between 0 and a year: {str(expires)[:40]!r}"
                )
            lifetime = float(expires)
        return UploadedAsset(asset_id, signed_url, lifetime, name)

    def _status_url(self, asset: UploadedAsset) -> str:
        return self.base_url + self.status_path.format(asset_id=quoted_id(asset.asset_id))

    def _answer(
        self, response: httpx.Response, capped: tuple[bytearray, bool]
    ) -> Mapping[str, Any]:
        return _data_of(response, whole_answer(response, capped, self.max_response_bytes))

    def _check_status(self, asset: UploadedAsset, data: Mapping[str, Any]) -> bool:
        status = _status_of(data)
        if status == _FAILED:
            raise UploadError(
                f"memories.ai reports the upload of {asset.file_name} (asset {asset.asset_id}) as "
                "FAILED; upload it again",
                code=_FAILED,
                body=dict(data),
            )
        return status == _DONE

    def _timed_out(self, asset: UploadedAsset, started: float) -> UploadTimeoutError | None:
        if time.monotonic() - started < self.poll_timeout:
            return None
        return UploadTimeoutError(
            f"asset {asset.asset_id} ({asset.file_name}) was not ready after "
            f"{self.poll_timeout:g} s; raise poll_timeout= for large files"
        )

    def _delay(self, attempt: int, error: MemoriesError) -> float:
        if not self.retry_policy.should_retry(attempt, error):
            raise error
        return self.retry_policy.delay(attempt, error)

    # -- sync -------------------------------------------------------------------------------

    @property
    def http_client(self) -> httpx.Client:
        """The pooled ``httpx.Client`` (created on first use)."""
        if self._http_client is None:
            self._http_client = httpx.Client(timeout=self.timeout)
        return self._http_client

    def _retrying(self, step: Callable[[], _T], url: str) -> _T:
        attempt = 0
        while True:
            try:
                return step()
            except httpx.HTTPError as exc:
                error: MemoriesError = transport_error(exc, url)
            except MemoriesError as exc:
                error = exc
            time.sleep(self._delay(attempt, error))
            attempt += 1

    def _api(self, method: str, url: str, payload: Any = None) -> Mapping[str, Any]:
        """One call to the upload API with retries: the ``data`` of its answer."""

        def step() -> Mapping[str, Any]:
            client = self.http_client
            response = client.send(
                client.build_request(
                    method, url, json=payload, headers=self._headers, timeout=self.timeout
                ),
                stream=True,
            )
            try:
                if response.status_code >= 300:
                    content = read_error_body(response)
                    raise error_from_response(response.status_code, response.headers, content)
                return self._answer(response, read_response(response, self.max_response_bytes))
            finally:
                response.close()

        return self._retrying(step, url)

    def _upload(
        self, source: UploadSource, digest: str, progress: ProgressCallback | None
    ) -> tuple[str, float | None]:
        issued = time.time()
        signing = self.base_url + self.signed_url_path
        asset = self._asset(
            self._api("POST", signing, {"original_filename": source.name}), source.name
        )
        body = MultipartBody(source, progress=progress, expect=digest)

        def send() -> None:
            # A fresh iterator per attempt: a retry re-reads the file from its start.
            client = self.http_client
            response = client.send(
                client.build_request(
                    "POST",
                    asset.signed_url,
                    content=body.chunks(),
                    headers=body.headers,
                    timeout=self.timeout,
                ),
                stream=True,
            )
            try:
                if response.status_code >= 300:
                    content = read_error_body(response)
                    raise error_from_response(response.status_code, response.headers, content)
            finally:
                response.close()  # a storage answer's body says nothing we use

        self._retrying(send, "the signed upload URL")
        started, wait = time.monotonic(), self.poll_interval
        status_url = self._status_url(asset)
        while not self._check_status(asset, self._api("GET", status_url)):
            if (late := self._timed_out(asset, started)) is not None:
                raise late
            time.sleep(wait)
            wait = min(wait * 1.5, 10.0)
        return self._url(asset), _expiry(asset, issued)

    # -- async ------------------------------------------------------------------------------

    async def _aretrying(
        self, step: Callable[[httpx.AsyncClient], Any], client: httpx.AsyncClient, url: str
    ) -> Any:
        attempt = 0
        while True:
            try:
                return await step(client)
            except httpx.HTTPError as exc:
                error: MemoriesError = transport_error(exc, url)
            except MemoriesError as exc:
                error = exc
            await asyncio.sleep(self._delay(attempt, error))
            attempt += 1

    async def _aupload(
        self, source: UploadSource, digest: str, progress: ProgressCallback | None
    ) -> tuple[str, float | None]:
        if self._async_http_client is not None:
            return await self._aupload_with(self._async_http_client, source, progress, digest)
        # One client per upload: an AsyncClient belongs to the event loop it first ran on, and
        # an upload is a few long requests, where a fresh pool costs nothing that matters.
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            return await self._aupload_with(client, source, progress, digest)

    async def _aapi(
        self, client: httpx.AsyncClient, method: str, url: str, payload: Any = None
    ) -> Mapping[str, Any]:
        """:meth:`_api` on an async client."""

        async def step(c: httpx.AsyncClient) -> Mapping[str, Any]:
            response = await c.send(
                c.build_request(
                    method, url, json=payload, headers=self._headers, timeout=self.timeout
                ),
                stream=True,
            )
            try:
                if response.status_code >= 300:
                    content = await aread_error_body(response)
                    raise error_from_response(response.status_code, response.headers, content)
                capped = await aread_response(response, self.max_response_bytes)
                return self._answer(response, capped)
            finally:
                await response.aclose()

        result: Mapping[str, Any] = await self._aretrying(step, client, url)
        return result

    async def _aupload_with(
        self,
        client: httpx.AsyncClient,
        source: UploadSource,
        progress: ProgressCallback | None,
        digest: str,
    ) -> tuple[str, float | None]:
        issued = time.time()
        signing = self.base_url + self.signed_url_path
        data = await self._aapi(client, "POST", signing, {"original_filename": source.name})
        asset = self._asset(data, source.name)
        body = MultipartBody(source, progress=progress, expect=digest)

        async def send(c: httpx.AsyncClient) -> None:
            response = await c.send(
                c.build_request(
                    "POST",
                    asset.signed_url,
                    content=body.achunks(),
                    headers=body.headers,
                    timeout=self.timeout,
                ),
                stream=True,
            )
            try:
                if response.status_code >= 300:
                    content = await aread_error_body(response)
                    raise error_from_response(response.status_code, response.headers, content)
            finally:
                await response.aclose()

        await self._aretrying(send, client, "the signed upload URL")
        started, wait = time.monotonic(), self.poll_interval
        status_url = self._status_url(asset)
        while not self._check_status(asset, await self._aapi(client, "GET", status_url)):
            if (late := self._timed_out(asset, started)) is not None:
                raise late
            await asyncio.sleep(wait)
            wait = min(wait * 1.5, 10.0)
        return self._url(asset), _expiry(asset, issued)


def _expiry(asset: UploadedAsset, issued: float) -> float | None:
    # Counted from when the URL was issued, not from the end of a long upload.
    return None if asset.expires_in is None else issued + asset.expires_in
