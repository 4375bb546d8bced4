"""What must hold between documents that are written apart, checked by `server.py doctor`. No I/O.

    stock    a SKU's stock + the units out of it (taken by orders not given back, sold) == its supply (what the
             merchant put in: the stock it was made with and every adjustStock)
    supply   a SKU made before supplies were kept has none yet (--fix records stock + units out)
    mark     a mark left on a document by a step nobody owes any more (domain/recovery.py); a take mark of a
             cancelled order that owes nothing means units never given back
    balance  a distributor's balances (frozen, available, withdrawn) == the sums of their ledger entries' deltas
    team     an open team's seats == its members, its paidCount == its paid members not refunded
    follows  a user's followerCount and followingCount == the follow edges to and from them
    desk     a shop's order counts per status (kept by moves) == its orders per status

Each check returns Violations: a line to print, what was observed (the repair is a compare-and-set on it) and what
the repair sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain import after_sales, recovery
from domain.orders import CANCELLED, PENDING_PAYMENT, REFUNDED, RESERVING, STATUSES

BALANCE_FIELDS = ("frozen", "available", "withdrawn")
PAYOUT_MARKS = ("take_", "back_")  # a withdrawal in flight (resolvers/payouts.py)


@dataclass(frozen=True)
class Violation:
    check: str
    subject: str  # "<collection>:<id>"
    message: str
    observed: Mapping[str, Any] = field(default_factory=dict)
    wanted: Mapping[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        return f"{self.check:<8} {self.subject}  {self.message}"

    def as_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "subject": self.subject,
            "message": self.message,
            "observed": dict(self.observed),
            "wanted": dict(self.wanted),
        }


def received(after_sale_docs: Iterable[Mapping[str, Any]]) -> dict[str, list[tuple[int, int]]]:
    """Per order: (line, units) of returned goods the shop received (back in stock)."""
    out: dict[str, list[tuple[int, int]]] = {}
    for doc in after_sale_docs:
        if doc.get("receivedAt"):
            for line in doc.get("lines") or []:
                out.setdefault(doc["orderId"], []).append((int(line["lineIndex"]), int(line["quantity"])))
    return out


def units_out(
    order: Mapping[str, Any], skus: Mapping[str, Mapping[str, Any]], returned: Iterable[tuple[int, int]] = ()
) -> dict[str, int]:
    """Per SKU: the units of the order that are out of stock now (taken and not given back, or sold)."""
    lines = order["lines"]
    back = [0] * len(lines)
    for i, units in returned:
        back[i] += units
    restocked = after_sales.restocked_units(order)
    owed = recovery.owed(order)
    status = order["status"]
    out: dict[str, int] = {}
    for i, line in enumerate(lines):
        sku = skus.get(line["skuId"], {})
        q = int(line["quantity"])
        took = sku.get(recovery.take_mark(order["_id"], i)) == q
        restock = recovery.step(recovery.RESTOCK, i)
        restock_pending = (
            owed.get(restock) not in (None, recovery.DONE) and recovery.mark(order["_id"], restock) not in sku
        )
        if status in (RESERVING, CANCELLED):
            units = q if took or (status == CANCELLED and restock_pending and recovery.placed(order)) else 0
        elif status == REFUNDED:
            unsold = recovery.unsold(order)[i]
            units = q - restocked[i] - back[i] - (0 if restock_pending else unsold)
        else:
            units = q - restocked[i] - back[i]
        out[line["skuId"]] = out.get(line["skuId"], 0) + units
    return out


def stock_violations(skus: Iterable[Mapping[str, Any]], out: Mapping[str, int]) -> list[Violation]:
    found = []
    for sku in skus:
        held = out.get(sku["_id"], 0)
        stock = int(sku["stock"])
        if "supply" not in sku:
            found.append(
                Violation(
                    "supply",
                    f"skus:{sku['_id']}",
                    f"no supply recorded (stock {stock} + {held} out): --fix records {stock + held}",
                    {"stock": stock, "supply": None},
                    {"supply": stock + held},
                )
            )
            continue
        wanted = int(sku["supply"]) - held
        if stock != wanted:
            what = "missing" if stock < wanted else "too many"
            found.append(
                Violation(
                    "stock",
                    f"skus:{sku['_id']}",
                    f"stock {stock} + {held} out != supply {sku['supply']} ({abs(wanted - stock)} units {what}):"
                    f" --fix sets stock {wanted}",
                    {"stock": stock},
                    {"stock": wanted},
                )
            )
    return found


def mark_violations(
    collection: str, doc: Mapping[str, Any], orders: Mapping[str, Mapping[str, Any]]
) -> list[Violation]:
    """Marks no step owes any more: a take mark of a cancelled order owing nothing on that line (its units were never
    given back: --fix gives them back), and any other mark of a step its order no longer owes (--fix removes it).
    `orders` by their id as marks spell it (recovery.mark_id)."""
    found = []
    subject = f"{collection}:{doc['_id']}"
    for key, value in doc.items():
        if not key.startswith(recovery.MARK):
            continue
        owned = recovery.mark_owner(key, orders)
        if owned is None:
            found.append(
                Violation("mark", subject, f"{key}: of no known order: --fix removes it", {key: value}, {key: None})
            )
            continue
        owner, name = orders[owned[0]], owned[1]
        if name in recovery.owed(owner) or owner["status"] in (RESERVING, PENDING_PAYMENT):
            continue  # a step still owed, or units still being taken (or marked so until payment or cancellation)
        kind, arg = recovery.split(name)
        if kind == recovery.TAKE and owner["status"] == CANCELLED:
            message = f"{key}: {value} units taken by cancelled order {owner['_id']} never came back: --fix gives them"
            found.append(Violation("mark", subject, message, {key: value}, {"untake": int(arg), "order": owner["_id"]}))
        else:
            message = f"{key}: left by a finished step of order {owner['_id']}: --fix removes it"
            found.append(Violation("mark", subject, message, {key: value}, {key: None}))
    return found


def ledger_sums(entries: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    sums: dict[str, dict[str, int]] = {}
    for entry in entries:
        user = sums.setdefault(str(entry.get("userId")), dict.fromkeys(BALANCE_FIELDS, 0))
        for name, delta in (entry.get("deltas") or {}).items():
            user[name] = user.get(name, 0) + int(delta)
    return sums


def balance_violations(balances: Iterable[Mapping[str, Any]], sums: Mapping[str, Mapping[str, int]]) -> list[Violation]:
    found = []
    seen = set()
    for doc in balances:
        seen.add(doc["_id"])
        if any(k.startswith(PAYOUT_MARKS) for k in doc):
            continue  # a withdrawal in flight: the payout sweep finishes it
        have = {f: int(doc.get(f, 0)) for f in BALANCE_FIELDS}
        want = {f: int(sums.get(doc["_id"], {}).get(f, 0)) for f in BALANCE_FIELDS}
        if have != want:
            diff = {f: have[f] - want[f] for f in BALANCE_FIELDS if have[f] != want[f]}
            found.append(
                Violation(
                    "balance",
                    f"balances:{doc['_id']}",
                    f"balances {have} != ledger {want}: --fix appends a CORRECTION entry of {diff}",
                    {**{f: doc.get(f) for f in BALANCE_FIELDS}, "correctedAt": doc.get("correctedAt")},
                    diff,
                )
            )
    for user_id, owed in sums.items():
        if user_id not in seen and any(owed.values()):
            found.append(
                Violation(
                    "balance",
                    f"balances:{user_id}",
                    f"no balances, ledger {dict(owed)}: --fix cannot tell which is right; an operator looks",
                )
            )
    return found


def points_violations(users: Iterable[Mapping[str, Any]], entries: Iterable[Mapping[str, Any]]) -> list[Violation]:
    """A user's points are the sum of their ledger entries applied so far (those numbered up to `pointsVersion`;
    later ones are pending, applied by the sweep). Reported only: the ledger is the record, and a balance from before
    the ledger (no entries behind it) needs an operator's opening entry, not a guess."""
    applied: dict[str, list[tuple[int, int]]] = {}
    for entry in entries:
        applied.setdefault(str(entry.get("userId")), []).append((int(entry.get("seq", 0)), int(entry.get("amount", 0))))
    found = []
    for user in users:
        version = int(user.get("pointsVersion") or 0)
        want = sum(amount for seq, amount in applied.get(user["_id"], []) if seq <= version)
        have = int(user.get("points") or 0)
        if have != want:
            why = "points from before the ledger have no entry" if not version else "moved without its entry"
            found.append(
                Violation(
                    "points",
                    f"users:{user['_id']}",
                    f"points {have} != ledger {want} (entries up to #{version}; {why}): an operator decides",
                    {"points": have, "pointsVersion": version},
                    {"points": want},
                )
            )
    return found


