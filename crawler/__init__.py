"""Hindi news pipeline: Scrapy spiders, item pipelines and MongoDB storage.

``PACKAGE_DATA`` and ``MODELS_DIR`` ship inside the package (word lists,
gazetteers, the topic corpus, the trained model), so they are found the same
way in a checkout, an installed package and a Scrapyd egg. An egg is imported
as a zip file, whose members no loader can open by path: its ``data/`` and
``models/`` are then extracted once into the user's cache (``_unzipped``), so
they are real directories everywhere.
"""

import hashlib
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The checkout this package runs from, if any (tests, fixtures and .venv live there).
PROJECT_ROOT = PACKAGE_DIR.parent
_SHIPPED = ("data", "models")


def _zip_archive(path: Path) -> Path | None:
    """The zip file ``path`` lies inside (Scrapyd puts the egg itself on sys.path)."""
    for parent in path.parents:
        if parent.is_file():
            return parent if zipfile.is_zipfile(parent) else None
    return None


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hindi-news"


def _unzipped(package_dir: Path) -> Path:
    """``package_dir`` when it is a directory; for a zipped package, a directory
    holding its ``data/`` and ``models/``, extracted into the cache on first use.

    The directory is named by the members' names, CRCs and sizes, so a new egg with
    other data gets its own and an unchanged one reuses it. It is written under a
    temporary name and renamed into place: Scrapyd starts several jobs at once, and
    none may read a half-extracted model."""
    if package_dir.is_dir():
        return package_dir
    archive = _zip_archive(package_dir)
    if archive is None:
        return package_dir
    inner = package_dir.relative_to(archive).as_posix()
    prefixes = tuple(f"{inner}/{name}/" for name in _SHIPPED)
    with zipfile.ZipFile(archive) as egg:
        members = [m for m in egg.infolist() if m.filename.startswith(prefixes) and not m.is_dir()]
        digest = hashlib.sha256()
        for member in members:
            digest.update(f"{member.filename}\0{member.CRC}\0{member.file_size}\n".encode())
        target = _cache_home() / f"package-{digest.hexdigest()[:16]}"
        if target.is_dir():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".extracting-", dir=target.parent))
        try:
            for member in members:
                egg.extract(member, staging)
            (staging / inner).mkdir(parents=True, exist_ok=True)
            try:
                (staging / inner).rename(target)
            except OSError:
                if not target.is_dir():  # not another job having extracted it first
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


_shipped_root = _unzipped(PACKAGE_DIR)
PACKAGE_DATA = _shipped_root / "data"
MODELS_DIR = _shipped_root / "models"


def default_data_dir() -> Path:
    """Where the embedded database, the journal, run logs and the run lock live:
    HINDI_NEWS_DATA_DIR, else ``.data`` in a checkout (beside scrapy.cfg), else
    ``$XDG_DATA_HOME/hindi-news`` (``~/.local/share/hindi-news``) when installed."""
    configured = os.environ.get("HINDI_NEWS_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    if (PROJECT_ROOT / "scrapy.cfg").is_file():
        return PROJECT_ROOT / ".data"
    xdg = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(xdg) / "hindi-news"
