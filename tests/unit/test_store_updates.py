"""apply_update (the SQLite store's update operators in Python) leaves the document it was given as it was."""

from __future__ import annotations

import copy

from store.updates import apply_update


def test_an_update_returns_a_new_document_and_leaves_the_given_one_alone() -> None:
    doc = {"_id": "o", "status": "RESERVING", "lines": [{"skuId": "s", "quantity": 2}], "history": [], "n": 1}
    before = copy.deepcopy(doc)
    out = apply_update(
        doc,
        {
            "$set": {"status": "PENDING_PAYMENT"},
            "$push": {"history": {"status": "PENDING_PAYMENT", "at": 1}},
            "$inc": {"n": 2},
            "$unset": {"lines": ""},
        },
    )
    assert out == {"_id": "o", "status": "PENDING_PAYMENT", "history": [{"status": "PENDING_PAYMENT", "at": 1}], "n": 3}
    assert doc == before
    out["history"].append("later")  # the pushed list is the new document's own
    assert doc["history"] == []
