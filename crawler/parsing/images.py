"""Which of the pictures a page names are the article's: absolute URLs, each picture
once (with the first caption found for it), no icons, logos or tracking pixels.
Parsers gather the candidates (JSON-LD, og:image, the body's <img>); this keeps the
photos among them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from crawler.parsing.blocks import clean_value

# Icons, logos, app badges, placeholders and tracking pixels are not article images.
_NOT_A_PHOTO = re.compile(
    r"^data:|\.svg(\?|$)|\.gif(\?|$)|logo|icon|sprite|qr-|default_\d+\.png|nopreview|placeholder",
    re.I,
)


def _image_key(url: str) -> str:
    # CDNs serve one picture under resized paths (thumb/1200x900/...); the
    # file name is what identifies it.
    return urlsplit(url).path.rsplit("/", 1)[-1] or url


def distinct_photos(candidates: Iterable[dict[str, str]], url: str) -> list[dict[str, str]]:
    """The photos among ``candidates`` ({"url", "caption"}, URLs relative to the page's
    ``url``), in order, each once, captions cleaned."""
    images: dict[str, dict[str, str]] = {}
    for image in candidates:
        absolute = urljoin(url, image["url"].strip())
        if _NOT_A_PHOTO.search(absolute):
            continue
        key = _image_key(absolute)
        caption = clean_value(image["caption"])
        if key not in images:
            images[key] = {"url": absolute, "caption": caption}
        elif not images[key]["caption"]:
            images[key]["caption"] = caption
    return list(images.values())
