"""The Content-Security-Policy every response carries; django-csp writes it into the header.

Scripts come only from the portal's own static files: no inline script and no eval, so that text
someone manages to slip into a page cannot run. Data for the scripts travels in `json_script`
blocks (type application/json, which the browser never runs) and in data attributes.

Read by the settings, so this module imports nothing of Django's that needs them.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONE, SELF

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# The error pages keep their styles inline, as they must show when static files are what failed.
ERROR_PAGE = TEMPLATES / "portal" / "error_page.html"


def inline_style_hashes(template: Path) -> list[str]:
    """The CSP source of each `<style>` element of `template`, by the hash of its text.

    The elements must hold plain CSS, no template tags: the hash is of the text as it is in the
    file, which is the text the browser gets.
    """
    hashes = []
    for css in re.findall(r"<style>(.*?)</style>", template.read_text(encoding="utf-8"), re.S):
        if "{{" in css or "{%" in css:
            raise ValueError(f"{template}: a <style> element with template tags has no fixed hash")
        digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
        hashes.append(f"'sha256-{digest}'")
    return hashes


def tile_source(map_tile_url: str) -> list[str]:
    """Where map tiles come from, as a CSP source: `https://{s}.tile.example` allows `*.`."""
    parts = urlsplit(map_tile_url)
    if not parts.scheme or not parts.netloc:
        return []  # Tiles served by the portal itself, which 'self' covers.
    return [f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"]


def content_security_policy(*, map_tile_url: str, report_uri: str = "") -> dict[str, object]:
    """The policy, as django-csp's CONTENT_SECURITY_POLICY setting."""
    directives: dict[str, list[str]] = {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, *inline_style_hashes(ERROR_PAGE)],
        "img-src": [SELF, "data:", *tile_source(map_tile_url)],
        "font-src": [SELF, "data:"],
        # 'self' covers the live feeds' ws:// and wss:// on the portal's own host.
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
    if report_uri:
        directives["report-uri"] = [report_uri]
    return {"DIRECTIVES": directives}
