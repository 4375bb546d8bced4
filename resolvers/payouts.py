"""Payouts (提现): available commission paid to the user's WeChat balance by WeChat Pay's merchant transfer
(商家转账), or at once in dev mode without WeChat Pay (no money moves anywhere then: there is nowhere to move it).

No step can happen twice, whoever repeats it (a replayed request, WeChat Pay's redeliveries, the sweep):
- the money leaves `available` by one guarded update that also marks the balance with the withdrawal
  (`take_<id>`), so a repeat finds the mark and takes nothing; the ledger's WITHDRAWN entry follows;
- the transfer's out_bill_no is the withdrawal's id, so asking WeChat Pay again is the same bill (原单重试); a bill
  is only given up on when WeChat Pay says it failed, or refused it and has no bill by that number;
- PROCESSING -> PAID or FAILED is one compare-and-set on the status, whoever learns the end first (the answer, the
  notification, the sweep's query). Only the caller that makes FAILED gives the money back, by a guarded update
  marked `back_<id>`, and writes the reversing ledger entry (WITHDRAWAL_RETURNED).
Whoever works on a withdrawal holds its `checkAt` for LEASE_MS; past it the sweep takes over, so a request that
died between two steps is finished by the sweep (domain/payouts.py has the states).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

from domain import distribution as dist_rules
from domain import payouts as rules
from domain.catalog import idempotency_key_problems
from integrations.wechat_pay import Notification, PaymentError, TransferBill
from resolvers.distribution import append_ledger
from resolvers.errors import Refused, refuse_problems
from resolvers.payments import WebhookRefused
from resolvers.services import Services
from store.ids import new_id
from store.protocol import Doc, DuplicateKey, Page

log = logging.getLogger(__name__)
FINISHED = "MCHTRANSFER.BILL.FINISHED"
SWEEP_BUDGET_SECONDS = 10.0  # one sweep's looks at withdrawals stop starting after this (each may wait on WeChat Pay)


# -- the request -----------------------------------------------------------------------------------------
async def withdraw(services: Services, user_id: str, amount: int, key: str) -> Doc:
    """Take `amount` from the available balance and pay it out, once per key: the withdrawal as it is after the
    first answer (PAID at once in dev mode; PROCESSING while WeChat Pay makes the transfer)."""
    refuse_problems(
        idempotency_key_problems(key) + dist_rules.withdrawal_problems(amount, services.settings.WITHDRAWAL_MAX)
    )
    store = services.store
    earlier = await _by_key(services, user_id, key)
    if earlier is not None:
        return _replay(earlier, amount)
    method, openid = await _method(services, user_id)
    if ((await store.get("balances", user_id)) or {}).get("available", 0) < amount:
        # the money may have gone to this very key meanwhile: a concurrent first call writes its withdrawal before
        # it takes the money, so a replay that sees the money gone finds it
        earlier = await _by_key(services, user_id, key)
        if earlier is not None:
            return _replay(earlier, amount)
        raise _insufficient()
    now = services.now()
    withdrawal_id = new_id()
    lease = now + rules.LEASE_MS  # held by this request; the sweep resumes it should the request die
    withdrawal: Doc = {
        "_id": withdrawal_id,
        "userId": user_id,
        "key": key,
        "amount": amount,
        "status": rules.REQUESTED,
        "method": method,
        "openid": openid,
        "outBillNo": rules.bill_no(withdrawal_id),
        "createdAt": now,
        "checkAt": lease,
        "checks": 0,
    }
    try:
        await store.insert("withdrawals", withdrawal)
    except DuplicateKey:  # the same key at the same time: the first one's withdrawal
        earlier = await _by_key(services, user_id, key)
        if earlier is None:
            raise
        return _replay(earlier, amount)
    if not await _take(services, withdrawal):
        await store.delete("withdrawals", withdrawal_id)  # nothing was taken: as if never asked
        raise _insufficient()
    started, moved = await _start(services, withdrawal, lease)
    return await _pay(services, started) if moved else started


async def _by_key(services: Services, user_id: str, key: str) -> Doc | None:
    page = await services.store.find("withdrawals", {"userId": user_id, "key": key}, limit=1)
    return page.docs[0] if page.docs else None


def _replay(earlier: Doc, amount: int) -> Doc:
    if earlier["amount"] != amount:
        raise Refused("CONFLICT", "This key was used for another amount", ["input", "idempotencyKey"])
    return earlier


def _insufficient() -> Refused:
    return Refused("INSUFFICIENT_FUNDS", "More than your available commission", ["input", "amount"])


async def _method(services: Services, user_id: str) -> tuple[str, str | None]:
    """How this user is paid: WeChat Pay to the openid they signed in with, or nothing at all in dev mode."""
    if services.wechat_pay is not None:
        user = await services.store.get("users", user_id)
        openid = (user or {}).get("openid")
        if not openid:
            raise Refused("PAYMENT_FAILED", "Sign in with WeChat to withdraw to your WeChat balance")
        return rules.WECHAT_PAY, str(openid)
    if services.settings.dev_mode:
        return rules.DEV, None
    raise Refused("PAYMENT_FAILED", "Withdrawals are paid by WeChat Pay, which is not configured (WECHAT_PAY_MCH_ID)")


# -- the money out of the balance ------------------------------------------------------------------------
async def _take(services: Services, withdrawal: Doc, *, void: bool = False) -> bool:
    """Move the amount from available to withdrawn once: True when it is taken (by this call or an earlier one).
    With `void` (the sweep resuming a request that died), a take that cannot be made now is marked as never to be
    made, so that the request, were it only slow, cannot make it afterwards either."""
    store, mark = services.store, f"take_{withdrawal['_id']}"
    amount = withdrawal["amount"]
    guard = {"_id": withdrawal["userId"], "available": {"$gte": amount}, mark: None}
    change = {"$inc": {"available": -amount, "withdrawn": amount}, "$set": {mark: True}}
    if await store.update_one("balances", guard, change) is not None:
        return True
    if void:
        await store.update_one("balances", {"_id": withdrawal["userId"], mark: None}, {"$set": {mark: False}})
    current = await store.get("balances", withdrawal["userId"])
    return (current or {}).get(mark) is True


async def _start(services: Services, withdrawal: Doc, lease: int) -> tuple[Doc, bool]:
    """REQUESTED -> PROCESSING once the money is taken and in the ledger; (the withdrawal, whether this call moved
    it). A caller whose lease the sweep took moves nothing: the sweep goes on from there."""
    store, amount = services.store, withdrawal["amount"]
    await _entry_once(services, withdrawal, rules.WITHDRAWN, {"available": -amount, "withdrawn": amount})
    moved = await store.update_one(
        "withdrawals",
        {"_id": withdrawal["_id"], "status": rules.REQUESTED, "checkAt": lease},
        {"$set": {"status": rules.PROCESSING, "processingAt": services.now()}},
    )
    if moved is None:
        return await store.get("withdrawals", withdrawal["_id"]) or withdrawal, False
    await store.update_one("balances", {"_id": withdrawal["userId"]}, {"$unset": {f"take_{withdrawal['_id']}": ""}})
    return moved, True


async def _entry_once(services: Services, withdrawal: Doc, kind: str, deltas: dict[str, int]) -> None:
    """The withdrawal's ledger entry of this kind, unless it is there already (a resumed step)."""
    found = await services.store.find("ledger", {"ref": withdrawal["_id"], "kind": kind}, limit=1)
    if not found.docs:
        entry = {"kind": kind, "userId": withdrawal["userId"], "ref": withdrawal["_id"], "deltas": deltas}
        await append_ledger(services, entry)


