"""The asset-upload endpoints: signed URLs, the storage they point at, status and download.

What the docs describe (API notes, FACTS section 10), served under ``/serve/api/v2`` and bare:

* ``POST /upload/signed-url`` ``{"original_filename": ...}`` -> ``{asset_id, signed_url,
  expires_in: 93600}`` in the ``{code, msg, data, success, failed}`` envelope;
* ``POST <signed_url>`` with the file as ``multipart/form-data`` (field ``file``), no
  ``Authorization`` (the signature in the URL is the credential);
* ``POST /upload`` with the file as ``multipart/form-data`` (the one-step upload);
* ``GET /{asset_id}/metadata`` -> ``data.resource[0].upload_status``: ``WAITING`` until the
  file arrives, then ``SUCCESS`` (or ``FAILED``);
* ``GET /{asset_id}/download`` -> the file's bytes.

The signed URL points at this emulator (``/_storage/<asset_id>?X-Goog-Signature=...``), so the
URLs it hands out are fetchable: ``GET`` on one returns the file, as a model backend would fetch
it. Uploads are streamed to a temporary directory (never held in memory) and hashed on the way.
Tests steer the store through ``emulator.app.upload_store``: ``processing_polls`` (status polls
that still answer ``UPLOADING`` after the file arrived), ``fail_uploads`` (the next uploads end
``FAILED``) and ``keep_content`` (False keeps only size and hash, for very large files). The
``X-Emulator-Fault`` header injects status faults here as on the chat routes.

Example:
    >>> store = UploadStore()
    >>> store.processing_polls, store.keep_content
    (0, True)
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import re
import secrets
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from memories_emulator.checks import ApiError, bad
from memories_emulator.faults import FaultSpecError, parse_fault, status_message
from memories_emulator.responses import envelope
from memories_emulator.state import EmulatorState
from memories_emulator.validation import authenticate

__all__ = ["SIGNED_URL_LIFETIME", "StoredAsset", "UploadStore"]

SIGNED_URL_LIFETIME = 93600
"""``expires_in`` of a signed URL, as in the docs' example (26 hours)."""
_ASSET_ID = re.compile(r"re_\d{18}")
_BOUNDARY = re.compile(r"boundary=(?:\"([^\"]+)\"|([^;\s]+))", re.IGNORECASE)
_HEADER_LIMIT = 16 * 1024


@dataclass
class StoredAsset:
    """One asset the emulator knows.

    Attributes:
        asset_id: ``re_<18 digits>``.
        original_filename: the name given when the signed URL was asked for.
        status: ``WAITING``, ``UPLOADING``, ``SUCCESS`` or ``FAILED``.
        size: bytes received (0 until the file arrives).
        sha256: hex digest of what was received.
        content_type: the file part's ``Content-Type``.
        path: where the bytes are kept (None when ``keep_content`` is off).
        polls_left: status polls that still answer ``UPLOADING``.
    """

    asset_id: str
    original_filename: str
    status: str = "WAITING"
    size: int = 0
    sha256: str = ""
    content_type: str = "application/octet-stream"
    path: Path | None = None
    polls_left: int = 0
    failing: bool = False


class _MultipartError(Exception):
    pass


async def _receive_file(
    request: Request, sink: BinaryIO | None
) -> tuple[int, str, str, str | None]:
    """Stream the single file part of a multipart body into ``sink``.

    Returns:
        (size, sha256 hex, the part's Content-Type, its filename).
    """
    match = _BOUNDARY.search(request.headers.get("content-type", ""))
    if "multipart/form-data" not in request.headers.get("content-type", "").lower() or not match:
        raise _MultipartError("the file must be sent as multipart/form-data (field 'file')")
    boundary = (match.group(1) or match.group(2)).encode()
    opening, closing = b"--" + boundary + b"\r\n", b"\r\n--" + boundary
    digest, size = hashlib.sha256(), 0
    buffer = b""
    headers: bytes | None = None
    stream: AsyncIterator[bytes] = request.stream()
    async for chunk in stream:
        buffer += chunk
        if headers is None:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(buffer) > _HEADER_LIMIT:
                    raise _MultipartError("the multipart part headers are too long")
                continue
            head, buffer = buffer[:end], buffer[end + 4 :]
            if not head.startswith(opening):
                raise _MultipartError("the body does not start with the multipart boundary")
            headers = head[len(opening) :]
            if b'name="file"' not in headers:
                raise _MultipartError("the multipart body has no field named 'file'")
        # Keep back what could be the start of the closing boundary; write the rest.
        keep = len(closing) + 4
        if len(buffer) > keep:
            out, buffer = buffer[:-keep], buffer[-keep:]
            digest.update(out)
            size += len(out)
            if sink is not None:
                sink.write(out)
    if headers is None:
        raise _MultipartError("the multipart body ended before its part headers")
    end = buffer.find(closing)
    if end < 0:
        raise _MultipartError("the multipart body has no closing boundary")
    digest.update(buffer[:end])
    size += end
    if sink is not None:
        sink.write(buffer[:end])
    text = headers.decode("latin-1")
    ctype = re.search(r"(?im)^content-type:\s*([^\r\n;]+)", text)
    name = re.search(r'filename="([^"]*)"', text)
    return (
        size,
        digest.hexdigest(),
        ctype.group(1).strip() if ctype else "application/octet-stream",
        name.group(1) if name else None,
    )


