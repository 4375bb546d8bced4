"""The schema's side of the Prometheus metrics (observability/metrics.py): operations, their latency and errors."""

from __future__ import annotations

import time
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from observability.metrics import Metrics
from schema.errors import with_code


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
        label = metrics.operation_label(self.execution_context.operation_name)
        operation_type = self.execution_context.operation_type.value if self._has_type() else "unknown"
        metrics.operations.labels(label, operation_type).inc()
        metrics.operation_seconds.labels(label).observe(time.perf_counter() - started)
        result = self.execution_context.result
        for error in (result.errors if result is not None else None) or []:
            code = (error.extensions or {}).get("code") or (with_code(error).extensions or {}).get("code")
            metrics.errors.labels(str(code)).inc()

    def _has_type(self) -> bool:
        try:
            return self.execution_context.operation_type is not None
        except Exception:  # no operation in the document (it did not parse)
            return False