async def _give_back(services: Services, withdrawal: Doc, lease: int) -> Doc:
    """The money of a FAILED withdrawal back to available, once (the balance is marked `back_<id>` by the same
    update), with its reversing ledger entry."""
    store, mark = services.store, f"back_{withdrawal['_id']}"
    amount, user_id = withdrawal["amount"], withdrawal["userId"]
    change = {"$inc": {"available": amount, "withdrawn": -amount}, "$set": {mark: True}}
    await store.update_one("balances", {"_id": user_id, mark: None}, change)
    await _entry_once(services, withdrawal, rules.RETURNED, {"available": amount, "withdrawn": -amount})
    done = await store.update_one(
        "withdrawals",
        {"_id": withdrawal["_id"], "returnDue": True, "checkAt": lease},
        {"$set": {"returnedAt": services.now()}, "$unset": {"returnDue": "", "checkAt": ""}},
    )
    if done is None:  # the sweep took over (this call was too slow); it finishes
        return await store.get("withdrawals", withdrawal["_id"]) or withdrawal
    await store.update_one("balances", {"_id": user_id}, {"$unset": {mark: ""}})
    return done


# -- the transfer ----------------------------------------------------------------------------------------
async def _pay(services: Services, withdrawal: Doc) -> Doc:
    if withdrawal["method"] == rules.DEV:
        return await _paid(services, withdrawal, None)
    return await _submit(services, withdrawal)


