"""Draws the app icon: a 政务-red rounded square with a white “公” in the bundled font.

    .venv/bin/python packaging/make_icon.py

writes ``resources/icons/app.png`` (256 px) and ``resources/icons/app.ico``
(16–256 px, for the Windows executable, installer and file associations).
Run again only when the design changes; the results are kept in the repository.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
FONT = ROOT / "resources" / "fonts" / "wqy-microhei.ttc"
RED = (183, 40, 46, 255)  # style.ACCENT_COLOR (#b7282e)
WHITE = (255, 255, 255, 255)
ICO_SIZES = [(16, 16), (20, 20), (24, 24), (32, 32), (40, 40), (48, 48), (64, 64),
             (128, 128), (256, 256)]
SCALE = 4  # drawn large, then reduced: smooth edges without anti-aliasing support


def draw(size: int = 256) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    margin = big // 32
    pen.rounded_rectangle((margin, margin, big - margin, big - margin), radius=big // 5,
                          fill=RED)
    font = ImageFont.truetype(str(FONT), int(big * 0.66), index=0)
    left, top, right, bottom = pen.textbbox((0, 0), "公", font=font)
    x = (big - (right - left)) / 2 - left
    y = (big - (bottom - top)) / 2 - top
    pen.text((x, y), "公", font=font, fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    image = draw(256)
    image.save(ICONS / "app.png", optimize=True)
    image.save(ICONS / "app.ico", sizes=ICO_SIZES)
    print(f"written {ICONS / 'app.png'} and {ICONS / 'app.ico'}")


if __name__ == "__main__":
    main()