class UploadStore:
    """The emulator's asset storage, and the routes that serve it.

    Thread-safe: routes run on the server thread, tests read and steer from theirs.

    Example:
        >>> store = UploadStore()
        >>> asset = store.create("clip.mp4")
        >>> asset.asset_id.startswith("re_"), asset.status
        (True, 'WAITING')
    """

    def __init__(self) -> None:
        self.processing_polls = 0
        """Status polls that answer ``UPLOADING`` after a file arrived, before ``SUCCESS``."""
        self.fail_uploads = False
        """While True, uploads end ``FAILED``."""
        self.keep_content = True
        """Keep the bytes (for download and storage GETs); False keeps only size and hash."""
        self._lock = threading.Lock()
        self._assets: dict[str, StoredAsset] = {}
        self._secret = secrets.token_bytes(16)
        self._ids = itertools.count(660_000_000_000_000_000 + secrets.randbelow(10**15))
        self._dir: tempfile.TemporaryDirectory[str] | None = None

    @property
    def assets(self) -> list[StoredAsset]:
        """The assets known, oldest first.

        Example:
            >>> UploadStore().assets
            []
        """
        with self._lock:
            return list(self._assets.values())

    def clear(self) -> None:
        """Forget every asset, delete the stored files and restore the default settings.

        Example:
            >>> store = UploadStore()
            >>> _ = store.create("clip.mp4")
            >>> store.fail_uploads = True
            >>> store.clear()
            >>> store.assets, store.fail_uploads
            ([], False)
        """
        with self._lock:
            self._assets.clear()
            folder, self._dir = self._dir, None
        self.processing_polls, self.fail_uploads, self.keep_content = 0, False, True
        if folder is not None:
            folder.cleanup()

    def create(self, original_filename: str) -> StoredAsset:
        """A new ``WAITING`` asset."""
        with self._lock:
            asset = StoredAsset(f"re_{next(self._ids)}", original_filename)
            self._assets[asset.asset_id] = asset
            return asset

    def get(self, asset_id: str) -> StoredAsset:
        """The asset, or a 404 refusal."""
        with self._lock:
            asset = self._assets.get(asset_id) if is_asset_id(asset_id) else None
        if asset is None:
            raise ApiError(404, f"asset {asset_id} not found")
        return asset

    def signature(self, asset_id: str) -> str:
        """The signature a signed URL carries for ``asset_id``."""
        return hmac.new(self._secret, asset_id.encode(), hashlib.sha256).hexdigest()

    def _file_for(self, asset_id: str) -> Path:
        with self._lock:
            if self._dir is None:
                self._dir = tempfile.TemporaryDirectory(prefix="memories-emulator-uploads-")
            return Path(self._dir.name) / asset_id

    async def receive(self, asset: StoredAsset, request: Request) -> None:
        """Take the file of a multipart upload into ``asset``."""
        path = self._file_for(asset.asset_id) if self.keep_content else None
        asset.status = "UPLOADING"
        try:
            if path is None:
                size, digest, ctype, _ = await _receive_file(request, None)
            else:
                with path.open("wb") as sink:
                    size, digest, ctype, _ = await _receive_file(request, sink)
        except _MultipartError as exc:
            asset.status = "WAITING"
            raise bad(str(exc)) from None
        asset.size, asset.sha256, asset.content_type, asset.path = size, digest, ctype, path
        asset.polls_left = self.processing_polls
        asset.failing = self.fail_uploads

    def status(self, asset: StoredAsset) -> str:
        """The status a metadata poll reports now (counting down ``processing_polls``)."""
        if not asset.sha256:  # the file has not (fully) arrived
            return asset.status
        if asset.status == "UPLOADING":
            if asset.polls_left > 0:
                asset.polls_left -= 1
                return "UPLOADING"
            asset.status = "FAILED" if asset.failing else "SUCCESS"
        return asset.status

    # -- routes ----------------------------------------------------------------------------

    def routes(self, state: EmulatorState, prefixes: tuple[str, ...]) -> list[Route]:
        """The upload routes under each API prefix, and the storage route the URLs point at."""

        def guarded(handler: Any, *, api: bool) -> Any:
            async def endpoint(request: Request) -> Response:
                header = request.headers.get("x-emulator-fault", "").strip()
                try:
                    if header:
                        try:
                            spec = parse_fault(header)
                        except FaultSpecError as exc:
                            raise bad(f"invalid X-Emulator-Fault header: {exc}") from None
                        body = (
                            b""
                            if request.method != "POST"
                            or "multipart" in (request.headers.get("content-type", ""))
                            else await request.body()
                        )
                        if spec.kind == "status" and state.faults.fires(
                            spec, request.url.path, body
                        ):
                            status = int(spec.status or 500)
                            extra = {}
                            if spec.retry_after is not None:
                                extra["Retry-After"] = str(spec.retry_after)
                            return envelope(status, status_message(status), extra)
                    if api:
                        authenticate(request, state.api_key)
                    result: Response = await handler(request)
                    return result
                except ApiError as exc:
                    return envelope(exc.status, exc.message)

            return endpoint

        async def signed_url(request: Request) -> Response:
            try:
                data = await request.json()
            except ValueError:
                data = None
            name = data.get("original_filename") if isinstance(data, dict) else None
            if not isinstance(name, str) or not name.strip():
                raise bad("original_filename is required (e.g. 'video.mp4')")
            asset = self.create(name)
            base = str(request.base_url).rstrip("/")
            url = (
                f"{base}/_storage/{asset.asset_id}?X-Goog-Expires={SIGNED_URL_LIFETIME}"
                f"&X-Goog-Signature={self.signature(asset.asset_id)}"
            )
            return _ok(
                {"asset_id": asset.asset_id, "signed_url": url, "expires_in": SIGNED_URL_LIFETIME}
            )

        async def direct_upload(request: Request) -> Response:
            asset = self.create("upload")
            await self.receive(asset, request)
            return _ok({"asset_id": asset.asset_id})

        async def metadata(request: Request) -> Response:
            asset = self.get(request.path_params["asset_id"])
            status = self.status(asset)
            suffix = Path(asset.original_filename).suffix.lstrip(".")
            resource = {
                "extension": suffix,
                "asset_id": asset.asset_id,
                "original_filename": asset.original_filename,
                "file_size": str(asset.size),
                "upload_status": status,
                "create_time": str(int(time.time() * 1000)),
                "modify_time": str(int(time.time() * 1000)),
            }
            return _ok({"total": 1, "resource": [resource]})

        async def download(request: Request) -> Response:
            return self._file_response(self.get(request.path_params["asset_id"]))

        async def storage(request: Request) -> Response:
            asset_id = request.path_params["asset_id"]
            given = request.query_params.get("X-Goog-Signature", "")
            if not hmac.compare_digest(given, self.signature(asset_id)):
                raise ApiError(403, "SignatureDoesNotMatch: the signed URL is not valid")
            asset = self.get(asset_id)
            if request.method == "GET":
                return self._file_response(asset)
            if asset.sha256:
                raise ApiError(409, f"asset {asset_id} was already uploaded")
            await self.receive(asset, request)
            return Response(status_code=204)

        routes = [
            Route("/_storage/{asset_id}", guarded(storage, api=False), methods=["GET", "POST"])
        ]
        for prefix in prefixes:
            routes += [
                Route(
                    prefix + "/upload/signed-url", guarded(signed_url, api=True), methods=["POST"]
                ),
                Route(prefix + "/upload", guarded(direct_upload, api=True), methods=["POST"]),
                Route(
                    prefix + "/{asset_id:str}/metadata",
                    guarded(metadata, api=True),
                    methods=["GET"],
                ),
                Route(
                    prefix + "/{asset_id:str}/download",
                    guarded(download, api=True),
                    methods=["GET"],
                ),
            ]
        return routes

    def _file_response(self, asset: StoredAsset) -> Response:
        if asset.status not in ("SUCCESS", "UPLOADING") or not asset.sha256:
            raise ApiError(404, f"asset {asset.asset_id} has no content yet ({asset.status})")
        if asset.path is None:
            raise ApiError(410, f"asset {asset.asset_id} was kept without its content")
        return FileResponse(
            asset.path,
            media_type=asset.content_type,
            filename=asset.original_filename,
        )


def _ok(data: dict[str, Any]) -> Response:
    return JSONResponse(
        {"code": 200, "msg": "success", "data": data, "success": True, "failed": False}
    )


def is_asset_id(value: str) -> bool:
    """True for an id of the form the service uses (``re_`` and 18 digits).

    Example:
        >>> is_asset_id("re_660727003963174912"), is_asset_id("vu")
        (True, False)
    """
    return _ASSET_ID.fullmatch(value) is not None
