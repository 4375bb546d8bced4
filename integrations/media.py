"""Media: files in a directory under DATA_DIR, served at /media/; videos measured with ffprobe and given a cover
frame with ffmpeg (Debian's ffmpeg; `make install` / `make test` install it when missing). The client's claims
about a file are never trusted: the duration is what ffprobe reads, and ffprobe reads the file as MP4/MOV alone,
through the `file` protocol alone, so a playlist or a reference inside the file never opens another file."""

from __future__ import annotations

import asyncio
import json
import os
import re
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

MEDIA_PREFIX = "/media/"
# What /media/ serves: the files upload_video writes (ids are hex) and share posters (SHA-256 keys), each with a
# fixed type. Nothing else.
SERVED_NAME = re.compile(r"videos/[0-9a-f]{1,64}\.(mp4|jpg)|posters/[0-9a-f]{64}\.(png)")
SERVED_TYPES = {"mp4": "video/mp4", "jpg": "image/jpeg", "png": "image/png"}


class MediaStore:
    """A small storage interface: move a file in under a name, get the public URL back."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, name: str) -> Path:
        return self.root / name

    async def adopt(self, name: str, source: Path) -> str:
        """Move a file already on disk (an upload's spooled file, under DATA_DIR too) to `name`; its public URL."""
        path = self.path(name)
        await asyncio.to_thread(_move, source, path)
        return MEDIA_PREFIX + name

    async def write(self, name: str, data: bytes) -> str:
        """Store bytes under `name` (written aside, then moved in: a reader never sees half a file); its URL."""
        path = self.path(name)
        await asyncio.to_thread(_write, path, data)
        return MEDIA_PREFIX + name

    async def delete(self, name: str) -> None:
        await asyncio.to_thread(lambda: self.path(name).unlink(missing_ok=True))


def _move(source: Path, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    source.chmod(0o644)  # spooled files are created private (0600); a stored one is as public as its URL
    os.replace(source, path)


def media_handler(root: Path) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """GET /media/{name}: our own files only (no other name, no symlink), typed by us, never sniffed."""

    async def serve(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        match = SERVED_NAME.fullmatch(name)
        if match is None or not await asyncio.to_thread(_regular_file, root / name):
            raise web.HTTPNotFound()
        headers = {"Content-Type": SERVED_TYPES[match[1] or match[2]], "X-Content-Type-Options": "nosniff"}
        return web.FileResponse(root / name, headers=headers)

    return serve


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    spool = path.with_name(f".{path.name}.{os.getpid()}.{id(data)}")
    spool.write_bytes(data)
    spool.chmod(0o644)
    os.replace(spool, path)


def _regular_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)  # lstat: a symlink is not one of our files
    except OSError:
        return False


TOOL_SECONDS = 60.0


class MediaToolMissing(RuntimeError):
    """ffprobe or ffmpeg is not installed on this server."""


async def _run(*args: str) -> tuple[int, bytes]:
    try:
        proc = await asyncio.create_subprocess_exec(
            *args, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
        )
    except FileNotFoundError as exc:
        raise MediaToolMissing(f"{args[0]} is not installed") from exc
    try:
        async with asyncio.timeout(TOOL_SECONDS):
            out, _ = await proc.communicate()
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return -1, b""
    return proc.returncode or 0, out


# The ISO base media demuxer (MP4, MOV and kin), forced: no probing for HLS playlists, concat lists or image
# sequences that name other files; external data references (drefs) off; no protocol but `file`, given one path.
MP4_DEMUXER = "mov,mp4,m4a,3gp,3g2,mj2"


def _mp4_input(path: Path) -> list[str]:
    return ["-protocol_whitelist", "file", "-f", MP4_DEMUXER, "-enable_drefs", "0", "-i", f"file:{path}"]


async def video_duration(path: Path) -> float | None:
    """Seconds of the first video stream of an MP4/MOV file, or None when ffprobe finds no such video in it."""
    code, out = await _run(
        "ffprobe",
        "-v",
        "error",
        "-select_streams",
        "v:0",
        "-show_entries",
        "stream=codec_type,duration:format=format_name,duration",
        "-of",
        "json",
        *_mp4_input(path),
    )
    if code != 0:
        return None
    try:
        info = json.loads(out)
    except ValueError:
        return None
    if not isinstance(info, dict) or info.get("format", {}).get("format_name") != MP4_DEMUXER:
        return None
    streams = [s for s in info.get("streams", []) if s.get("codec_type") == "video"]
    if not streams:
        return None
    raw = streams[0].get("duration") or info.get("format", {}).get("duration")
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None


async def cover_frame(video: Path, cover: Path, at_seconds: float = 1.0) -> bool:
    """A JPEG of the frame at `at_seconds`; False when ffmpeg could not cut one."""
    await asyncio.to_thread(cover.parent.mkdir, parents=True, exist_ok=True)
    code, _ = await _run(
        "ffmpeg",
        "-nostdin",
        "-y",
        "-loglevel",
        "error",
        "-ss",
        f"{at_seconds:.2f}",
        *_mp4_input(video),
        "-frames:v",
        "1",
        "-q:v",
        "3",
        "-f",
        "image2",
        f"file:{cover}",
    )
    if code == 0 and await asyncio.to_thread(cover.exists):
        return True
    await asyncio.to_thread(cover.unlink, missing_ok=True)  # nothing half-written is ever served
    return False
