"""GraphQL multipart requests (github.com/jaydenseric/graphql-multipart-request-spec) read as a stream: each
file part goes to a temporary file under DATA_DIR/uploads as it arrives, so a 100 MB video never sits in memory;
the other parts (`operations`, `map`) are small JSON. Every way the request can be malformed is a client error
(UploadRefused: a status, a code and a message), never an exception inside strawberry."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

CHUNK_BYTES = 256 * 1024  # written to disk this many bytes at a time
MAX_FILES = 10  # file parts per request: uploadVideo takes one
STALE_SECONDS = 3600.0  # a spooled file not written to for this long belongs to no request in progress


class UploadRefused(Exception):
    """A multipart request refused before execution: answered as JSON `{errors: [{message, extensions: {code}}]}`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def bad_request(message: str) -> UploadRefused:
    return UploadRefused(400, "BAD_REQUEST", message)


@dataclass
class UploadedFile:
    """What an `Upload` argument resolves to: a file already on disk. The use case that keeps it takes it
    (moves it away); the spool removes any file nobody took once the request is done."""

    path: Path
    filename: str
    content_type: str
    size: int
    taken: bool = False

    def take(self) -> Path | None:
        """The file's path, once: a file mapped to two arguments is stored by the first alone."""
        if self.taken:
            return None
        self.taken = True
        return self.path


@dataclass
class UploadSpool:
    """One request's temporary files and its byte budgets: files at most `max_file_bytes` together, the other
    parts at most `max_field_bytes`; files only from a caller who sent a token (checked before the body is read)."""

    root: Path
    max_file_bytes: int
    max_field_bytes: int
    signed_in: bool
    files: list[Path] = field(default_factory=list)
    _file_bytes: int = 0
    _field_bytes: int = 0

    async def close(self) -> None:
        """Remove every file of this request that no use case took."""
        paths, self.files = self.files, []
        await asyncio.to_thread(_remove, paths)

    async def read_field(self, part: BodyPartReader) -> str:
        data = bytearray()
        while chunk := await part.read_chunk(CHUNK_BYTES):
            self._field_bytes += len(chunk)
            if self._field_bytes > self.max_field_bytes:
                raise UploadRefused(
                    413, "PAYLOAD_TOO_LARGE", f"A multipart request's parts other than files are at most "
                    f"{self.max_field_bytes} bytes",
                )  # fmt: skip
            data.extend(chunk)
        try:
            return data.decode()
        except UnicodeDecodeError:
            raise bad_request(f"Part {part.name!r} is not UTF-8 text") from None

    async def read_file(self, part: BodyPartReader) -> UploadedFile:
        if not self.signed_in:
            raise UploadRefused(401, "UNAUTHENTICATED", "Sign in before uploading a file")
        if len(self.files) >= MAX_FILES:
            raise bad_request(f"A request carries at most {MAX_FILES} files")
        path, out = await asyncio.to_thread(self._create)
        size = 0
        try:
            buffer = bytearray()
            while chunk := await part.read_chunk(CHUNK_BYTES):
                size += len(chunk)
                self._file_bytes += len(chunk)
                if self._file_bytes > self.max_file_bytes:
                    mb = self.max_file_bytes // (1024 * 1024)
                    raise UploadRefused(413, "PAYLOAD_TOO_LARGE", f"Uploaded files are at most {mb} MB together")
                buffer.extend(chunk)
                if len(buffer) >= CHUNK_BYTES:
                    await asyncio.to_thread(out.write, bytes(buffer))
                    buffer.clear()
            await asyncio.to_thread(out.write, bytes(buffer))
        finally:
            await asyncio.to_thread(out.close)
        return UploadedFile(path, part.filename or "", part.headers.get("Content-Type", ""), size)

    def _create(self) -> tuple[Path, IO[bytes]]:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.root, suffix=".part")
        self.files.append(Path(name))  # before anything can fail: close() removes it whatever happens next
        return Path(name), os.fdopen(fd, "wb")


def remove_stale(root: Path) -> None:
    """At start: the spooled files a crash left behind (files other processes are writing now are recent)."""
    cutoff = time.time() - STALE_SECONDS
    for path in root.glob("*.part") if root.is_dir() else []:
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


async def read_multipart(request: web.Request, spool: UploadSpool) -> Any:
    """The request's `operations` with each file of its `map` in place of its null: what strawberry executes."""
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or not part.name:
                raise bad_request("Every part of a multipart request is a named form field")
            if part.filename is not None:
                files[part.name] = await spool.read_file(part)
            else:
                fields[part.name] = await spool.read_field(part)
    except (ValueError, RuntimeError, HttpProcessingError) as exc:  # aiohttp's words for a malformed body
        raise bad_request(f"Unable to parse the multipart body: {exc}") from None
    operations = _json(fields, "operations")
    if not isinstance(operations, dict) and not (
        isinstance(operations, list) and operations and all(isinstance(o, dict) for o in operations)
    ):
        raise bad_request("`operations` is a JSON object (or a list of them for a batch)")
    files_map = _json(fields, "map") if "map" in fields else {}
    if not isinstance(files_map, dict) or not all(
        isinstance(paths, list) and all(isinstance(p, str) for p in paths) for paths in files_map.values()
    ):
        raise bad_request('`map` is a JSON object of file part names to lists of paths, e.g. {"0": ["variables.file"]}')
    for name, paths in files_map.items():
        if name not in files:
            raise bad_request(f"`map` names the file part {name!r}, which the request does not carry")
        for path in paths:
            _place(operations, path, files[name])
    return operations


def _json(fields: dict[str, str], name: str) -> Any:
    if name not in fields:
        raise bad_request(f"A multipart request needs an `{name}` part")
    try:
        return orjson.loads(fields[name])
    except orjson.JSONDecodeError:
        raise bad_request(f"`{name}` is not valid JSON") from None


def _place(operations: Any, path: str, file: UploadedFile) -> None:
    """Put `file` where `path` (e.g. "variables.file", "0.variables.files.1") names a null in `operations`."""
    *parents, last = path.split(".")
    target = operations
    for key in [*parents, last]:
        container = target
        if isinstance(container, dict) and key in container:
            target = container[key]
        elif isinstance(container, list) and key.isdigit() and int(key) < len(container):
            target = container[int(key)]
        else:
            raise bad_request(f"`map` path {path!r} names nothing in `operations`")
    if target is not None:
        raise bad_request(f"`map` path {path!r} names a value, not a null where a file goes")
    if isinstance(container, list):
        container[int(last)] = file
    else:
        container[last] = file


SPOOL = web.RequestKey("upload_spool", UploadSpool)  # set by app.upload_limit on multipart requests to /graphql
