"""The viewer's address book (`me { addresses }`), its mutations, and the address an order ships to."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.addresses import masked
from domain.ids import to_global_id
from resolvers import addresses as addresses_uc
from resolvers.addresses import Book
from schema.common import Node, UserError
from schema.context import Info
from schema.mutations import payload_mutation
from schema.nodes import load_typed, raw_id, register_node
from store.protocol import Doc

PHONE_MASKED = "The phone as lists show it: 138****1234."
RECIPIENT = "Who receives the parcel, 1 to 25 characters."
DETAIL = "Street, building and room, 1 to 120 characters."
POSTCODE = "6 digits; null when not given."
NAME = "The region's name, from its code."


@strawberry.type(description="An address of the viewer's address book; only its owner ever sees it.")
class Address(Node):
    id: strawberry.ID
    recipient: str = strawberry.field(description=RECIPIENT)
    phone: str = strawberry.field(description=PHONE_MASKED)
    full_phone: str = strawberry.field(description="The whole number, for the owner's edit form.")
    province_code: str = strawberry.field(description="GB/T 2260, e.g. 440000.")
    province_name: str = strawberry.field(description=NAME)
    city_code: str = strawberry.field(description="GB/T 2260, e.g. 440300; a municipality's is its 市辖区 (110100).")
    city_name: str = strawberry.field(description="A municipality's city is named after it (北京市).")
    district_code: str = strawberry.field(
        description="GB/T 2260, e.g. 440305; in a city without districts (东莞, 中山) its town's 9-digit code."
    )
    district_name: str = strawberry.field(description=NAME)
    detail: str = strawberry.field(description=DETAIL)
    postcode: str | None = strawberry.field(description=POSTCODE)
    doc: strawberry.Private[Doc]
    default_id: strawberry.Private[str | object | None] = strawberry.UNSET

    @strawberry.field(description="Exactly one address of a book is its default.")
    async def is_default(self, info: Info) -> bool:
        default_id = self.default_id
        if default_id is strawberry.UNSET:  # found by its id (node): its book tells
            default_id = (await addresses_uc.book(info.context.services, self.doc["userId"])).default_id
        return self.doc["_id"] == default_id

    @classmethod
    def from_doc(cls, doc: Doc, default_id: str | object | None = strawberry.UNSET) -> Address:
        return cls(
            id=strawberry.ID(to_global_id("Address", doc["_id"])),
            recipient=doc["recipient"],
            phone=masked(doc["phone"]),
            full_phone=doc["phone"],
            province_code=doc["provinceCode"],
            province_name=doc["provinceName"],
            city_code=doc["cityCode"],
            city_name=doc["cityName"],
            district_code=doc["districtCode"],
            district_name=doc["districtName"],
            detail=doc["detail"],
            postcode=doc.get("postcode"),
            doc=doc,
            default_id=default_id,
        )

    @classmethod
    def list_of(cls, book: Book) -> list[Address]:
        return [cls.from_doc(a, book.default_id) for a in book.addresses]


@strawberry.type(description="The address an order ships to, as it was at checkout (a later edit does not change it).")
class OrderAddress:
    recipient: str = strawberry.field(description=RECIPIENT)
    phone: str = strawberry.field(description=PHONE_MASKED)
    full_phone: str | None = strawberry.field(
        description="The whole number when one order is asked for (order, node, a mutation's payload); null in lists."
    )
    province_code: str = strawberry.field(description="GB/T 2260, e.g. 440000.")
    province_name: str = strawberry.field(description=NAME)
    city_code: str = strawberry.field(description="GB/T 2260, e.g. 440300.")
    city_name: str = strawberry.field(description=NAME)
    district_code: str = strawberry.field(description="GB/T 2260, e.g. 440305, or a town's 9-digit code.")
    district_name: str = strawberry.field(description=NAME)
    detail: str = strawberry.field(description=DETAIL)
    postcode: str | None = strawberry.field(description=POSTCODE)

    @classmethod
    def of(cls, snapshot: Doc, listed: bool) -> OrderAddress:
        return cls(
            recipient=snapshot["recipient"],
            phone=masked(snapshot["phone"]),
            full_phone=None if listed else snapshot["phone"],
            province_code=snapshot["provinceCode"],
            province_name=snapshot["provinceName"],
            city_code=snapshot["cityCode"],
            city_name=snapshot["cityName"],
            district_code=snapshot["districtCode"],
            district_name=snapshot["districtName"],
            detail=snapshot["detail"],
            postcode=snapshot.get("postcode"),
        )


async def address_node(info: Info, doc: Doc) -> bool:
    return doc["userId"] == info.context.viewer_id


register_node("Address", "address", Address.from_doc, address_node)


@strawberry.type
class AddressQueries:
    @strawberry.field(description="One of the viewer's addresses (null for anyone else's); the book is me.addresses.")
    async def address(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The address's global id.")]
    ) -> Address | None:
        found: Address | None = await load_typed(info, id, "Address", "id")
        return found


@strawberry.input
class AddressInput:
    recipient: str = strawberry.field(description=RECIPIENT)
    phone: str = strawberry.field(description="A mainland mobile number (11 digits, 13x-19x).")
    province_code: str = strawberry.field(description="GB/T 2260, e.g. 440000.")
    city_code: str = strawberry.field(description="GB/T 2260, in that province.")
    district_code: str = strawberry.field(description="GB/T 2260 (or a town's 9-digit code), in that city.")
    detail: str = strawberry.field(description=DETAIL)
    postcode: str | None = strawberry.field(default=None, description="6 digits.")
    is_default: bool = strawberry.field(default=False, description="Make it the default (false changes nothing).")


@strawberry.input
class UpdateAddressInput:
    address_id: strawberry.ID = strawberry.field(description="One of the viewer's addresses.")
    recipient: str | None = strawberry.field(default=None, description="As in AddressInput; not given: unchanged.")
    phone: str | None = strawberry.field(default=None, description="As in AddressInput; not given: unchanged.")
    province_code: str | None = strawberry.field(default=None, description="As in AddressInput; not given: unchanged.")
    city_code: str | None = strawberry.field(default=None, description="As in AddressInput; not given: unchanged.")
    district_code: str | None = strawberry.field(default=None, description="As in AddressInput; not given: unchanged.")
    detail: str | None = strawberry.field(default=None, description="As in AddressInput; not given: unchanged.")
    postcode: str | None = strawberry.field(default=strawberry.UNSET, description="null removes it.")
    is_default: bool = strawberry.field(default=False, description="Make it the default (false changes nothing).")


@strawberry.input
class AddressIdInput:
    address_id: strawberry.ID = strawberry.field(description="One of the viewer's addresses.")


@strawberry.input(
    description="Exactly the fields of the object wx.chooseAddress() returns (errMsg aside); the first address of a"
    " book becomes its default, any other is made one with setDefaultAddress."
)
class ImportWechatAddressInput:
    user_name: str = strawberry.field(description="The recipient (wx.chooseAddress userName).")
    tel_number: str = strawberry.field(description="The phone (telNumber).")
    province_name: str = strawberry.field(description="provinceName, as WeChat gives it.")
    city_name: str = strawberry.field(description="cityName, as WeChat gives it.")
    county_name: str = strawberry.field(description="countyName, as WeChat gives it.")
    detail_info: str = strawberry.field(description="detailInfo: street, building and room.")
    national_code: str = strawberry.field(description="The district's GB/T 2260 code; it decides the region.")
    postal_code: str | None = strawberry.field(default=None, description="postalCode, as WeChat gives it.")


@strawberry.type
class AddressPayload:
    address: Address | None = None
    addresses: list[Address] | None = strawberry.field(default=None, description="The whole book after the change.")
    errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, result: tuple[Doc, Book]) -> AddressPayload:
        doc, book = result
        return cls(address=Address.from_doc(doc, book.default_id), addresses=Address.list_of(book))


@strawberry.type
class DeleteAddressPayload:
    deleted_address_id: strawberry.ID | None = strawberry.field(
        default=None, description=("The address deleted; null when refused.")
    )
    addresses: list[Address] | None = strawberry.field(default=None, description="The whole book after the change.")
    errors: list[UserError] = strawberry.field(default_factory=list)


def _address_id(input: AddressIdInput | UpdateAddressInput) -> str:
    return raw_id(input.address_id, "Address", "input", "addressId")


def _address_fields(input: AddressInput | UpdateAddressInput) -> dict[str, str | None]:
    """The stored fields an input names (update inputs leave out what does not change: None)."""
    return {
        "recipient": input.recipient,
        "phone": input.phone,
        "provinceCode": input.province_code,
        "cityCode": input.city_code,
        "districtCode": input.district_code,
        "detail": input.detail,
    }


@strawberry.type
class AddressMutations:
    @payload_mutation(AddressPayload, description="At most 20 per user; the first becomes the default.")
    async def create_address(self, info: Info, input: AddressInput) -> AddressPayload:
        fields: dict[str, str | None] = {**_address_fields(input), "postcode": input.postcode}
        result = await addresses_uc.create_address(
            info.context.services, info.context.require_viewer(), fields, input.is_default
        )
        return AddressPayload.of(result)

    @payload_mutation(AddressPayload, description="The fields given change; orders keep the address they shipped to.")
    async def update_address(self, info: Info, input: UpdateAddressInput) -> AddressPayload:
        changes: dict[str, str | None] = {k: v for k, v in _address_fields(input).items() if v is not None}
        if input.postcode is not strawberry.UNSET:
            changes["postcode"] = input.postcode
        result = await addresses_uc.update_address(
            info.context.services, info.context.require_viewer(), _address_id(input), changes, input.is_default
        )
        return AddressPayload.of(result)

    @payload_mutation(AddressPayload, description="One default per book: the one set last wins.")
    async def set_default_address(self, info: Info, input: AddressIdInput) -> AddressPayload:
        result = await addresses_uc.set_default_address(
            info.context.services, info.context.require_viewer(), _address_id(input)
        )
        return AddressPayload.of(result)

    @payload_mutation(DeleteAddressPayload, description="Deleting the default makes the oldest other one the default.")
    async def delete_address(self, info: Info, input: AddressIdInput) -> DeleteAddressPayload:
        address_id = _address_id(input)
        book = await addresses_uc.delete_address(info.context.services, info.context.require_viewer(), address_id)
        return DeleteAddressPayload(deleted_address_id=input.address_id, addresses=Address.list_of(book))

    @payload_mutation(
        AddressPayload,
        description="Saves what wx.chooseAddress() returned; nationalCode decides the region and the names must agree.",
    )
    async def import_wechat_address(self, info: Info, input: ImportWechatAddressInput) -> AddressPayload:
        wx = {
            "userName": input.user_name,
            "telNumber": input.tel_number,
            "provinceName": input.province_name,
            "cityName": input.city_name,
            "countyName": input.county_name,
            "detailInfo": input.detail_info,
            "nationalCode": input.national_code,
            "postalCode": input.postal_code or "",
        }
        result = await addresses_uc.import_wechat_address(info.context.services, info.context.require_viewer(), wx)
        return AddressPayload.of(result)
