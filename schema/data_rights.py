"""Data rights (PIPL): exportMyData, deleteMyAccount, cancelAccountDeletion. Each acts on the viewer alone: no
argument names a user."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from domain import account_deletion as deletion_rules
from domain import data_export as export_rules
from domain.ids import to_global_id
from resolvers import account_deletion as deletion_uc
from resolvers import data_export as export_uc
from schema.common import Long, UserError, described_value
from schema.context import Info
from schema.mutations import payload_mutation
from schema.orders import when
from store.protocol import Doc


@strawberry.enum(
    description="PREPARING -> READY (its url works until expiresAt) -> EXPIRED; FAILED if it could not be made."
)
class DataExportStatus(Enum):
    PREPARING = described_value(export_rules.PREPARING, "Being written; asking again returns this one.")
    READY = described_value(export_rules.READY, "Written: `url` works until `expiresAt`.")
    FAILED = described_value(export_rules.FAILED, "It could not be written; ask again.")
    EXPIRED = described_value(export_rules.EXPIRED, "Past expiresAt: the file is deleted.")


@strawberry.enum(description="The archive's format.")
class DataExportFormat(Enum):
    JSON = strawberry.enum_value(
        "JSON",
        description="One JSON document: {format, exportId, userId, exportedAt, "
        "sections: {name: [documents as stored]}, counts: {name: n}}.",
    )


@strawberry.type(description="One kind of data in an export.")
class DataExportSection:
    name: str = strawberry.field(description="The section, e.g. orders.")
    count: int = strawberry.field(description="Documents in it.")


@strawberry.type(description="An archive of everything the service holds about the viewer.")
class DataExport:
    id: strawberry.ID = strawberry.field(description="The export's id.")
    status: DataExportStatus = strawberry.field(description="Where it is.")
    requested_at: datetime = strawberry.field(description="When it was asked for.")
    ready_at: datetime | None = strawberry.field(description="When it was written; null until then.")
    expires_at: datetime | None = strawberry.field(description="When the url stops working and the file is deleted.")
    size_bytes: Long | None = strawberry.field(description="The archive's size; null until READY.")
    doc: strawberry.Private[Doc]

    @classmethod
    def from_doc(cls, doc: Doc) -> DataExport:
        return cls(
            id=strawberry.ID(to_global_id("DataExport", doc["_id"])),
            status=DataExportStatus(doc["status"]),
            requested_at=when(doc["requestedAt"]) or datetime.now(),
            ready_at=when(doc.get("readyAt")),
            expires_at=when(doc.get("expiresAt")),
            size_bytes=Long(doc["bytes"]) if doc.get("bytes") is not None else None,
            doc=doc,
        )

    @strawberry.field(
        description="READY only: the download's signed link (a path on this API's origin, GET, no Authorization "
        "needed), valid until expiresAt; a forged one answers 403, an expired one 410."
    )
    def url(self, info: Info) -> str | None:
        return export_uc.download_path(info.context.services, self.doc)

    @strawberry.field(description="READY only: the archive's sections and how many documents each holds.")
    def sections(self) -> list[DataExportSection]:
        return [DataExportSection(name=k, count=v) for k, v in (self.doc.get("counts") or {}).items()]


@strawberry.enum(
    description="PENDING (cooling-off: cancelAccountDeletion undoes it, logging in works) -> ERASING -> DONE; "
    "PENDING -> CANCELLED."
)
class AccountDeletionStatus(Enum):
    PENDING = described_value(
        deletion_rules.PENDING, "In its cooling-off period (cancelAccountDeletion undoes it), or blocked."
    )
    CANCELLED = described_value(deletion_rules.CANCELLED, "Undone by the user.")
    ERASING = described_value(deletion_rules.ERASING, "Being carried out.")
    DONE = described_value(deletion_rules.DONE, "The account and its personal data are erased.")


@strawberry.enum(description="What stops an account's deletion (the codes of deleteMyAccount's errors).")
class AccountDeletionBlocker(Enum):
    BALANCE_NOT_EMPTY = described_value(deletion_rules.BALANCE_NOT_EMPTY, "The commission balance is not empty.")
    OPEN_ORDERS = described_value(deletion_rules.OPEN_ORDERS, "Orders are not finished.")
    OPEN_AFTER_SALES = described_value(deletion_rules.OPEN_AFTER_SALES, "After-sale requests are not finished.")
    OPEN_WITHDRAWALS = described_value(deletion_rules.OPEN_WITHDRAWALS, "A withdrawal is not finished.")
    OWNS_SHOP = described_value(deletion_rules.OWNS_SHOP, "The user owns a shop.")


@strawberry.type(description="The viewer's request to delete their account; theirs only.")
class AccountDeletion:
    status: AccountDeletionStatus = strawberry.field(description="Where it is.")
    requested_at: datetime = strawberry.field(description="When it was asked for.")
    scheduled_for: datetime = strawberry.field(
        description="When it is carried out: the end of the cooling-off period (ACCOUNT_DELETION_COOLING_DAYS)."
    )
    cancelled_at: datetime | None = strawberry.field(description="When it was cancelled; null otherwise.")
    blocked_by: list[AccountDeletionBlocker] = strawberry.field(
        description="Why a due deletion waits (the user bought again meanwhile, say); looked at again hourly."
    )

    @classmethod
    def from_doc(cls, doc: Doc) -> AccountDeletion:
        return cls(
            status=AccountDeletionStatus(doc["status"]),
            requested_at=when(doc["requestedAt"]) or datetime.now(),
            scheduled_for=when(doc["dueAt"]) or datetime.now(),
            cancelled_at=when(doc.get("cancelledAt")),
            blocked_by=[AccountDeletionBlocker(b) for b in doc.get("blockedBy") or []],
        )


@strawberry.input
class ExportMyDataInput:
    format: DataExportFormat = strawberry.field(default=DataExportFormat.JSON, description="The archive's format.")
    client_mutation_id: str | None = None


@strawberry.input
class DeleteMyAccountInput:
    reason: str | None = strawberry.field(
        default=None, description="Why (optional, at most 200 characters); cleared once the deletion is done."
    )
    client_mutation_id: str | None = None


@strawberry.input
class CancelAccountDeletionInput:
    client_mutation_id: str | None = None


@strawberry.type
class DataExportPayload:
    data_export: DataExport | None = None
    client_mutation_id: str | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AccountDeletionPayload:
    account_deletion: AccountDeletion | None = None
    client_mutation_id: str | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DataRightsMutations:
    @payload_mutation(
        DataExportPayload,
        limit="DATA_EXPORTS_PER_MINUTE",
        description="A JSON archive of everything about the viewer, prepared in the background: poll "
        "me { dataExport { status url } } until READY. Asking while one is PREPARING returns that one.",
    )
    async def export_my_data(self, info: Info, input: ExportMyDataInput) -> DataExportPayload:
        doc = await export_uc.request_export(info.context.services, info.context.require_viewer())
        return DataExportPayload(data_export=DataExport.from_doc(doc), client_mutation_id=input.client_mutation_id)

    @payload_mutation(
        AccountDeletionPayload,
        description="Deletes the viewer's account after ACCOUNT_DELETION_COOLING_DAYS (until then it can be "
        "cancelled and logging in works). Asking again returns the same pending deletion. Refused, one error each, "
        "with BALANCE_NOT_EMPTY, OPEN_ORDERS, OPEN_AFTER_SALES, OPEN_WITHDRAWALS or OWNS_SHOP.",
    )
    async def delete_my_account(self, info: Info, input: DeleteMyAccountInput) -> AccountDeletionPayload:
        doc = await deletion_uc.request_deletion(info.context.services, info.context.require_viewer(), input.reason)
        return AccountDeletionPayload(
            account_deletion=AccountDeletion.from_doc(doc), client_mutation_id=input.client_mutation_id
        )

    @payload_mutation(
        AccountDeletionPayload,
        description="Undoes the viewer's pending deletion (idempotent). NOT_FOUND without one; INVALID_STATE once "
        "it is being carried out.",
    )
    async def cancel_account_deletion(self, info: Info, input: CancelAccountDeletionInput) -> AccountDeletionPayload:
        doc = await deletion_uc.cancel_deletion(info.context.services, info.context.require_viewer())
        return AccountDeletionPayload(
            account_deletion=AccountDeletion.from_doc(doc), client_mutation_id=input.client_mutation_id
        )
