"""Issue 14, media: video uploads streamed to disk under their own size limit, videos probed as MP4/MOV only
(never a playlist that names other files), client errors for broken multipart requests, and /media/ serving
nothing but the files the server made, with `nosniff`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from integrations.media import cover_frame
from tests.api.conftest import Api, make_settings

UPLOAD = """mutation($f: Upload!) { uploadVideo(file: $f) {
  videoId video { url coverUrl durationSeconds } errors { code field message } } }"""
MiB = 1024 * 1024


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-y", "-nostdin", "-loglevel", "error", *args], check=True)


def pattern(seconds: float, size: str = "160x120") -> list[str]:
    return ["-f", "lavfi", "-i", f"testsrc=size={size}:rate=25:duration={seconds}"]


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("trust_media")


@pytest.fixture(scope="module")
def real_mp4(media_dir: Path) -> bytes:
    """A 20 s H.264 MP4 of about 1.5 MB: the size of a phone's short clip, beyond the 1 MiB request limit."""
    path = media_dir / "real.mp4"
    h264 = ["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "600k", "-pix_fmt", "yuv420p"]
    ffmpeg(*pattern(20, "640x360"), *h264, str(path))
    data = path.read_bytes()
    assert 1.2 * MiB < len(data) < 2 * MiB
    return data


@pytest.fixture(scope="module")
def segment(media_dir: Path) -> bytes:
    """A real 16 s MPEG-TS segment: what a hostile playlist would name on the server's disk."""
    path = media_dir / "segment.ts"
    ffmpeg(*pattern(16), "-pix_fmt", "yuv420p", str(path))
    return path.read_bytes()


def playlist(target: str, claimed_seconds: float = 30.0) -> bytes:
    return (
        f"#EXTM3U\n#EXT-X-TARGETDURATION:{claimed_seconds:.0f}\n#EXTINF:{claimed_seconds:.1f},\n{target}\n"
        "#EXT-X-ENDLIST\n"
    ).encode()


def multipart(fields: list[tuple[str, str | bytes, str | None]]) -> aiohttp.FormData:
    form = aiohttp.FormData(default_to_multipart=True)
    for name, value, filename in fields:
        if filename is None:
            form.add_field(name, value)
        else:
            form.add_field(name, value, filename=filename, content_type="video/mp4")
    return form


def upload_form(data: bytes, name: str = "v.mp4") -> aiohttp.FormData:
    return multipart(
        [
            ("operations", orjson.dumps({"query": UPLOAD, "variables": {"f": None}}).decode(), None),
            ("map", orjson.dumps({"0": ["variables.f"]}).decode(), None),
            ("0", data, name),
        ]
    )


async def post_form(api: Api, form: aiohttp.FormData, token: str | None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    resp = await api.client.post("/graphql", data=form, headers=headers)
    return resp.status, await resp.json(content_type=None)


async def upload(api: Api, token: str, data: bytes, name: str = "v.mp4") -> Any:
    status, body = await post_form(api, upload_form(data, name), token)
    assert status == 200 and "errors" not in body, body
    return body["data"]["uploadVideo"]


def spooled(api: Api) -> list[Path]:
    """Files left in the upload spool and under media/ (videos and covers)."""
    data_dir = api.services.settings.DATA_DIR
    return [p for d in ("uploads", "media") for p in (data_dir / d).rglob("*") if p.is_file()]


class Fifo:
    """A named pipe whose writer records whether anything ever opened it for reading, then feeds it `data`."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path, self.data = path, data
        os.mkfifo(path)
        self.opened = threading.Event()
        self.thread = threading.Thread(target=self._feed, daemon=True)
        self.thread.start()

    def _feed(self) -> None:
        try:
            with self.path.open("wb") as pipe:  # blocks until a reader opens the pipe
                self.opened.set()
                pipe.write(self.data)
        except BrokenPipeError:
            pass

    def release(self) -> bool:
        """Whether a reader had opened the pipe; lets the writer go either way."""
        was_opened = self.opened.is_set()
        fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            self.thread.join(timeout=2)  # the writer's open returns now that a reader exists
            os.set_blocking(fd, True)
            while os.read(fd, 65536):
                pass
        finally:
            os.close(fd)
        self.thread.join(timeout=5)
        return was_opened


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRss:
    """How far the process's resident memory rose above where it stood on entry (sampled every 2 ms)."""

    def __enter__(self) -> PeakRss:
        self.baseline = self.peak = rss()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while not self.done.wait(0.002):
            self.peak = max(self.peak, rss())

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self.thread.join()

    @property
    def growth(self) -> int:
        return self.peak - self.baseline


# -- 12: uploads up to 100 MB, streamed to disk; 1 MiB elsewhere ---------------------------------------------
async def test_a_real_20_second_mp4_of_1_5_mb_uploads(api: Api, real_mp4: bytes) -> None:
    # given a signed-in author and a 1.5 MB phone-sized video
    author, _ = await api.login("上传者")
    # when they upload it
    made = await upload(api, author, real_mp4)
    # then it is stored whole and measured by ffprobe
    assert made["errors"] == [] and 19.5 <= made["video"]["durationSeconds"] <= 20.5
    served = await api.client.get(made["video"]["url"])
    assert served.status == 200 and await served.read() == real_mp4


async def chunked_multipart(total: int, boundary: str) -> AsyncIterator[bytes]:
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
        + orjson.dumps({"query": UPLOAD, "variables": {"f": None}}).decode()
        + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{{"0": ["variables.f"]}}'
        + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="0"; filename="big.mp4"\r\n'
        + "Content-Type: video/mp4\r\n\r\n"
    )
    yield head.encode()
    chunk = b"\0" * MiB  # one buffer sent again and again: the client holds 1 MiB, whatever the total
    for _ in range(total // MiB):
        yield chunk
    yield f"\r\n--{boundary}--\r\n".encode()


async def test_an_upload_is_streamed_to_disk_not_held_in_memory(api: Api) -> None:
    # given a signed-in author sending a 40 MB file as it is produced (chunked, 1 MiB at a time)
    author, _ = await api.login("流式上传")
    boundary = "trustmediaboundary"
    headers = {"Authorization": f"Bearer {author}", "Content-Type": f"multipart/form-data; boundary={boundary}"}
    # when it is uploaded while the process's memory is watched (client and server share the process)
    with PeakRss() as memory:
        resp = await api.client.post("/graphql", data=chunked_multipart(40 * MiB, boundary), headers=headers)
        body = await resp.json()
    # then all of it arrived (it is no video, so it is refused as one), and memory never grew by its size
    assert resp.status == 200 and body["data"]["uploadVideo"]["errors"][0]["field"] == ["file"], body
    assert memory.growth < 15 * MiB, f"grew {memory.growth} bytes for a 40 MB upload"


async def test_an_upload_over_100_mb_is_refused_with_json_413_without_being_held(api: Api) -> None:
    # given a signed-in author streaming a 110 MB file without announcing its length (chunked)
    author, _ = await api.login("大文件")
    boundary = "trustmediaboundary"
    headers = {"Authorization": f"Bearer {author}", "Content-Type": f"multipart/form-data; boundary={boundary}"}
    # when it is sent while the process's memory is watched
    with PeakRss() as memory:
        resp = await api.client.post("/graphql", data=chunked_multipart(110 * MiB, boundary), headers=headers)
        body = await resp.json(content_type=None)
    # then it is refused with a JSON 413 and a code, memory never grew by the body's size, and nothing is kept
    assert resp.status == 413 and body["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE", body
    assert memory.growth < 15 * MiB, f"grew {memory.growth} bytes"
    assert spooled(api) == []


async def test_an_upload_announced_over_the_limit_is_refused_before_its_body_is_sent(api: Api) -> None:
    # given a request that announces 200 MB and sends none of it
    author, _ = await api.login("声明过大")
    url = api.client.make_url("/graphql")
    reader, writer = await asyncio.open_connection(url.host, url.port)
    writer.write(
        (
            "POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: multipart/form-data; boundary=x\r\n"
            f"Authorization: Bearer {author}\r\nContent-Length: {200 * 1000 * 1000}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    # when the server answers
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    length = int(next(h for h in head.decode().split("\r\n") if h.lower().startswith("content-length")).split(":")[1])
    body = orjson.loads(await asyncio.wait_for(reader.readexactly(length), 5))
    writer.close()
    # then it is a JSON 413 with a code, without waiting for the body
    assert head.startswith(b"HTTP/1.1 413") and body["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_a_json_body_over_1_mib_is_still_refused(api: Api) -> None:
    # given a plain GraphQL request of 2 MiB
    query = "{ __typename }" + " " * (2 * MiB)
    # when it is posted
    resp = await api.client.post("/graphql", json={"query": query})
    # then the small limit holds for everything but uploads
    assert resp.status == 413


async def test_an_anonymous_upload_is_refused_before_it_is_stored(api: Api, real_mp4: bytes) -> None:
    # given no token
    # when a video is uploaded
    status, body = await post_form(api, upload_form(real_mp4), None)
    # then it is refused as unauthenticated, and nothing was written to disk
    assert status == 401 and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", body
    assert spooled(api) == []


async def test_a_refused_upload_leaves_no_file_behind(api: Api) -> None:
    # given a signed-in author
    author, _ = await api.login("不留痕")
    # when they upload something that is not a video
    made = await upload(api, author, b"not a video" * 1000)
    # then it is refused, and neither the spool nor media/ keeps it
    assert made["errors"][0]["code"] == "INVALID_INPUT" and made["errors"][0]["field"] == ["file"]
    assert spooled(api) == []


async def test_one_file_given_to_two_uploads_is_stored_once(api: Api, real_mp4: bytes) -> None:
    # given one file part mapped to two uploadVideo calls of one request
    author, _ = await api.login("一文两用")
    query = "mutation($a: Upload!, $b: Upload!) { a: uploadVideo(file: $a) { videoId errors { code field } } "
    query += "b: uploadVideo(file: $b) { videoId errors { code field } } }"
    form = multipart(
        [
            ("operations", orjson.dumps({"query": query, "variables": {"a": None, "b": None}}).decode(), None),
            ("map", orjson.dumps({"0": ["variables.a", "variables.b"]}).decode(), None),
            ("0", real_mp4, "v.mp4"),
        ]
    )
    # when it is sent
    status, body = await post_form(api, form, author)
    # then the first keeps it and the second is told so, not an internal error
    assert status == 200 and body["data"]["a"]["errors"] == [] and body["data"]["a"]["videoId"], body
    assert body["data"]["b"] == {"videoId": None, "errors": [{"code": "INVALID_INPUT", "field": ["file"]}]}


async def test_spooled_files_a_crash_left_behind_are_removed_at_start(tmp_path: Path) -> None:
    # given an upload spool with a file a crash left an hour ago and one another process is writing now
    settings = make_settings(tmp_path)
    spool = settings.DATA_DIR / "uploads"
    spool.mkdir(parents=True)
    (spool / "old.part").write_bytes(b"x")
    os.utime(spool / "old.part", (time.time() - 7200, time.time() - 7200))
    (spool / "new.part").write_bytes(b"x")
    # when the app starts
    async with TestClient(TestServer(create_app(settings))):
        # then the old one is gone and the one in progress kept
        assert sorted(p.name for p in spool.iterdir()) == ["new.part"]


# -- 13: MP4/MOV only, probed without following what a file names ------------------------------------------
async def test_an_hls_playlist_naming_a_local_video_is_refused_and_the_video_never_opened(
    api: Api, segment: bytes, tmp_path: Path
) -> None:
    # given a real 16 s segment behind a named pipe that records being opened, and a playlist naming it as 30 s
    fifo = Fifo(tmp_path / "named.ts", segment)
    author, _ = await api.login("播放列表")
    # when the playlist is uploaded as a video
    made = await upload(api, author, playlist(str(fifo.path)))
    # then it is refused, its claimed duration not believed, and the named file was never opened
    opened = fifo.release()
    assert made["videoId"] is None and made["errors"][0]["code"] == "INVALID_INPUT", made
    assert made["errors"][0]["field"] == ["file"]
    assert not opened


async def test_an_hls_playlist_naming_a_real_mp4_is_refused(api: Api, real_mp4: bytes, tmp_path: Path) -> None:
    # given a real 20 s MP4 on the server's disk and a playlist that names it
    target = tmp_path / "local.mp4"
    target.write_bytes(real_mp4)
    author, _ = await api.login("列表二")
    # when the playlist is uploaded
    made = await upload(api, author, playlist(str(target), 30.0))
    # then it is refused
    assert made["videoId"] is None and made["errors"][0]["code"] == "INVALID_INPUT", made


async def test_a_playlist_tells_nothing_about_which_server_files_exist(api: Api) -> None:
    # given playlists naming a file that exists and one that does not
    author, _ = await api.login("探测者")
    # when both are uploaded
    present = await upload(api, author, playlist("/etc/passwd"))
    absent = await upload(api, author, playlist("/etc/no-such-file-here"))
    # then both get the same refusal
    assert present["errors"] == absent["errors"] and present["errors"][0]["code"] == "INVALID_INPUT"


@pytest.mark.parametrize("container", ["mkv", "avi", "ts"])
async def test_a_video_in_another_container_is_refused_even_named_mp4(
    api: Api, container: str, media_dir: Path
) -> None:
    # given a real 16 s video in another container, renamed .mp4
    path = media_dir / f"other.{container}"
    ffmpeg(*pattern(16), "-pix_fmt", "yuv420p", str(path))
    author, _ = await api.login(f"容器{container}")
    # when it is uploaded
    made = await upload(api, author, path.read_bytes(), "renamed.mp4")
    # then it is refused: a video is MP4 or MOV
    assert made["videoId"] is None and made["errors"][0]["code"] == "INVALID_INPUT", made
    assert "MP4" in made["errors"][0]["message"]


async def test_a_quicktime_mov_is_accepted(api: Api, media_dir: Path) -> None:
    # given a real 16 s QuickTime file (the same ISO base media family as MP4)
    path = media_dir / "clip.mov"
    ffmpeg(*pattern(16), "-pix_fmt", "yuv420p", str(path))
    author, _ = await api.login("苹果用户")
    # when it is uploaded
    made = await upload(api, author, path.read_bytes(), "clip.mov")
    # then it is accepted and measured
    assert made["errors"] == [] and 15.5 <= made["video"]["durationSeconds"] <= 16.5


async def test_the_cover_frame_is_never_cut_from_a_playlist(segment: bytes, tmp_path: Path) -> None:
    # given a playlist naming a real segment behind a named pipe
    fifo = Fifo(tmp_path / "cover.ts", segment)
    source = tmp_path / "playlist.mp4"
    source.write_bytes(playlist(str(fifo.path), 16.0))
    # when a cover is cut from it
    made = await cover_frame(source, tmp_path / "cover.jpg")
    # then there is none, and the named file was never opened
    assert not fifo.release()
    assert made is False and not (tmp_path / "cover.jpg").exists()


# -- 18: a non-file uploadVideo argument is a client error --------------------------------------------------
@pytest.mark.parametrize("value", ["not a file", {"path": "/etc/passwd"}, 42, [1, 2]], ids=str)
async def test_a_value_that_is_not_a_file_is_invalid_input(api: Api, value: object) -> None:
    # given a plain JSON request with a string (or an object, a number, a list) where the file goes
    author, _ = await api.login("字符串")
    # when it is sent
    body = await api.gql(UPLOAD, {"f": value}, token=author)
    # then it is a typed error on `file`
    [error] = body["data"]["uploadVideo"]["errors"]
    assert error == {"code": "INVALID_INPUT", "field": ["file"], "message": error["message"]}
    assert "multipart" in error["message"]


OPERATIONS = orjson.dumps({"query": UPLOAD, "variables": {"f": None}}).decode()
Fields = list[tuple[str, str | bytes, str | None]]


def broken(operations: str | None = OPERATIONS, files_map: str = '{"0": ["variables.f"]}', file: bool = True) -> Fields:
    fields: Fields = [] if operations is None else [("operations", operations, None)]
    return [*fields, ("map", files_map, None), *([("0", b"x", "v.mp4")] if file else [])]


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        pytest.param(broken("{not json"), "operations", id="operations-not-json"),
        pytest.param(broken("42"), "operations", id="operations-a-number"),
        pytest.param(broken(None), "operations", id="no-operations"),
        pytest.param(broken(files_map="[1"), "map", id="map-not-json"),
        pytest.param(broken(files_map='{"0": "variables.f"}'), "map", id="map-not-lists"),
        pytest.param(broken(file=False), "'0'", id="missing-file-part"),
        pytest.param(broken(files_map='{"0": ["variables.a.b"]}'), "variables.a.b", id="map-points-at-nothing"),
        pytest.param(broken(files_map='{"0": ["variables.f.0"]}'), "variables.f.0", id="map-points-into-null"),
        pytest.param(broken(files_map='{"0": ["query"]}'), "query", id="map-points-at-the-query"),
        pytest.param(broken(files_map='{"0": ["variables.f"], "1": ["x"]}'), "'1'", id="map-names-a-missing-part"),
    ],
)
async def test_a_broken_multipart_request_is_a_client_error(api: Api, fields: Fields, says: str) -> None:
    # given a signed-in author and a malformed GraphQL multipart request
    author, _ = await api.login("坏表单")
    # when it is sent
    status, body = await post_form(api, multipart(fields), author)
    # then it is a 400 with a code and a message that names what is wrong, and nothing is kept
    assert status == 400, body
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST" and says in error["message"], error
    assert spooled(api) == []


def raw_part(name: str | None, value: str) -> str:
    disposition = f'Content-Disposition: form-data; name="{name}"' if name else "Content-Type: text/plain"
    return f"--b\r\n{disposition}\r\n\r\n{value}\r\n"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("no boundary anywhere", id="no-boundary"),
        pytest.param("x" * (300 * 1024) + "\r\n--b--\r\n", id="a-huge-preamble-line"),
        pytest.param(raw_part("_charset_", "x" * 40) + "--b--\r\n", id="a-long-charset"),
        pytest.param(raw_part("_charset_", "nope") + raw_part("operations", "{}") + "--b--\r\n", id="bad-charset"),
        pytest.param(raw_part(None, "{}") + "--b--\r\n", id="a-part-without-a-name"),
        pytest.param(raw_part("operations", OPERATIONS)[:-2], id="cut-short"),
    ],
)  # fmt: skip
async def test_a_malformed_multipart_body_is_a_client_error(api: Api, body: str) -> None:
    # given a signed-in author and a body that is not well-formed multipart
    author, _ = await api.login("坏正文")
    headers = {"Authorization": f"Bearer {author}", "Content-Type": "multipart/form-data; boundary=b"}
    # when it is posted
    resp = await api.client.post("/graphql", data=body.encode(), headers=headers)
    # then it is a client error with a code
    answer = await resp.json()
    assert 400 <= resp.status < 500 and answer["errors"][0]["extensions"]["code"] == "BAD_REQUEST", answer


# -- 19: /media/ serves our files alone, with nosniff ------------------------------------------------------
async def test_media_is_served_with_nosniff_and_its_own_content_type(api: Api, real_mp4: bytes) -> None:
    # given an uploaded video and its cover
    author, _ = await api.login("媒体头")
    made = await upload(api, author, real_mp4)
    # when both are fetched
    video = await api.client.get(made["video"]["url"])
    cover = await api.client.get(made["video"]["coverUrl"])
    # then the browser is told not to sniff, and each has its fixed type
    assert video.headers["X-Content-Type-Options"] == "nosniff" and video.content_type == "video/mp4"
    assert cover.headers["X-Content-Type-Options"] == "nosniff" and cover.content_type == "image/jpeg"


async def test_a_video_can_be_fetched_by_range(api: Api, real_mp4: bytes) -> None:
    # given an uploaded video
    author, _ = await api.login("分段")
    made = await upload(api, author, real_mp4)
    # when a player asks for its first KiB
    part = await api.client.get(made["video"]["url"], headers={"Range": "bytes=0-1023"})
    # then it gets that part alone
    assert part.status == 206 and await part.read() == real_mp4[:1024]


@pytest.mark.parametrize("name", ["page.html", "videos/page.html", "videos/x.svg", "notes.txt"])
async def test_media_serves_nothing_the_server_did_not_make(api: Api, name: str) -> None:
    # given a file that found its way into the media directory some other way
    path = api.services.settings.DATA_DIR / "media" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("<script>alert(1)</script>")
    # when it is fetched
    resp = await api.client.get("/media/" + name)
    # then it is not found
    assert resp.status == 404


async def raw_get(api: Api, path: str) -> tuple[int, bytes]:
    """A GET sent as it is written: no client-side normalisation of `..` or escapes."""
    url = api.client.make_url("/")
    reader, writer = await asyncio.open_connection(url.host, url.port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.mark.parametrize(
    "path",
    [
        "/media/../dev-secret-key",
        "/media/%2e%2e/dev-secret-key",
        "/media/videos/..%2f..%2fdev-secret-key",
        "/media/videos/%2e%2e/%2e%2e/dev-secret-key",
        "/media/..%5cdev-secret-key",
    ],
)
async def test_media_paths_cannot_leave_the_media_directory(api: Api, path: str) -> None:
    # given the dev secret key in DATA_DIR, next to the media directory
    key = api.services.settings.secret_key().encode()
    # when a path tries to climb out of /media/
    status, body = await raw_get(api, path)
    # then nothing of it is served
    assert status in (400, 404) and key not in body


async def test_a_symlink_in_media_is_not_followed(api: Api) -> None:
    # given a symlink named like a video, pointing at a server file
    link = api.services.settings.DATA_DIR / "media" / "videos" / "0123456789abcdef012345.mp4"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to("/etc/passwd")
    # when it is fetched
    resp = await api.client.get("/media/videos/0123456789abcdef012345.mp4")
    # then it is not served
    assert resp.status == 404
