"""Which documents of a list still have every related document their non-null fields show.

A list (or a nullable field) filters its documents through `intact` before it builds them: a dangling reference
then degrades that one item (left out, logged once at WARNING) instead of failing the page with an internal error
up to the nearest nullable parent. The related documents are read through the request's DataLoaders, one
get_many per kind per page, so the fields that show them afterwards cost nothing more.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial

from strawberry.dataloader import DataLoader

from resolvers.loaders import Loaders
from resolvers.visibility import dangling
from store.protocol import Doc, Page

# kind of document -> (field holding the related id, the related kind = its loader on Loaders, role in the log)
# for each non-null related object its GraphQL type shows. A related kind with references of its own is checked
# in turn (a product needs its shop, and the shop its owner).
REFERENCES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "shop": (("ownerId", "user", "owner"),),
    "product": (("shopId", "shop", "shop"),),
    "sku": (("productId", "product", "product"),),
    "team": (("productId", "product", "product"),),
    "bargain": (("ownerId", "user", "owner"), ("skuId", "sku", "SKU"), ("productId", "product", "product")),
    "bargain cut": (("helperId", "user", "helper"),),
    "order": (("buyerId", "user", "buyer"), ("shopId", "shop", "shop")),
    "order line": (("skuId", "sku", "SKU"), ("productId", "product", "product")),
    "commission": (("shopId", "shop", "shop"),),
    "distributorship": (("shopId", "shop", "shop"),),
    "after sale": (("orderId", "order", "order"),),
}


async def intact(loaders: Loaders, kind: str, docs: Sequence[Doc], what: str | None = None) -> list[Doc]:
    """The documents of `kind` whose related documents (and theirs) all exist, in order; the others are logged
    once (as `what`, the kind by default) and left out. The references are checked side by side, so documents
    of one kind are read in one batch per level."""
    refs = REFERENCES.get(kind, ())
    if not docs or not refs:
        return list(docs)
    known = loaders.intact_known
    if all(d[key] in known.get(related, ()) for key, related, _ in refs for d in docs):
        return list(docs)  # every reference was found intact earlier in this request (see `prime`)
    checked = await asyncio.gather(*(_check(loaders, related, [d[key] for d in docs]) for key, related, _ in refs))
    kept = []
    for doc in docs:
        for (key, _, role), (found, whole) in zip(refs, checked, strict=True):
            if doc[key] not in whole:
                state = "broken (logged above)" if doc[key] in found else "missing"
                dangling(what or kind, doc.get("_id", ""), role, doc[key], state)
                break
        else:
            kept.append(doc)
    return kept


async def _check(loaders: Loaders, kind: str, ids: Sequence[str]) -> tuple[set[str], set[str]]:
    """Of these ids of `kind`: those that exist, and those that exist and are intact. Each id is checked once per
    request, and the checks that the items of a page ask for side by side are one batch (a DataLoader's)."""
    checker = loaders.intact_checks.get(kind)
    if checker is None:
        checker = loaders.intact_checks[kind] = DataLoader(load_fn=partial(_check_batch, loaders, kind))
    unique = list(dict.fromkeys(ids))
    states = await checker.load_many(unique)
    return {i for i, (found, _) in zip(unique, states, strict=True) if found}, {
        i for i, (_, whole) in zip(unique, states, strict=True) if whole
    }


async def _check_batch(loaders: Loaders, kind: str, ids: Sequence[str]) -> list[tuple[bool, bool]]:
    found = [d for d in await getattr(loaders, kind).load_many(list(ids)) if d is not None]
    exists = {d["_id"] for d in found}
    whole = {d["_id"] for d in await intact(loaders, kind, found)}
    loaders.intact_known.setdefault(kind, set()).update(whole)
    return [(i in exists, i in whole) for i in ids]


async def prime(loaders: Loaders, kind: str, docs: Sequence[Doc]) -> None:
    """Check in one batch what the documents of `kind` refer to (the lines of a whole page of orders), so that
    each document's own check afterwards costs no await (and what is broken is still logged by that check)."""
    refs = REFERENCES.get(kind, ())
    if docs and refs:
        await asyncio.gather(*(_check(loaders, related, [d[key] for d in docs]) for key, related, _ in refs))


async def one(loaders: Loaders, kind: str, doc: Doc | None) -> Doc | None:
    """The document if it is intact, else None (for a nullable field)."""
    return doc if doc is not None and await intact(loaders, kind, [doc]) else None


async def intact_edges(loaders: Loaders, kind: str, page: Page) -> list[tuple[Doc, str]]:
    """The intact documents of a page with their cursors (the page info stays the page's, so that paging on after
    a left-out last item neither stops nor repeats)."""
    kept = {d["_id"] for d in await intact(loaders, kind, page.docs)}
    return [(d, c) for d, c in zip(page.docs, page.cursors, strict=True) if d["_id"] in kept]
