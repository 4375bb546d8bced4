"""Media: files in a directory under DATA_DIR, served at /media/; videos measured with ffprobe and given a cover
frame with ffmpeg (Debian's ffmpeg; `make install` / `make test` install it when missing). The client's claims
about a file are never trusted: the duration is what ffprobe reads."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

MEDIA_PREFIX = "/media/"


class MediaStore:
    """A small storage interface: put bytes under a name, get the public URL back."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, name: str) -> Path:
        return self.root / name

    async def put(self, name: str, data: bytes) -> str:
        path = self.path(name)
        await asyncio.to_thread(_write, path, data)
        return MEDIA_PREFIX + name

    async def delete(self, name: str) -> None:
        await asyncio.to_thread(lambda: self.path(name).unlink(missing_ok=True))


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


TOOL_SECONDS = 60.0


class MediaToolMissing(RuntimeError):
    """ffprobe or ffmpeg is not installed on this server."""


async def _run(*args: str) -> tuple[int, bytes]:
    try:
        proc = await asyncio.create_subprocess_exec(
            *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
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


async def video_duration(path: Path) -> float | None:
    """Seconds of the first video stream, or None when ffprobe finds no video in the file."""
    code, out = await _run(
        "ffprobe",
        "-v",
        "error",
        "-select_streams",
        "v:0",
        "-show_entries",
        "stream=codec_type,duration:format=duration",
        "-of",
        "json",
        str(path),
    )
    if code != 0:
        return None
    try:
        info = json.loads(out)
    except ValueError:
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
        "-y",
        "-loglevel",
        "error",
        "-ss",
        f"{at_seconds:.2f}",
        "-i",
        str(video),
        "-frames:v",
        "1",
        "-q:v",
        "3",
        str(cover),
    )
    return code == 0 and await asyncio.to_thread(cover.exists)
