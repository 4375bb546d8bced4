"""Entry point: `python server.py serve | seed | rebuild-graph | export-schema | grant-operator USER_ID`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

import prefork
from observability.request_ids import RequestIdFilter
from settings import Settings, load_settings

STANDARD_RECORD_KEYS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in STANDARD_RECORD_KEYS})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def setup_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logging.basicConfig(level=level, handlers=[handler], force=True)


def _settings(args: argparse.Namespace) -> Settings:
    try:
        return load_settings(
            HOST=getattr(args, "host", None), PORT=getattr(args, "port", None), DATA_DIR=getattr(args, "data_dir", None)
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors())
        sys.exit(f"invalid settings: {problems}")


def cmd_serve(args: argparse.Namespace) -> None:

    from app import create_app

    settings = _settings(args)
    setup_logging(settings.LOG_LEVEL)
    try:
        workers = prefork.workers_of(args.workers)
    except ValueError as exc:
        sys.exit(str(exc))
    if workers > 1:
        if not settings.REDIS_URL:
            sys.exit(
                "--workers above 1 needs REDIS_URL: subscriptions, live rooms, rate limits and socket caps cross "
                "processes through Redis (the in-process bus would keep each worker's events to itself)"
            )
        os.environ["WORKERS"] = str(workers)
        settings = _settings(args)
        url = f"http://{settings.HOST}:{settings.PORT}/graphql"
        logging.getLogger("youxianggou").info("serving", extra={"url": url, "workers": workers})

        def run_worker(number: int) -> None:
            _run(create_app(settings, seed_demo=args.seed_demo and number == 0), settings, reuse_port=True)

        prefork.serve(workers, settings.HOST, settings.PORT, run_worker)
        return
    logging.getLogger("youxianggou").info("serving", extra={"url": f"http://{settings.HOST}:{settings.PORT}/graphql"})
    _run(create_app(settings, seed_demo=args.seed_demo), settings)


def _run(app: Any, settings: Settings, *, reuse_port: bool = False) -> None:
    from aiohttp import web

    # Tail latency: the objects alive at start (modules, schema, caches) leave the cyclic collector's generations
    # (frozen), and it runs less often. Each GraphQL request still leaves one cycle (graphql-core's executor) for
    # it; small young collections keep each pause to a few milliseconds (bench/orders.py measured the choice).
    gc.set_threshold(5_000, 50, 100)
    app.on_startup.append(_freeze_heap)
    try:
        web.run_app(
            app,
            host=settings.HOST,
            port=settings.PORT,
            reuse_port=reuse_port or None,
            print=None,
            access_log_format="%r %s %Tf",
        )
    except Exception as exc:  # e.g. a backend unreachable at start: a message and a non-zero exit
        sys.exit(f"could not start: {exc}")


def _with_services(args: argparse.Namespace, work: Callable[[Any], Awaitable[Any]]) -> Any:
    """Open the configured backends, run `work(services)`, close them."""
    from backends import BackendUnavailable, open_backends
    from graph.projector import Projector
    from resolvers.services import Services
    from store.collections import ensure_indexes

    settings = _settings(args)
    setup_logging(settings.LOG_LEVEL)

    async def run() -> Any:
        backends = await open_backends(settings)
        try:
            await ensure_indexes(backends.store)
            services = Services(settings, backends, Projector(backends.store, backends.graph))
            result = await work(services)
            await services.projector.drain()
            return result
        finally:
            await backends.close()

    try:
        return asyncio.run(run())
    except BackendUnavailable as exc:
        sys.exit(str(exc))


def cmd_seed(args: argparse.Namespace) -> None:
    from resolvers.demo import seed_demo

    loaded = _with_services(args, seed_demo)
    print("demo data loaded" if loaded else "users exist already; nothing loaded")


def cmd_rebuild_graph(args: argparse.Namespace) -> None:
    from graph.projector import rebuild

    async def work(services: Any) -> int:
        return await rebuild(services.store, services.backends.graph)

    edges = _with_services(args, work)
    print(f"graph rebuilt: {edges} edges")


def cmd_export_schema(args: argparse.Namespace) -> None:
    from schema import sdl

    sys.stdout.write(sdl())


def cmd_grant_operator(args: argparse.Namespace) -> None:
    from resolvers.users import grant_operator

    async def work(services: Any) -> bool:
        return await grant_operator(services, args.user_id)

    if not _with_services(args, work):
        sys.exit(f"no user {args.user_id}")
    print(f"{args.user_id} is an operator")


def cmd_doctor(args: argparse.Namespace) -> None:
    import orjson

    from resolvers.doctor import lines, run

    async def work(services: Any) -> Any:
        return await run(services, fix=args.fix)

    report = _with_services(args, work)
    if args.json:
        sys.stdout.write(orjson.dumps(report.as_json(), option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        print("\n".join(lines(report)))
    if not report.ok:
        sys.exit(1)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="server.py", description="友享购 social-commerce GraphQL API")
    sub = p.add_subparsers(dest="command", required=True)

    def with_data_dir(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sp.add_argument("--data-dir", type=Path, help="where the embedded store keeps its files (DATA_DIR)")
        return sp

    serve = with_data_dir(sub.add_parser("serve", help="serve the API (GraphiQL at /graphql)"))
    serve.add_argument("--host", help="HOST (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="PORT (default 8000)")
    serve.add_argument("--seed-demo", action="store_true", help="load the demo data set on first start")
    serve.add_argument(
        "--workers",
        default="1",
        help="processes serving the port: a number or auto (one per CPU); above 1 needs REDIS_URL",
    )
    serve.set_defaults(func=cmd_serve)
    with_data_dir(sub.add_parser("seed", help="load the demo data set")).set_defaults(func=cmd_seed)
    with_data_dir(sub.add_parser("rebuild-graph", help="rebuild the graph from the documents")).set_defaults(
        func=cmd_rebuild_graph
    )
    sub.add_parser("export-schema", help="print the GraphQL SDL").set_defaults(func=cmd_export_schema)
    grant = with_data_dir(sub.add_parser("grant-operator", help="make a user an operator"))
    grant.add_argument("user_id", help="the user's id (a global User id or the raw document id)")
    grant.set_defaults(func=cmd_grant_operator)
    doctor = with_data_dir(
        sub.add_parser("doctor", help="check the invariants between documents (exit 1 if any fails)")
    )
    doctor.add_argument("--fix", action="store_true", help="repair what does not hold, and say what changed")
    doctor.add_argument("--json", action="store_true", help="the report as JSON")
    doctor.set_defaults(func=cmd_doctor)
    return p


async def _freeze_heap(app: object) -> None:
    gc.collect()
    gc.freeze()


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
