"""The merchant's order desk: shop staff and their invites, Shop.orders / orderCounts / staff (the fields on Shop
call these), the CSV export and the shopOrderEvents subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from enum import Enum

import strawberry

from domain import order_desk as desk_rules
from domain import staff as staff_rules
from domain.ids import to_global_id
from resolvers import after_sales as after_sales_uc
from resolvers import order_desk as desk_uc
from resolvers import order_export as export_uc
from resolvers import staff as staff_uc
from resolvers.errors import Refused
from schema.after_sales import AfterSaleConnection, AfterSaleStatus
from schema.catalog import Shop
from schema.common import UserError, described_value, page_size
from schema.context import Info
from schema.coupons import epoch_ms
from schema.mutations import payload_mutation
from schema.nodes import raw_id
from schema.orders import Order, OrderConnection, OrderStatus, when
from schema.staff import SHOP, Staff
from schema.users import User
from store.protocol import Doc

STAFF_LIST_MAX = 200


@strawberry.enum(description="OWNER is implicit (whoever opened the shop) and never given; staff hold the others.")
class ShopStaffRole(Enum):
    OWNER = described_value(staff_rules.OWNER, "Whoever opened the shop: may do anything, and alone manages staff.")
    ADMIN = described_value(
        staff_rules.ADMIN, "Everything but managing staff: products, campaigns, coupons, settings, orders, after-sales."
    )
    CUSTOMER_SERVICE = described_value(
        staff_rules.CUSTOMER_SERVICE, "Orders and after-sales (answering buyers), not goods or shipping."
    )
    WAREHOUSE = described_value(staff_rules.WAREHOUSE, "Shipping, stock counts and returns received.")


@strawberry.type(description="Someone who works for a shop.")
class ShopStaffMember:
    roles: list[ShopStaffRole] = strawberry.field(description="What they may do.")
    added_at: datetime = strawberry.field(description="When they joined.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> ShopStaffMember:
        return cls(
            roles=[ShopStaffRole(r) for r in doc["roles"]], added_at=when(doc["addedAt"]) or datetime.now(), doc=doc
        )

    @strawberry.field(description="The staff member; null when their account is gone.")
    async def user(self, info: Info) -> User | None:
        found = await info.context.loaders.user.load(self.doc["userId"])
        return User.from_doc(found) if found else None


@strawberry.type(description="A shop the viewer owns or works for.")
class ShopMembership:
    roles: list[ShopStaffRole] = strawberry.field(description="[OWNER] for a shop the viewer opened.")
    since: datetime | None = strawberry.field(description="When they joined its staff; null for their own shop.")
    shop_id: strawberry.Private[str]

    @strawberry.field(description="The shop; null when it is gone.")
    async def shop(self, info: Info) -> Shop | None:
        found = await info.context.loaders.shop.load(self.shop_id)
        return Shop.from_doc(found) if found else None


@strawberry.type(description="An invitation to join a shop's staff.")
class ShopStaffInvite:
    id: strawberry.ID = strawberry.field(description="The invite's id.")
    roles: list[ShopStaffRole] = strawberry.field(description="The roles it gives.")
    expires_at: datetime = strawberry.field(description="When its code stops working.")


@strawberry.type(description="How many of a shop's orders are in one status.")
class OrderCount:
    status: OrderStatus = strawberry.field(description="The status.")
    count: int = strawberry.field(description="Orders in it now.")


@strawberry.enum(description="What happened at a shop's order desk.")
class ShopOrderEventKind(Enum):
    ORDER_PAID = described_value(desk_rules.ORDER_PAID, "An order was paid: ship it.")
    AFTER_SALE_REQUESTED = described_value(desk_rules.AFTER_SALE_REQUESTED, "A buyer asked for money back.")
    AFTER_SALE_TIMED_OUT = described_value(
        desk_rules.AFTER_SALE_TIMED_OUT, "The shop did not answer an after-sale in time: the platform approved it."
    )


@strawberry.type(description="An event of a shop's order desk, for its staff.")
class ShopOrderEvent:
    kind: ShopOrderEventKind = strawberry.field(description="What happened.")
    at: datetime = strawberry.field(description="When.")
    after_sale_id: strawberry.ID | None = strawberry.field(description="For the after-sale events.")
    order_id: strawberry.Private[str | None]

    @strawberry.field(description="The order it is about; null when it is gone.")
    async def order(self, info: Info) -> Order | None:
        found = await info.context.loaders.order.load(self.order_id) if self.order_id else None
        return Order.from_doc(found) if found else None


# -- the fields on Shop (schema/catalog.py) ------------------------------------------------------------------
async def shop_orders(
    info: Info,
    shop: Doc,
    status: OrderStatus | None,
    query: str | None,
    placed_from: datetime | None,
    placed_to: datetime | None,
    first: int | None,
    after: str | None,
) -> OrderConnection:
    await staff_uc.check(info.context.services, shop, info.context.require_viewer(), staff_rules.ROLES, [])
    page = await desk_uc.shop_orders(
        info.context.services,
        shop["_id"],
        page_size(first),
        after,
        status=status.value if status else None,
        query=query,
        placed_from=epoch_ms(placed_from) if placed_from else None,
        placed_to=epoch_ms(placed_to) if placed_to else None,
    )
    return await OrderConnection.of(info, page, after)


async def shop_after_sales(
    info: Info, shop: Doc, status: AfterSaleStatus | None, first: int | None, after: str | None
) -> AfterSaleConnection:
    await staff_uc.check(info.context.services, shop, info.context.require_viewer(), staff_rules.ROLES, [])
    size = page_size(first)
    found = await after_sales_uc.list_for_shop(
        info.context.services, shop["_id"], status.value if status else None, size, after
    )
    return await AfterSaleConnection.of(info, found, after)


async def order_counts(info: Info, shop: Doc) -> list[OrderCount]:
    await staff_uc.check(info.context.services, shop, info.context.require_viewer(), staff_rules.ROLES, [])
    counts = await desk_uc.order_counts(info.context.services, shop["_id"])
    return [OrderCount(status=s, count=counts.get(s.value, 0)) for s in OrderStatus]


async def shop_staff(info: Info, shop: Doc) -> list[ShopStaffMember]:
    services = info.context.services
    await staff_uc.check(services, shop, info.context.require_viewer(), [staff_rules.ADMIN], [])
    page = await staff_uc.staff_page(services, shop["_id"], STAFF_LIST_MAX, None)
    return [ShopStaffMember.from_doc(d) for d in page.docs]


async def memberships(info: Info, user_id: str) -> list[ShopMembership]:
    found = await staff_uc.memberships(info.context.services, user_id)
    return [
        ShopMembership(roles=[ShopStaffRole(r) for r in roles], since=when(m["since"]), shop_id=m["shopId"])
        for m, roles in found
    ]


# -- mutations -------------------------------------------------------------------------------------------------
@strawberry.input
class InviteShopStaffInput:
    shop_id: strawberry.ID
    roles: list[ShopStaffRole] = strawberry.field(
        description=("Roles, among ADMIN, CUSTOMER_SERVICE and WAREHOUSE (OWNER is never given).")
    )


@strawberry.input
class AcceptShopStaffInviteInput:
    code: str = strawberry.field(description="The invite's code.")


@strawberry.input
class UpdateShopStaffInput:
    shop_id: strawberry.ID
    user_id: strawberry.ID = strawberry.field(description="A staff member.")
    roles: list[ShopStaffRole] = strawberry.field(
        description=(
            "Roles, among ADMIN, CUSTOMER_SERVICE and WAREHOUSE (OWNER is never given). They replace the old ones."
        )
    )


@strawberry.input
class RemoveShopStaffInput:
    shop_id: strawberry.ID
    user_id: strawberry.ID = strawberry.field(description="A staff member.")


@strawberry.input
class ExportShopOrdersInput:
    shop_id: strawberry.ID
    from_: datetime = strawberry.field(name="from", description="Orders placed at or after this time,")
    to: datetime = strawberry.field(description="and before this one: at most 93 days after `from`.")


@strawberry.type
class InviteShopStaffPayload:
    invite: ShopStaffInvite | None = None
    code: str | None = strawberry.field(
        default=None, description="Give it to the invitee (shown once): acceptShopStaffInvite takes it."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ShopMembershipPayload:
    membership: ShopMembership | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ShopStaffPayload:
    staff_member: ShopStaffMember | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ExportShopOrdersPayload:
    url: str | None = strawberry.field(
        default=None, description="GET it (relative to this API's origin) for the CSV; it works until expiresAt."
    )
    expires_at: datetime | None = strawberry.field(default=None, description="When the URL stops working.")
    errors: list[UserError] = strawberry.field(default_factory=list)


def _shop(input: InviteShopStaffInput | UpdateShopStaffInput | RemoveShopStaffInput | ExportShopOrdersInput) -> str:
    return raw_id(input.shop_id, "Shop", "input", "shopId")


def _user(input: UpdateShopStaffInput | RemoveShopStaffInput) -> str:
    return raw_id(input.user_id, "User", "input", "userId")


@strawberry.type
class OrderDeskMutations:
    @payload_mutation(
        InviteShopStaffPayload,
        staff=Staff(SHOP, staff_rules.OWNER),
        description="The shop's owner only: a code, single use, valid STAFF_INVITE_HOURS (72 h by default).",
    )
    async def invite_shop_staff(self, info: Info, input: InviteShopStaffInput) -> InviteShopStaffPayload:
        roles = [r.value for r in input.roles]
        doc, code = await staff_uc.invite(info.context.services, info.context.require_viewer(), _shop(input), roles)
        invite = ShopStaffInvite(
            id=strawberry.ID(to_global_id("ShopStaffInvite", doc["_id"])),
            roles=input.roles,
            expires_at=when(doc["expiresAt"]) or datetime.now(),
        )
        return InviteShopStaffPayload(invite=invite, code=code)

    @payload_mutation(ShopMembershipPayload, description="Join a shop's staff with an invite's code (once).")
    async def accept_shop_staff_invite(self, info: Info, input: AcceptShopStaffInviteInput) -> ShopMembershipPayload:
        member = await staff_uc.accept(info.context.services, info.context.require_viewer(), input.code)
        membership = ShopMembership(
            roles=[ShopStaffRole(r) for r in member["roles"]], since=when(member["addedAt"]), shop_id=member["shopId"]
        )
        return ShopMembershipPayload(membership=membership)

    @payload_mutation(
        ShopStaffPayload, staff=Staff(SHOP, staff_rules.OWNER), description="The shop's owner only: replace the roles."
    )
    async def update_shop_staff(self, info: Info, input: UpdateShopStaffInput) -> ShopStaffPayload:
        roles = [r.value for r in input.roles]
        member = await staff_uc.update(info.context.services, _shop(input), _user(input), roles)
        return ShopStaffPayload(staff_member=ShopStaffMember.from_doc(member))

    @payload_mutation(
        ShopStaffPayload, staff=Staff(SHOP, staff_rules.OWNER), description="The shop's owner only; returns who left."
    )
    async def remove_shop_staff(self, info: Info, input: RemoveShopStaffInput) -> ShopStaffPayload:
        member = await staff_uc.remove(info.context.services, _shop(input), _user(input))
        return ShopStaffPayload(staff_member=ShopStaffMember.from_doc(member))

    @payload_mutation(
        ExportShopOrdersPayload,
        staff=Staff(SHOP, staff_rules.CUSTOMER_SERVICE, staff_rules.WAREHOUSE),
        limit="EXPORTS_PER_MINUTE",
        description="The shop's staff: a signed URL of the CSV of its orders placed in [from, to), valid"
        " EXPORT_URL_MINUTES (10 by default).",
    )
    async def export_shop_orders(self, info: Info, input: ExportShopOrdersInput) -> ExportShopOrdersPayload:
        export = export_uc.issue(
            info.context.services,
            info.context.require_viewer(),
            _shop(input),
            epoch_ms(input.from_),
            epoch_ms(input.to),
        )
        return ExportShopOrdersPayload(url=export.url, expires_at=when(export.expires_at))


@strawberry.type
class OrderDeskSubscriptions:
    @strawberry.subscription(
        description="The shop's staff: each newly paid order, new after-sale request and request that timed out."
    )
    async def shop_order_events(self, info: Info, shop_id: strawberry.ID) -> AsyncGenerator[ShopOrderEvent, None]:
        shop = raw_id(shop_id, "Shop", "shopId")
        services = info.context.services
        viewer = info.context.require_viewer()
        await staff_uc.require(services, shop, viewer, staff_rules.ROLES, ["shopId"])
        async with services.backends.bus.subscribe(desk_uc.shop_topic(shop)) as events:
            async for envelope in events:
                try:  # a member removed meanwhile hears no more
                    await staff_uc.require(services, shop, viewer, staff_rules.ROLES, ["shopId"])
                except Refused:
                    return
                event = envelope.data
                info.context.renew_loaders()
                after_sale = event.get("afterSaleId")
                yield ShopOrderEvent(
                    kind=ShopOrderEventKind(event["kind"]),
                    at=when(event["at"]) or datetime.now(),
                    after_sale_id=strawberry.ID(to_global_id("AfterSale", after_sale)) if after_sale else None,
                    order_id=event.get("orderId"),
                )