async def _submit(services: Services, withdrawal: Doc) -> Doc:
    """Ask WeChat Pay for the transfer (again: the same bill number is the same bill)."""
    client = services.wechat_pay
    if client is None:
        return await _later(services, withdrawal, "WeChat Pay is not configured any more")
    try:
        bill = await client.transfer(withdrawal["outBillNo"], withdrawal["openid"], withdrawal["amount"], rules.REMARK)
    except PaymentError as exc:
        if exc.retryable:
            return await _later(services, withdrawal, str(exc))
        return await _refused(services, withdrawal, exc.code or "REFUSED")
    return await apply_bill(services, withdrawal, bill)


async def _refused(services: Services, withdrawal: Doc, code: str) -> Doc:
    """WeChat Pay refused the transfer for good. It failed only if WeChat Pay has no bill by its number: asking
    for another number before knowing that could pay twice (WeChat Pay's own warning)."""
    assert services.wechat_pay is not None
    try:
        bill = await services.wechat_pay.transfer_bill(withdrawal["outBillNo"])
    except PaymentError as exc:
        await services.store.update_one("withdrawals", {"_id": withdrawal["_id"]}, {"$set": {"refusal": code}})
        return await _later(services, {**withdrawal, "refusal": code}, f"refused ({code}), and no answer: {exc}")
    if bill is None:
        return await _failed(services, withdrawal, code)
    return await apply_bill(services, withdrawal, bill)


async def apply_bill(services: Services, withdrawal: Doc, bill: TransferBill) -> Doc:
    """What a transfer bill's state (answered, queried or notified) does to the withdrawal: PAID on SUCCESS, FAILED
    with the money back on FAIL or CANCELLED, otherwise still PROCESSING, looked at again later."""
    state = rules.normal_state(bill.state)
    end = rules.outcome(state)
    if end == rules.PAID:
        return await _paid(services, withdrawal, bill)
    if end == rules.FAILED:
        return await _failed(services, withdrawal, bill.fail_reason or state, bill)
    checks = withdrawal.get("checks", 0) + 1
    changes: dict[str, Any] = {
        "transferState": state,
        "checks": checks,
        "checkAt": services.now() + rules.next_check_ms(checks),
    }
    if bill.transfer_bill_no:
        changes["transferBillNo"] = bill.transfer_bill_no
    if bill.package_info:
        changes["packageInfo"] = bill.package_info
    updated = await services.store.update_one(
        "withdrawals",
        {"_id": withdrawal["_id"], "status": rules.PROCESSING},
        {"$set": changes, "$unset": {"refusal": ""}},
    )
    return updated or await services.store.get("withdrawals", withdrawal["_id"]) or withdrawal


async def _paid(services: Services, withdrawal: Doc, bill: TransferBill | None) -> Doc:
    changes: dict[str, Any] = {"status": rules.PAID, "paidAt": services.now()}
    if bill is not None:
        changes.update(transferState=rules.SUCCESS, transferBillNo=bill.transfer_bill_no)
    done = await services.store.update_one(
        "withdrawals",
        {"_id": withdrawal["_id"], "status": rules.PROCESSING},
        {"$set": changes, "$unset": {"checkAt": "", "packageInfo": "", "refusal": ""}},
    )
    return done or await _ended(services, withdrawal, rules.PAID)


