"""Trusted documents (GraphQL-over-HTTP's persisted documents appendix). A client's build writes a manifest,
`{"sha256:<hex of the document>": "<document>"}` (clients/sdk does, with graphql-codegen); the server loads the
manifests named by TRUSTED_DOCUMENTS, and a request may then send `{"documentId": "sha256:..."}` (or
`?documentId=` on a GET) instead of its query. With TRUSTED_DOCUMENTS_ONLY (the production mode) a document that
is in no manifest is refused before it is parsed, so arbitrary queries never reach the executor; dev mode keeps
free queries for GraphiQL."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import orjson

PREFIX = "sha256:"
DOCUMENT_ID = re.compile(r"sha256:[0-9a-f]{64}")
NOT_FOUND = "PERSISTED_DOCUMENT_NOT_FOUND"
REQUIRED = "PERSISTED_DOCUMENT_REQUIRED"
BAD_REQUEST = "BAD_REQUEST"
# Where clients/sdk's codegen writes its manifest: loaded when TRUSTED_DOCUMENTS is not set and the file is there.
SDK_MANIFEST = Path(__file__).parent / "clients" / "sdk" / "src" / "gql" / "persisted-documents.json"


class DocumentRefused(Exception):
    """A request whose document cannot run: answered with `status` and `code` before anything is parsed."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class BadManifest(ValueError):
    """A manifest that is not `{"sha256:<hex>": document}` with each id the hash of its document."""


def document_id(document: str) -> str:
    """The id of a document's exact text (what codegen writes as its key)."""
    return PREFIX + hashlib.sha256(document.encode()).hexdigest()


@dataclass(frozen=True)
class TrustedDocuments:
    documents: Mapping[str, str] = field(default_factory=dict)
    only: bool = False

    @classmethod
    def load(cls, paths: Iterable[Path], *, only: bool = False) -> TrustedDocuments:
        """The documents of every manifest; BadManifest for a file that cannot be read as one. An id must be the
        hash of its document: a mismatch would let one document run under another's id (and another's cache)."""
        documents: dict[str, str] = {}
        for path in paths:
            try:
                manifest = orjson.loads(path.read_bytes())
            except (OSError, orjson.JSONDecodeError) as exc:
                raise BadManifest(f"trusted documents {path}: {exc}") from None
            if not isinstance(manifest, dict):
                raise BadManifest(f"trusted documents {path}: expected an object of id -> document")
            for key, text in manifest.items():
                if not isinstance(text, str) or key != document_id(text):
                    raise BadManifest(f"trusted documents {path}: {key[:80]!r} is not the sha256 of its document")
                documents[key] = text
        return cls(documents, only)

    def resolve(self, query: object, requested_id: object) -> object:
        """The document text a request runs: its `documentId`'s, or its own query (when that may run)."""
        if requested_id is not None:
            if query not in (None, ""):  # graphql-ws clients must send a string query: "" beside an id
                raise DocumentRefused(400, BAD_REQUEST, "Send either a query or a documentId, not both")
            if not isinstance(requested_id, str):
                raise DocumentRefused(400, BAD_REQUEST, 'documentId must be a string: "sha256:<hex>"')
            text = self.documents.get(requested_id)
            if text is None:
                message = f"No trusted document {requested_id[:80]}: is the client newer than the server?"
                raise DocumentRefused(404, NOT_FOUND, message)
            return text
        if self.only and isinstance(query, str) and document_id(query) not in self.documents:
            raise DocumentRefused(
                400,
                REQUIRED,
                "This server runs trusted documents only (TRUSTED_DOCUMENTS_ONLY): send "
                '{"documentId": "sha256:..."} from the client\'s manifest instead of a query',
            )
        return query


def manifest_paths(setting: str | None) -> list[Path]:
    """TRUSTED_DOCUMENTS as paths (comma-separated); unset: the SDK's manifest when it has been generated."""
    if setting is None:
        return [SDK_MANIFEST] if SDK_MANIFEST.is_file() else []
    return [Path(p.strip()) for p in setting.split(",") if p.strip()]