def team_violations(teams: Iterable[Mapping[str, Any]], members: Iterable[Mapping[str, Any]]) -> list[Violation]:
    seated: dict[str, int] = {}
    paid: dict[str, int] = {}
    for m in members:
        seated[m["teamId"]] = seated.get(m["teamId"], 0) + 1
        if m.get("paid") and not m.get("refunded"):
            paid[m["teamId"]] = paid.get(m["teamId"], 0) + 1
    found = []
    for team in teams:
        if team.get("status") != "OPEN":
            continue  # a closed team keeps its counts as it closed
        seen = {k: team.get(k) for k in ("seats", "paidCount")}  # the repair is guarded on these
        have = {k: int(v or 0) for k, v in seen.items()}
        want = {"seats": seated.get(team["_id"], 0), "paidCount": paid.get(team["_id"], 0)}
        if have != want:
            message = f"seats {have['seats']}, paid {have['paidCount']} != members {want['seats']}"
            message += f", paid {want['paidCount']}: --fix sets them"
            found.append(Violation("team", f"teams:{team['_id']}", message, seen, want))
    return found


def follow_violations(users: Iterable[Mapping[str, Any]], follows: Iterable[Mapping[str, Any]]) -> list[Violation]:
    followers: dict[str, int] = {}
    following: dict[str, int] = {}
    for edge in follows:
        followers[edge["dst"]] = followers.get(edge["dst"], 0) + 1
        following[edge["src"]] = following.get(edge["src"], 0) + 1
    found = []
    for user in users:
        seen = {k: user.get(k) for k in ("followerCount", "followingCount")}  # None: never counted
        have = {k: int(v or 0) for k, v in seen.items()}
        want = {"followerCount": followers.get(user["_id"], 0), "followingCount": following.get(user["_id"], 0)}
        if have != want:
            message = f"counts {have} != edges {want}: --fix sets them"
            found.append(Violation("follows", f"users:{user['_id']}", message, seen, want))
    return found


def desk_violations(count_docs: Iterable[Mapping[str, Any]], orders: Iterable[Mapping[str, Any]]) -> list[Violation]:
    actual: dict[str, dict[str, int]] = {}
    for order in orders:
        if order["status"] != RESERVING:
            shop = actual.setdefault(order["shopId"], {})
            shop[order["status"]] = shop.get(order["status"], 0) + 1
    found = []
    for doc in count_docs:
        if not doc.get("exact"):
            continue  # not kept yet: read by a recount
        have = {s: int(doc.get(s, 0)) for s in STATUSES}
        want = {s: actual.get(doc["_id"], {}).get(s, 0) for s in STATUSES}
        if have != want:
            wrong = ", ".join(f"{s} {have[s]} (is {want[s]})" for s in STATUSES if have[s] != want[s])
            found.append(Violation("desk", f"shop_order_counts:{doc['_id']}", f"{wrong}: --fix recounts", have, want))
    return found
