"""exportMyData: a JSON archive of everything about the viewer (domain/personal_data.py says what), written page
by page to DATA_DIR/exports in the background and handed out through a signed, expiring link.

Asking while one is being prepared returns that one (domain/data_export.py's slot). The preparer holds a lease it
renews as it writes; should it die, the sweep takes the export over with a new attempt (its own file), and only
the attempt that still holds the export may make it READY. Past its link's life the sweep deletes the file.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson

from domain import data_export as rules
from domain.personal_data import exported, personal, sections
from domain.tokens import ExpiredToken, InvalidToken, issue_download_token, read_download_token
from resolvers.personal_data import pages
from resolvers.services import Services
from store.ids import new_id
from store.protocol import Doc, DuplicateKey

log = logging.getLogger(__name__)
COLLECTION = "data_exports"
DOWNLOAD_PREFIX = "/exports/"
SWEEP_BATCH = 20


def exports_dir(services: Services) -> Path:
    return services.settings.DATA_DIR / "exports"


# -- asking ----------------------------------------------------------------------------------------------------
async def request_export(services: Services, user_id: str) -> Doc:
    """The export being prepared for the user, or a new one (started in the background)."""
    store = services.store
    for _ in range(5):  # the open one may become READY between our insert and our read: then ours can go in
        current = await open_export(services, user_id)
        if current is not None:
            return current
        now = services.now()
        doc = {
            "_id": new_id(),
            "userId": user_id,
            "slot": rules.OPEN_SLOT,
            "status": rules.PREPARING,
            "requestedAt": now,
            "attempt": new_id(),
            "attempts": 1,
            "leaseUntil": now + rules.LEASE_MS,
        }
        try:
            await store.insert(COLLECTION, doc)
        except DuplicateKey:
            continue  # a concurrent ask won the slot: its export is the one
        services.spawn(prepare(services, doc), f"data-export-{doc['_id']}")
        return doc
    raise RuntimeError(f"no export could be found or made for user {user_id}")


async def open_export(services: Services, user_id: str) -> Doc | None:
    page = await services.store.find(COLLECTION, {"userId": user_id, "slot": rules.OPEN_SLOT}, limit=1)
    return page.docs[0] if page.docs else None


async def latest(services: Services, user_id: str) -> Doc | None:
    page = await services.store.find(COLLECTION, {"userId": user_id}, sort="requestedAt", direction=-1, limit=1)
    return page.docs[0] if page.docs else None


def download_path(services: Services, doc: Doc) -> str | None:
    """The signed link of a READY export (null otherwise): /exports/<token>, valid until the export expires."""
    if doc["status"] != rules.READY or doc["expiresAt"] <= services.now():
        return None
    token = issue_download_token(services.settings.secret_key(), doc["userId"], doc["_id"], doc["expiresAt"])
    return DOWNLOAD_PREFIX + token


# -- preparing -------------------------------------------------------------------------------------------------
class Superseded(Exception):
    """Another attempt holds the export now (this one's lease ran out, or the account is being erased)."""


async def prepare(services: Services, doc: Doc) -> bool:
    """Write the archive of this attempt and make the export READY; True when this attempt did."""
    store, attempt = services.store, doc["attempt"]
    directory = exports_dir(services)
    name = rules.file_name(doc["_id"], attempt)
    part = directory / (name + ".part")
    try:
        await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
        counts = await write_archive(services, doc, part)
        size = (await asyncio.to_thread(os.stat, part)).st_size
        await asyncio.to_thread(os.replace, part, directory / name)
        now = services.now()
        ready = await store.update_one(
            COLLECTION,
            {"_id": doc["_id"], "status": rules.PREPARING, "attempt": attempt},
            {
                "$set": {
                    "status": rules.READY,
                    "slot": doc["_id"],
                    "file": name,
                    "bytes": size,
                    "counts": counts,
                    "readyAt": now,
                    "expiresAt": rules.expires_at(now, services.settings.DATA_EXPORT_HOURS),
                },
                "$unset": {"leaseUntil": ""},
            },
        )
        if ready is None:
            raise Superseded(doc["_id"])
        return True
    except Superseded:
        await _remove(directory / name)
        return False
    except Exception:  # CancelledError (the app stopping) is not: the sweep of a later start takes over
        log.exception("data export %s (attempt %s) failed", doc["_id"], attempt)
        await _attempt_failed(services, doc)
        return False
    finally:
        await _remove(part)


async def _remove(path: Path) -> None:
    await asyncio.to_thread(path.unlink, missing_ok=True)


async def _attempt_failed(services: Services, doc: Doc) -> None:
    """Give the sweep the export at once (lease over), or give up after MAX_ATTEMPTS."""
    guard = {"_id": doc["_id"], "status": rules.PREPARING, "attempt": doc["attempt"]}
    if doc["attempts"] >= rules.MAX_ATTEMPTS:
        await _fail(services, guard, doc["_id"])
    else:
        await services.store.update_one(COLLECTION, guard, {"$set": {"leaseUntil": services.now()}})


async def _fail(services: Services, guard: dict[str, Any], export_id: str) -> None:
    await services.store.update_one(
        COLLECTION,
        guard,
        {"$set": {"status": rules.FAILED, "slot": export_id, "failedAt": services.now()}, "$unset": {"leaseUntil": ""}},
    )


async def write_archive(services: Services, doc: Doc, path: Path) -> dict[str, int]:
    """Stream the archive into `path`, one page of documents at a time (never the whole archive in memory):
    {"format", "exportId", "userId", "exportedAt", "sections": {section: [documents]}, "counts": {section: n}}.
    The lease is renewed as pages are written; Superseded once another attempt holds the export."""
    store, user_id = services.store, doc["userId"]
    head = {"format": rules.FORMAT, "exportId": doc["_id"], "userId": user_id, "exportedAt": services.now()}
    counts: dict[str, int] = {}
    renewed = services.now()
    out = await asyncio.to_thread(path.open, "wb")
    try:
        await _write(out, orjson.dumps(head)[:-1] + b',"sections":{')
        for i, (collection, found) in enumerate(sections()):
            rule = personal(collection)
            assert rule is not None
            await _write(out, (b"," if i else b"") + orjson.dumps(found.section) + b":[")
            count = 0
            async for page in pages(store, collection, found, user_id):
                chunk = b",".join(orjson.dumps(exported(d, rule)) for d in page)
                await _write(out, (b"," if count else b"") + chunk)
                count += len(page)
                if services.now() - renewed > rules.LEASE_MS // 3:
                    renewed = services.now()
                    await _renew(services, doc, renewed)
            await _write(out, b"]")
            counts[found.section] = count
        await _write(out, b'},"counts":' + orjson.dumps(counts) + b"}")
    finally:
        await asyncio.to_thread(out.close)
    return counts


async def _write(out: IO[bytes], data: bytes) -> None:
    await asyncio.to_thread(out.write, data)


async def _renew(services: Services, doc: Doc, now: int) -> None:
    held = await services.store.update_one(
        COLLECTION,
        {"_id": doc["_id"], "status": rules.PREPARING, "attempt": doc["attempt"]},
        {"$set": {"leaseUntil": now + rules.LEASE_MS}},
    )
    if held is None:
        raise Superseded(doc["_id"])


# -- the sweep -------------------------------------------------------------------------------------------------
async def sweep_exports(services: Services) -> int:
    """Take over exports whose preparer died (a new attempt in the background), and delete the files of exports
    past their link's life. The number of exports moved."""
    store, now = services.store, services.now()
    moved = 0
    stale = await store.find(
        COLLECTION, {"status": rules.PREPARING, "leaseUntil": {"$lt": now}}, sort="leaseUntil", limit=SWEEP_BATCH
    )
    for doc in stale.docs:
        guard = {"_id": doc["_id"], "status": rules.PREPARING, "attempt": doc["attempt"]}
        if doc["attempts"] >= rules.MAX_ATTEMPTS:
            await _fail(services, guard, doc["_id"])
            moved += 1
            continue
        taken = await store.update_one(
            COLLECTION,
            guard,
            {"$set": {"attempt": new_id(), "leaseUntil": now + rules.LEASE_MS}, "$inc": {"attempts": 1}},
        )
        if taken is not None:
            services.spawn(prepare(services, taken), f"data-export-{taken['_id']}")
            moved += 1
    due = await store.find(
        COLLECTION, {"status": rules.READY, "expiresAt": {"$lte": now}}, sort="expiresAt", limit=SWEEP_BATCH
    )
    for doc in due.docs:
        await _remove(exports_dir(services) / doc["file"])
        if await store.update_one(
            COLLECTION, {"_id": doc["_id"], "status": rules.READY}, {"$set": {"status": rules.EXPIRED}}
        ):
            moved += 1
    return moved


async def erase_exports(services: Services, user_id: str) -> None:
    """Account erasure: every export of the user and its files (an attempt still writing is superseded)."""
    store = services.store
    while True:
        page = await store.find(COLLECTION, {"userId": user_id}, sort="requestedAt", limit=100)
        for doc in page.docs:
            for name in {doc.get("file"), rules.file_name(doc["_id"], doc.get("attempt", ""))} - {None}:
                await _remove(exports_dir(services) / str(name))
            await store.delete(COLLECTION, doc["_id"])
        if page.next_cursor is None:
            return


# -- downloading -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DownloadRefused(Exception):
    status: int
    code: str
    message: str


@dataclass(frozen=True)
class Download:
    path: Path
    filename: str


async def download(services: Services, token: str) -> Download:
    """The file a link names: 403 FORBIDDEN for a link we did not sign (forged, tampered with, of another kind),
    410 GONE for one past its life or whose export is no more (expired, or its account deleted)."""
    try:
        claims = read_download_token(services.settings.secret_key(), token, services.now())
    except ExpiredToken:
        raise DownloadRefused(410, "GONE", "This download link has expired; ask for a new export") from None
    except InvalidToken:
        raise DownloadRefused(403, "FORBIDDEN", "This is not a valid download link") from None
    doc = await services.store.get(COLLECTION, claims.export_id)
    if doc is None:
        raise DownloadRefused(410, "GONE", "This export no longer exists")
    if doc["userId"] != claims.user_id:
        raise DownloadRefused(403, "FORBIDDEN", "This is not a valid download link")
    if doc["status"] != rules.READY or doc["expiresAt"] <= services.now():
        raise DownloadRefused(410, "GONE", "This export has expired; ask for a new one")
    path = exports_dir(services) / doc["file"]
    if not await asyncio.to_thread(path.is_file):
        raise DownloadRefused(410, "GONE", "This export no longer exists")
    day = datetime.fromtimestamp(doc["readyAt"] / 1000, UTC).strftime("%Y%m%d")
    return Download(path, f"youxianggou-data-{day}.json")