async def _failed(services: Services, withdrawal: Doc, reason: str, bill: TransferBill | None = None) -> Doc:
    """PROCESSING -> FAILED, once; the one caller that makes the move gives the money back."""
    lease = services.now() + rules.LEASE_MS
    changes: dict[str, Any] = {
        "status": rules.FAILED,
        "failedAt": services.now(),
        "failReason": reason,
        "returnDue": True,
        "checkAt": lease,
    }
    if bill is not None:
        changes["transferState"] = rules.normal_state(bill.state)
    done = await services.store.update_one(
        "withdrawals",
        {"_id": withdrawal["_id"], "status": rules.PROCESSING},
        {"$set": changes, "$unset": {"packageInfo": "", "refusal": ""}},
    )
    if done is None:
        return await _ended(services, withdrawal, rules.FAILED)
    log.info("withdrawal %s failed (%s): its money goes back to the balance", withdrawal["_id"], reason)
    return await _give_back(services, done, lease)


async def _ended(services: Services, withdrawal: Doc, told: str) -> Doc:
    """Someone else ended it first; WeChat Pay telling the other end is for an operator to see to."""
    current = await services.store.get("withdrawals", withdrawal["_id"]) or withdrawal
    if current["status"] in (rules.PAID, rules.FAILED) and current["status"] != told:
        log.error(
            "withdrawal %s is %s but WeChat Pay says %s: an operator must see to it",
            withdrawal["_id"],
            current["status"],
            told,
        )
    return current


