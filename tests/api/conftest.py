"""An API client against the app on the embedded default (SQLite under tmp, memory graph, memory bus)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import SERVICES, create_app
from domain.tokens import issue_access_token
from resolvers.services import Services
from settings import Settings
from tests.fakes.wechat import APP_ID, APP_SECRET, FakeWechat
from tests.fakes.wechatpay import FakeWechatPay


@dataclass
class Api:
    client: TestClient  # type: ignore[type-arg]

    @property
    def services(self) -> Services:
        return self.client.app[SERVICES]  # type: ignore[index]

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None, expect_errors: bool = False
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        resp = await self.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        body: dict[str, Any] = await resp.json()
        if not expect_errors:
            assert "errors" not in body, body
        return body

    async def login(self, nickname: str, invite_code: str | None = None) -> tuple[str, dict[str, Any]]:
        """devLogin: (access token, user as {id, nickname})."""
        body = await self.gql(
            "mutation($n: String!, $i: String) { devLogin(input: {nickname: $n, inviteCode: $i}) {"
            " accessToken refreshToken user { id nickname } errors { code } } }",
            {"n": nickname, "i": invite_code},
        )
        payload = body["data"]["devLogin"]
        assert payload["errors"] == [], payload
        return payload["accessToken"], payload["user"]

    def token_for(self, user_id: str) -> str:
        secret = self.services.settings.secret_key()
        return issue_access_token(secret, user_id, datetime.now(UTC), timedelta(minutes=5))


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(DATA_DIR=tmp_path / "data", DEV_LOGIN=True, PROJECTOR_POLL_SECONDS=0.05, **overrides)


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    app = create_app(make_settings(tmp_path), seed_demo=True)
    async with TestClient(TestServer(app)) as client:
        yield Api(client)


@pytest.fixture
async def wechat() -> AsyncIterator[tuple[FakeWechat, str]]:
    fake = FakeWechat()
    async with TestServer(fake.app()) as server:
        yield fake, str(server.make_url("")).rstrip("/")


@pytest.fixture
async def api_with_wechat(tmp_path: Path, wechat: tuple[FakeWechat, str]) -> AsyncIterator[Api]:
    settings = make_settings(tmp_path, WECHAT_API_BASE=wechat[1], WECHAT_APP_ID=APP_ID, WECHAT_APP_SECRET=APP_SECRET)
    async with TestClient(TestServer(create_app(settings))) as client:
        yield Api(client)


@pytest.fixture
async def api_prod(tmp_path: Path) -> AsyncIterator[Api]:
    """Not in dev mode: a SECRET_KEY, no devLogin."""
    settings = Settings(DATA_DIR=tmp_path / "data", SECRET_KEY="a-production-secret-key-of-enough-length")
    async with TestClient(TestServer(create_app(settings))) as client:
        yield Api(client)


@pytest.fixture
async def wechatpay() -> AsyncIterator[tuple[FakeWechatPay, str]]:
    fake = FakeWechatPay()
    async with TestServer(fake.app()) as server:
        yield fake, str(server.make_url("")).rstrip("/")


@pytest.fixture
async def api_pay(
    tmp_path: Path, wechat: tuple[FakeWechat, str], wechatpay: tuple[FakeWechatPay, str]
) -> AsyncIterator[Api]:
    """Dev mode with WeChat login and WeChat Pay both pointed at local fakes."""
    settings = make_settings(
        tmp_path,
        WECHAT_API_BASE=wechat[1],
        WECHAT_APP_SECRET=APP_SECRET,
        **wechatpay[0].settings(wechatpay[1], APP_ID),
    )
    async with TestClient(TestServer(create_app(settings))) as client:
        yield Api(client)


SHOP = "mutation($n: String!) { createShop(input: {name: $n}) { shop { id } errors { code field } } }"
PRODUCT = """mutation($in: CreateProductInput!) { createProduct(input: $in) {
  product { id skus { id stock price { amount } } } errors { code field message } } }"""


async def make_product(
    api: Api,
    token: str,
    *,
    title: str = "测试商品",
    prices: tuple[int, ...] = (1000,),
    stock: int = 10,
    shop_id: str | None = None,
    category: str | None = None,
) -> tuple[str, str, list[str]]:
    """(shop id, product id, SKU ids) of a new product with one SKU per price, each with `stock` units."""
    if shop_id is None:
        body = await api.gql(SHOP, {"n": f"{title}的店"}, token=token)
        shop_id = body["data"]["createShop"]["shop"]["id"]
    skus = [{"specs": [{"name": "款", "value": f"#{i}"}], "price": p, "stock": stock} for i, p in enumerate(prices)]
    product_input = {"shopId": shop_id, "title": title, "description": "", "images": [], "skus": skus}
    if category is not None:
        product_input["category"] = category
    payload = (await api.gql(PRODUCT, {"in": product_input}, token=token))["data"]["createProduct"]
    assert payload["errors"] == [], payload
    product = payload["product"]
    return shop_id, product["id"], [s["id"] for s in product["skus"]]


class Clock:
    """An injectable clock for the app's Services: time moves when a test says so."""

    def __init__(self, start_ms: int | None = None) -> None:
        self.ms = start_ms if start_ms is not None else int(datetime.now(UTC).timestamp() * 1000)

    def __call__(self) -> int:
        return self.ms

    def advance(self, *, minutes: float = 0, days: float = 0) -> None:
        self.ms += int(minutes * 60_000 + days * 86_400_000)


def use_clock(api: Api) -> Clock:
    clock = Clock()
    api.services.clock = clock
    return clock


async def offer_product(
    api: Api,
    token: str,
    *,
    group_buy: dict[str, Any] | None = None,
    bargain: dict[str, Any] | None = None,
    prices: tuple[int, ...] = (1000,),
    stock: int = 100,
    title: str = "团购商品",
) -> tuple[str, list[str]]:
    """(product id, SKU ids) of a new product in a new shop, with the given offers."""
    body = await api.gql(SHOP, {"n": f"{title}店"}, token=token)
    shop_id = body["data"]["createShop"]["shop"]["id"]
    skus = [{"specs": [{"name": "款", "value": f"#{i}"}], "price": p, "stock": stock} for i, p in enumerate(prices)]
    product_input: dict[str, Any] = {"shopId": shop_id, "title": title, "description": "", "images": [], "skus": skus}
    if group_buy is not None:
        product_input["groupBuy"] = group_buy
    if bargain is not None:
        product_input["bargain"] = bargain
    payload = (await api.gql(PRODUCT, {"in": product_input}, token=token))["data"]["createProduct"]
    assert payload["errors"] == [], payload
    return payload["product"]["id"], [s["id"] for s in payload["product"]["skus"]]


@pytest.fixture
async def api_redis(tmp_path: Path, redis_url: str) -> AsyncIterator[Api]:
    """The embedded default with Redis for the bus and the rankings (a real Redis started by tests/services)."""
    async with TestClient(TestServer(create_app(make_settings(tmp_path, REDIS_URL=redis_url)))) as client:
        yield Api(client)


def count_get_many(store: Any) -> list[str]:
    """From now on, the collection of each get_many call the store answers (batching tests count them)."""
    calls: list[str] = []
    original = store.get_many

    async def counting(collection: str, ids: Any) -> Any:
        calls.append(collection)
        return await original(collection, ids)

    store.get_many = counting
    return calls
