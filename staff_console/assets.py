"""The console's build (Vite's dist/): its manifest, and WhiteNoise serving its hashed files.

Vite writes hashed names only (``assets/main-<hash>.js``), so every file under ``/staff/assets/``
is cached for a year; the shell page itself is never cached (it carries a per-request nonce).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware

ENTRY = "src/main.jsx"
ASSETS_PREFIX = "/staff/assets/"


def dist_dir() -> Path:
    return Path(settings.STAFF_CONSOLE_DIST)


@dataclass(frozen=True)
class ConsoleAssets:
    script: str
    preloads: tuple[str, ...]
    styles: tuple[str, ...]


_cache: dict[str, tuple[float, ConsoleAssets]] = {}


def console_assets() -> ConsoleAssets | None:
    """The entry's script, the chunks it imports and the CSS files; None when not built."""
    manifest_path = dist_dir() / ".vite" / "manifest.json"
    try:
        mtime = manifest_path.stat().st_mtime
    except OSError:
        return None
    cached = _cache.get(str(manifest_path))
    if cached and cached[0] == mtime:
        return cached[1]
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    entry = manifest.get(ENTRY)
    if entry is None:
        return None
    preloads, styles, seen = [], list(entry.get("css", [])), set()
    pending = list(entry.get("imports", []))
    while pending:  # static imports of static imports: all needed before the first render
        key = pending.pop(0)
        if key in seen or key not in manifest:
            continue
        seen.add(key)
        chunk = manifest[key]
        preloads.append(chunk["file"])
        styles.extend(chunk.get("css", []))
        pending.extend(chunk.get("imports", []))
    assets = ConsoleAssets(
        script=entry["file"], preloads=tuple(preloads), styles=tuple(dict.fromkeys(styles))
    )
    _cache[str(manifest_path)] = (mtime, assets)
    return assets


class ConsoleWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise for the static files, plus the console's build under /staff/assets/."""

    def __init__(self, get_response=None, settings=settings):
        super().__init__(get_response, settings=settings)
        assets = dist_dir() / "assets"
        if self.autorefresh or assets.is_dir():  # a build made later is found when autorefreshing
            self.add_files(str(assets), prefix=ASSETS_PREFIX)

    def immutable_file_test(self, path, url):
        if url.startswith(ASSETS_PREFIX):
            return True
        return super().immutable_file_test(path, url)
