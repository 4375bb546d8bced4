"""The app stops even when one step of its shutdown hangs: that step is logged by name after SHUTDOWN_STEP_SECONDS,
and the steps after it (down to closing the backends) still run."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

import app as app_module
from app import SERVICES, create_app
from tests.api.conftest import make_settings


async def test_a_hanging_shutdown_step_is_logged_and_the_rest_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(app_module, "SHUTDOWN_STEP_SECONDS", 0.2)
    client = TestClient(TestServer(create_app(make_settings(tmp_path))))
    await client.start_server()
    services = client.app[SERVICES]  # type: ignore[index]

    async def hang() -> None:
        await asyncio.Event().wait()

    monkeypatch.setattr(services.live, "stop", hang)
    closed = []
    real_close = services.backends.close

    async def close() -> None:
        closed.append(True)
        await real_close()

    monkeypatch.setattr(services.backends, "close", close)
    with caplog.at_level(logging.ERROR, logger="youxianggou"):
        async with asyncio.timeout(10):
            await client.close()
    assert closed == [True]
    assert any("the live hub did not stop" in r.getMessage() for r in caplog.records)
