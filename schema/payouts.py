"""Payouts: withdrawals of commission to the user's WeChat balance (WeChat Pay's merchant transfer)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from domain import payouts as rules
from domain.ids import to_global_id
from resolvers import payouts as payouts_uc
from schema.common import Long, Money, Node, PageInfo, UserError
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import register_node
from schema.orders import when
from store.protocol import Doc, Page


@strawberry.enum(description="REQUESTED -> PROCESSING -> PAID or FAILED (a FAILED withdrawal's money is back).")
class WithdrawalStatus(Enum):
    REQUESTED = strawberry.enum_value(rules.REQUESTED, description="Recorded; its money is being taken.")
    PROCESSING = strawberry.enum_value(
        rules.PROCESSING,
        description="Taken from the available balance; WeChat Pay is transferring it (confirmParams while it waits"
        " for the user to confirm the receipt).",
    )
    PAID = strawberry.enum_value(rules.PAID, description="In the user's WeChat balance (in dev mode: paid at once).")
    FAILED = strawberry.enum_value(
        rules.FAILED, description="The transfer failed or was cancelled; the amount is back in the available balance."
    )
    PENDING = strawberry.enum_value(
        "PENDING",
        description="Deprecated: never returned.",
        deprecation_reason="The wave-1 contract's status; never returned now (REQUESTED and PROCESSING replace it).",
    )


@strawberry.type(description="The arguments of wx.requestMerchantTransfer, with which the user confirms the receipt.")
class WithdrawalConfirmParams:
    mch_id: str = strawberry.field(description="mchId: the merchant's WeChat Pay id.")
    app_id: str = strawberry.field(description="appId: the mini program's id.")
    package: str = strawberry.field(description="WeChat Pay's package_info of the transfer.")


@strawberry.type(description="A distributor's withdrawal of commission to their WeChat balance; their own only.")
class Withdrawal(Node):
    id: strawberry.ID
    amount: Money = strawberry.field(description="What is withdrawn.")
    status: WithdrawalStatus = strawberry.field(description="Where it is.")
    created_at: datetime = strawberry.field(description="When it was asked for.")
    paid_at: datetime | None = strawberry.field(description="When it was paid; null until then.")
    failed_at: datetime | None = strawberry.field(description="When it failed; null unless it did.")
    failure_reason: str | None = strawberry.field(
        description="WeChat Pay's fail_reason (e.g. PAYEE_ACCOUNT_ABNORMAL), CANCELLED, or its refusal's code."
    )
    transfer_state: str | None = strawberry.field(
        description="WeChat Pay's state of the transfer bill: ACCEPTED, PROCESSING, WAIT_USER_CONFIRM, TRANSFERING,"
        " SUCCESS, FAIL, CANCELING, CANCELLED; null before WeChat Pay answered (and in dev mode)."
    )
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> Withdrawal:
        return cls(
            id=strawberry.ID(to_global_id("Withdrawal", doc["_id"])),
            amount=Money.fen(doc["amount"]),
            status=WithdrawalStatus(rules.status_of(doc["status"])),
            created_at=when(doc["createdAt"]) or datetime.now(),
            paid_at=when(doc.get("paidAt")),
            failed_at=when(doc.get("failedAt")),
            failure_reason=doc.get("failReason"),
            transfer_state=doc.get("transferState"),
            doc=doc,
        )

    @strawberry.field(
        description="While the transfer waits for the user (WAIT_USER_CONFIRM, TRANSFERING): pass these to"
        " wx.requestMerchantTransfer in the mini-program; null otherwise."
    )
    def confirm_params(self, info: Info) -> WithdrawalConfirmParams | None:
        params = payouts_uc.confirm_params(info.context.services, self.doc)
        if params is None:
            return None
        return WithdrawalConfirmParams(mch_id=params["mchId"], app_id=params["appId"], package=params["package"])


async def withdrawal_visible(info: Info, doc: Doc) -> bool:
    return info.context.viewer_id == doc["userId"]


register_node("Withdrawal", "withdrawal", Withdrawal.from_doc, withdrawal_visible)


@strawberry.type
class WithdrawalEdge:
    node: Withdrawal
    cursor: str


@strawberry.type
class WithdrawalConnection:
    edges: list[WithdrawalEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page, after: str | None) -> WithdrawalConnection:
        edges = [
            WithdrawalEdge(node=Withdrawal.from_doc(d), cursor=c) for d, c in zip(page.docs, page.cursors, strict=True)
        ]
        return cls(edges=edges, page_info=PageInfo.of(page, after))


@strawberry.input
class WithdrawInput:
    amount: Long = strawberry.field(
        description=("Fen, from 100 (1 yuan) to WITHDRAWAL_MAX, at most the available balance.")
    )
    idempotency_key: str = strawberry.field(description="1 to 64 characters: a retry with the same key withdraws once.")


@strawberry.type
class WithdrawalPayload:
    withdrawal: Withdrawal | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PayoutMutations:
    @payload_mutation(
        WithdrawalPayload,
        description="From the available balance to the viewer's WeChat balance by WeChat Pay's merchant transfer,"
        " once per key (the same key again answers the withdrawal as it is now): at least 1 yuan, at most"
        " WITHDRAWAL_MAX (1999.99 yuan). The withdrawal is PROCESSING until WeChat Pay reports the end: the user"
        " confirms the receipt with confirmParams (wx.requestMerchantTransfer); unconfirmed after"
        " WITHDRAWAL_CONFIRM_HOURS (48) it is cancelled. A FAILED one's money is back in the available balance."
        " In dev mode without WeChat Pay it is PAID at once and no money moves anywhere; outside dev mode without"
        " WeChat Pay, and for a user not signed in with WeChat, it is refused (PAYMENT_FAILED).",
    )
    async def withdraw_commission(self, info: Info, input: WithdrawInput) -> WithdrawalPayload:
        doc = await payouts_uc.withdraw(
            info.context.services, info.context.require_viewer(), input.amount, input.idempotency_key
        )
        return WithdrawalPayload(withdrawal=Withdrawal.from_doc(doc))
