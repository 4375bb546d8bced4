"""The schema's side of the Prometheus metrics (observability/metrics.py): operations, their latency and errors."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from strawberry.extensions import SchemaExtension

from observability.metrics import Metrics
from schema.errors import with_code


def count_operation(
    metrics: Metrics, name: str | None, operation_type: str, seconds: float, codes: Iterable[object]
) -> None:
    """One operation in the metrics: its count and time by (sanitised) name, and its errors by code. Also for the
    operations answered before the engine (schema/shortcuts.py)."""
    label = metrics.operation_label(name)
    metrics.child(metrics.operations, label, operation_type).inc()
    metrics.child(metrics.operation_seconds, label).observe(seconds)
    for code in codes:
        metrics.child(metrics.errors, str(code)).inc()


class OperationMetrics(SchemaExtension):
    """Counts each operation and its errors by code, and times it from parsing to the result (the app's Metrics,
    found through the context). Listed before ErrorCodes, so the errors it sees have their codes."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context.context
        metrics: Metrics | None = getattr(getattr(context, "services", None), "metrics", None)
        if metrics is None:
            return
        operation_type = self.execution_context.operation_type.value if self._has_type() else "unknown"
        result = self.execution_context.result
        codes = [
            (error.extensions or {}).get("code") or (with_code(error).extensions or {}).get("code")
            for error in (result.errors if result is not None else None) or []
        ]
        seconds = time.perf_counter() - started
        count_operation(metrics, self.execution_context.operation_name, operation_type, seconds, codes)

    def _has_type(self) -> bool:
        try:
            return self.execution_context.operation_type is not None
        except Exception:  # no operation in the document (it did not parse)
            return False