async def _later(services: Services, withdrawal: Doc, why: str) -> Doc:
    """Not finished, not failed: looked at again after a delay that grows with each look."""
    checks = withdrawal.get("checks", 0) + 1
    delay = rules.next_check_ms(checks)
    updated = await services.store.update_one(
        "withdrawals",
        {"_id": withdrawal["_id"], "status": withdrawal["status"]},
        {"$set": {"checks": checks, "checkAt": services.now() + delay}},
    )
    log.warning("transfer of withdrawal %s: %s (looked at again in %d s)", withdrawal["_id"], why, delay // 1000)
    return updated or withdrawal


# -- the sweep and the notification ------------------------------------------------------------------------
async def check_withdrawals(services: Services, limit: int = 100) -> int:
    """Withdrawals whose time to be looked at has come: a request that died is resumed, a transfer with no end
    yet is queried (and asked again or cancelled), money owed back is given back. Each is held while it is."""
    store, now = services.store, services.now()
    page = await store.find("withdrawals", {"checkAt": {"$lte": now}}, sort="checkAt", limit=limit)
    looked, until = 0, time.monotonic() + SWEEP_BUDGET_SECONDS
    for due in page.docs:
        if time.monotonic() > until:
            break  # WeChat Pay is slow to answer: the rest stay due for the next sweep, the other sweeps run
        lease = now + rules.LEASE_MS
        held = await store.update_one(
            "withdrawals", {"_id": due["_id"], "checkAt": due["checkAt"]}, {"$set": {"checkAt": lease}}
        )
        if held is None:
            continue  # someone else has it
        looked += 1
        await _resume(services, held, lease)
    return looked


async def _resume(services: Services, withdrawal: Doc, lease: int) -> None:
    if withdrawal["status"] == rules.REQUESTED:
        if not await _take(services, withdrawal, void=True):  # its request died before the money was taken
            await services.store.update_one(
                "withdrawals",
                {"_id": withdrawal["_id"], "status": rules.REQUESTED, "checkAt": lease},
                {
                    "$set": {"status": rules.FAILED, "failedAt": services.now(), "failReason": "INSUFFICIENT_FUNDS"},
                    "$unset": {"checkAt": ""},
                },
            )
            return
        started, moved = await _start(services, withdrawal, lease)
        if moved:
            await _pay(services, started)
    elif withdrawal["status"] == rules.PROCESSING:
        await _check(services, withdrawal)
    elif withdrawal.get("returnDue"):
        await _give_back(services, withdrawal, lease)


async def _check(services: Services, withdrawal: Doc) -> Doc:
    """Query the bill, then: no bill -> ask for it (or, after a refusal, it failed); accepted but not yet waiting
    for the user, or waiting without a package we know -> ask again (原单重试); waiting too long -> cancel it."""
    client = services.wechat_pay
    if withdrawal["method"] == rules.DEV:
        return await _paid(services, withdrawal, None)  # a dev withdrawal whose request died before it was paid
    if client is None:
        return await _later(services, withdrawal, "WeChat Pay is not configured any more")
    try:
        bill = await client.transfer_bill(withdrawal["outBillNo"])
    except PaymentError as exc:
        return await _later(services, withdrawal, f"query failed: {exc}")
    if bill is None:
        if withdrawal.get("refusal"):
            return await _failed(services, withdrawal, withdrawal["refusal"])
        return await _submit(services, withdrawal)  # the request never reached WeChat Pay: the same bill again
    state = rules.normal_state(bill.state)
    if rules.outcome(state) is None and state != rules.CANCELING:
        if not rules.awaits_user(state) or not withdrawal.get("packageInfo"):
            return await _submit(services, withdrawal)
        since = int(withdrawal.get("processingAt") or withdrawal["createdAt"])
        if rules.overdue(since, services.now(), services.settings.WITHDRAWAL_CONFIRM_HOURS):
            bill = await _cancel(services, withdrawal, bill)
    return await apply_bill(services, withdrawal, bill)


async def _cancel(services: Services, withdrawal: Doc, bill: TransferBill) -> TransferBill:
    assert services.wechat_pay is not None
    try:
        state = await services.wechat_pay.cancel_transfer(withdrawal["outBillNo"])
    except PaymentError as exc:  # e.g. the user confirmed meanwhile: the next query tells
        log.warning("could not cancel the transfer of withdrawal %s: %s", withdrawal["_id"], exc)
        return bill
    log.info("the transfer of withdrawal %s waited too long for the user and is cancelled", withdrawal["_id"])
    return dataclasses.replace(bill, state=state or rules.CANCELING)


async def apply_transfer_notification(services: Services, note: Notification) -> None:
    """MCHTRANSFER.BILL.FINISHED, verified and decrypted by resolvers/payments.py: the transfer's end."""
    if note.event_type != FINISHED:
        log.info("wechat pay transfer notification %s (%s) needs no action", note.id, note.event_type)
        return
    bill = TransferBill.of(note.resource)
    withdrawal = await services.store.get("withdrawals", bill.out_bill_no) if bill.out_bill_no.isalnum() else None
    if withdrawal is None:
        raise WebhookRefused(404, f"no withdrawal {bill.out_bill_no!r}")
    if bill.amount is not None and bill.amount != withdrawal["amount"]:
        raise WebhookRefused(400, f"a transfer of {bill.amount} for a withdrawal of {withdrawal['amount']}")
    await apply_bill(services, withdrawal, bill)


# -- reads -------------------------------------------------------------------------------------------------
async def withdrawals(services: Services, user_id: str, first: int, after: str | None) -> Page:
    """The user's withdrawals, newest first."""
    return await services.store.find(
        "withdrawals", {"userId": user_id}, sort="createdAt", direction=-1, limit=first, after=after
    )


def confirm_params(services: Services, withdrawal: Doc) -> dict[str, str] | None:
    """What wx.requestMerchantTransfer takes while the transfer waits for the user: mchId, appId and package."""
    state, package = withdrawal.get("transferState"), withdrawal.get("packageInfo")
    if withdrawal["status"] != rules.PROCESSING or not rules.awaits_user(state) or not package:
        return None
    settings = services.settings
    return {"mchId": settings.WECHAT_PAY_MCH_ID, "appId": settings.WECHAT_APP_ID, "package": str(package)}
