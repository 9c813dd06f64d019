"""Video thumbnails end to end (issue 6): wagate makes the video message's
jpegThumbnail with ffmpeg when it has one, and sends without one when it has
not. Simulated phone B records the thumbnail it got
(GET /admin/accounts/:phone/received, `thumbnail`)."""
import base64
import os
import shutil
import struct
import subprocess

import pytest

from conftest import API_KEY
from http_client import request
from test_messaging import B, Files, Linked, wait_for

FFMPEG = shutil.which("ffmpeg")


def tiny_mp4(path):
    """A one-second 160x120 test pattern, made by ffmpeg itself."""
    subprocess.run([FFMPEG, "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=160x120:rate=5", "-t", "1", "-c:v", "mpeg4", "-f", "mp4",
                    str(path)], check=True, timeout=60)
    return path.read_bytes()


def jpeg_size(data):
    """(width, height) from a JPEG's SOF marker; fails on anything else."""
    assert data[:2] == b"\xff\xd8", data[:4]
    i = 2
    while i + 9 < len(data):
        assert data[i] == 0xFF, f"bad marker at {i}"
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + length
    raise AssertionError("no SOF marker")


def send_video(linked, url):
    r = linked.send_media_url(url)
    assert r.status == 201, r.body
    mid = r.json()["id"]
    return wait_for("B gets the video", lambda: [m for m in linked.phone_received(B)["messages"]
                                                 if m["id"] == mid])[0]


class VideoLinked(Linked):
    def send_media_url(self, url):
        return request(self.w.port, "POST", "/whatsapp/message/send/media",
                       {"x-api-key": API_KEY},
                       body={"to": B, "mediaUrl": url, "mediaType": "video", "caption": "clip"},
                       timeout=60)


@pytest.mark.skipif(FFMPEG is None, reason="no ffmpeg (scripts/deps.sh test installs it)")
def test_video_thumbnail_made_by_ffmpeg(tmp_path):
    video = tiny_mp4(tmp_path / "clip.mp4")
    files = Files({"/clip.mp4": video})
    linked = VideoLinked(tmp_path)
    try:
        got = send_video(linked, files.url("/clip.mp4"))
        assert got["type"] == "video" and got.get("caption") == "clip", got
        assert base64.b64decode(got["data"]) == video
        thumb = base64.b64decode(got["thumbnail"])
        assert jpeg_size(thumb) == (72, 54)
    finally:
        linked.close()
        files.close()


def test_missing_ffmpeg_sends_without_thumbnail(tmp_path):
    # Bytes that sniff as MP4; no ffmpeg looks at them.
    video = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + os.urandom(4000)
    files = Files({"/clip.mp4": video})
    linked = VideoLinked(tmp_path, {"WAGATE_FFMPEG": str(tmp_path / "no-such-ffmpeg")})
    try:
        for _ in range(2):
            got = send_video(linked, files.url("/clip.mp4"))
            assert base64.b64decode(got["data"]) == video
            assert "thumbnail" not in got, got
        log = linked.w.log()
        assert log.count("video sent without a thumbnail") == 1, log
        assert "no-such-ffmpeg is not an executable file" in log
    finally:
        linked.close()
        files.close()
