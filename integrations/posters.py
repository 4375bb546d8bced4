"""Share posters (分享海报), drawn with Pillow: the product picture, its title and price, who shares it, and the
mini-program code (WeChat's, or a QR code drawn here with segno when WeChat is not configured). Pure drawing: the
same inputs give the same PNG bytes, which is what lets posters be cached by their inputs."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont, ImageOps

WIDTH, HEIGHT = 600, 900
PICTURE = 600  # the product picture: a square at the top
CODE = 180
VERSION = 1  # part of every poster's cache key: bump it when the layout changes
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Poster:
    title: str
    price: int | None  # fen; None for a post without a product
    nickname: str
    picture: bytes | None  # the product (or post) image; a plain panel without one
    code: bytes | None  # WeChat's code image; None: a QR code of `link` is drawn here
    link: str


@lru_cache(maxsize=16)
def font(size: int, path: str = "") -> Font:
    """A CJK font (POSTER_FONT, else the first installed of FONT_CANDIDATES), Pillow's own without any."""
    for candidate in (path, *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


def local_code(link: str, size: int = CODE) -> Image.Image:
    """A QR code of `link`, `size` pixels square, quiet zone included."""
    qr = segno.make(link, error="m")
    rows = list(qr.matrix_iter(scale=1, border=2))
    image = Image.new("L", (len(rows), len(rows)), 255)
    image.putdata([0 if bit else 255 for row in rows for bit in row])
    return image.resize((size, size), Image.Resampling.NEAREST).convert("RGB")


def _picture(data: bytes | None) -> Image.Image:
    if data:
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.draft("RGB", (PICTURE, PICTURE))  # JPEG: decode at a reduced size, much faster
                return ImageOps.fit(image.convert("RGB"), (PICTURE, PICTURE), Image.Resampling.BILINEAR)
        except (OSError, ValueError, Image.DecompressionBombError):
            pass  # not an image we can read: the plain panel
    return Image.new("RGB", (PICTURE, PICTURE), (245, 240, 235))


def _fit(draw: ImageDraw.ImageDraw, text: str, face: Font, width: int) -> str:
    if draw.textlength(text, font=face) <= width:
        return text
    while text and draw.textlength(text + "…", font=face) > width:
        text = text[:-1]
    return text + "…"


def yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


def render(poster: Poster, font_path: str = "") -> bytes:
    canvas = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    canvas.paste(_picture(poster.picture), (0, 0))
    draw = ImageDraw.Draw(canvas)
    left, top, text_width = 28, PICTURE + 24, WIDTH - CODE - 3 * 28
    draw.text(
        (left, top),
        _fit(draw, poster.title, font(30, font_path), text_width),
        fill=(34, 34, 34),
        font=font(30, font_path),
    )
    if poster.price is not None:
        draw.text((left, top + 52), yuan(poster.price), fill=(230, 40, 40), font=font(44, font_path))
    sharer = _fit(draw, f"{poster.nickname} 分享给你", font(24, font_path), text_width)
    draw.text((left, HEIGHT - 70), sharer, fill=(120, 120, 120), font=font(24, font_path))
    draw.text((left, HEIGHT - 38), "长按识别小程序码", fill=(160, 160, 160), font=font(20, font_path))
    code = None
    if poster.code:
        try:
            with Image.open(io.BytesIO(poster.code)) as image:
                code = image.convert("RGB").resize((CODE, CODE), Image.Resampling.BILINEAR)
        except (OSError, ValueError):
            code = None
    canvas.paste(code or local_code(poster.link), (WIDTH - CODE - 28, HEIGHT - CODE - 24))
    out = io.BytesIO()
    canvas.save(out, "PNG", compress_level=1)  # zlib level 1: half the time of the default, ~10% larger
    return out.getvalue()
