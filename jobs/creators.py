"""The creators job: every author's credit score and level (domain/creators.py) from their posts, written to their
user document (`creatorScore`, `creatorLevel`; only those that moved are written). Posts are read page by page;
a report is upheld when the post it reported is REJECTED."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from domain import moderation
from domain.creators import CreatorStats, credit_score, level
from resolvers.favorites import key as favorite_key
from store.protocol import DocumentStore

PAGE = 1000


@dataclass
class CreatorsRun:
    authors: int
    written: int
    seconds: float


async def refresh_creators(store: DocumentStore) -> CreatorsRun:
    started = time.monotonic()
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    after = None
    while True:
        page = await store.find("posts", {}, limit=PAGE, after=after)
        rejected: dict[str, str] = {}
        approved = [p["_id"] for p in page.docs if p.get("moderation") == moderation.APPROVED]
        favorited = await store.get_many("favorite_counts", [favorite_key("POST", i) for i in approved])
        for post in page.docs:
            tally = counts[post["authorId"]]
            status = post.get("moderation")
            if status == moderation.APPROVED:
                tally["approved"] += 1
                tally["likes"] += int(post.get("likeCount", 0))
                tally["comments"] += int(post.get("commentCount", 0))
                tally["favorites"] += int((favorited.get(favorite_key("POST", post["_id"])) or {}).get("count", 0))
            elif status == moderation.REJECTED:
                tally["rejections"] += 1
                rejected[post["_id"]] = post["authorId"]
        if rejected:
            reports = await store.find("reports", {"targetId": {"$in": list(rejected)}}, limit=100_000)
            for report in reports.docs:
                counts[rejected[report["targetId"]]]["reports_upheld"] += 1
        if page.next_cursor is None:
            break
        after = page.next_cursor
    changes = {}
    for author, tally in counts.items():
        value = credit_score(CreatorStats(**tally))
        changes[author] = {"creatorScore": value, "creatorLevel": level(value)}
    written = 0
    items = list(changes.items())
    for i in range(0, len(items), PAGE):
        written += await store.set_many("users", dict(items[i : i + PAGE]))
    return CreatorsRun(len(changes), written, time.monotonic() - started)
