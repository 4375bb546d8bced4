"""Shipments: the packages of an order (Order.shipments), the packages shipOrder takes, and the carriers."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

import strawberry

from domain import carriers as carrier_rules
from domain import shipments as rules
from store.protocol import Doc


@strawberry.enum(description="Where WeChat's shipping information (发货信息管理) stands for a package.")
class WechatReportStatus(Enum):
    NOT_REQUIRED = strawberry.enum_value(
        rules.NOT_REQUIRED,
        description="Not reported: the order was not paid through WeChat Pay while WeChat was configured, or the "
        "package has no tracking number.",
    )
    PENDING = strawberry.enum_value(rules.PENDING, description="Not taken by WeChat yet; uploaded again later.")
    REPORTED = strawberry.enum_value(rules.REPORTED, description="WeChat has it.")
    FAILED = strawberry.enum_value(
        rules.FAILED,
        description="WeChat refused it or could not be reached for too long: enter it in the "
        "mini-program's admin (发货信息管理) by hand.",
    )


@strawberry.type(description="An express company, under the code WeChat's shipping information uses.")
class Carrier:
    code: str = strawberry.field(description="WeChat's code for it, e.g. SF.")
    name: str = strawberry.field(description="Its name, e.g. 顺丰速运.")

    @classmethod
    def of(cls, code: str) -> Carrier:
        found = carrier_rules.carrier(code)
        return cls(code=found.code, name=found.name)


@strawberry.type(description="Units of one order line in a package.")
class ShipmentLine:
    line_index: int = strawberry.field(description="Index into Order.lines.")
    quantity: int = strawberry.field(description="Units of that line in the package.")


@strawberry.type(description="One package that left the shop.")
class Shipment:
    id: strawberry.ID = strawberry.field(description="The package's id within its order.")
    carrier: Carrier | None = strawberry.field(description="None for a package shipped without tracking.")
    tracking_number: str | None = strawberry.field(
        description="The carrier's tracking number; null when shipped without tracking."
    )
    lines: list[ShipmentLine] = strawberry.field(description="What it holds.")
    shipped_at: datetime = strawberry.field(description="When it left.")
    wechat_report: WechatReportStatus = strawberry.field(
        description="Where its report to WeChat's shipping information stands."
    )

    @classmethod
    def of(cls, order: Doc, index: int) -> Shipment:
        doc = order["shipments"][index]
        return cls(
            id=strawberry.ID(doc["id"]),
            carrier=Carrier.of(doc["carrier"]) if doc.get("carrier") else None,
            tracking_number=doc.get("trackingNumber"),
            lines=[ShipmentLine(line_index=p["lineIndex"], quantity=p["quantity"]) for p in doc["lines"]],
            shipped_at=datetime.fromtimestamp(doc["shippedAt"] / 1000, UTC),
            wechat_report=WechatReportStatus(rules.report_status(order, index)),
        )


@strawberry.input(description="Units of one order line in a package.")
class PackageLineInput:
    line_index: int = strawberry.field(description="Index into Order.lines.")
    quantity: int = strawberry.field(description="Units of that line in the package, at least 1.")


@strawberry.input(description="One package leaving now.")
class PackageInput:
    carrier: str = strawberry.field(description="A code of the `carriers` query.")
    tracking_number: str = strawberry.field(description="1 to 40 letters, digits or dashes.")
    lines: list[PackageLineInput] = strawberry.field(description="What it holds: at least one line.")


def packages_of(inputs: list[PackageInput] | None) -> list[rules.Package] | None:
    if inputs is None:
        return None
    return [
        rules.Package(
            p.carrier,
            rules.normalize(p.tracking_number),
            tuple(rules.PackageLine(part.line_index, part.quantity) for part in p.lines),
        )
        for p in inputs
    ]


@strawberry.type
class ShipmentQueries:
    @strawberry.field(description="The express companies shipOrder takes, by the codes WeChat uses.")
    def carriers(self) -> list[Carrier]:
        return [Carrier(code=c.code, name=c.name) for c in carrier_rules.CARRIERS]
