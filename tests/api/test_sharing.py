"""Share cards through the API: the path with the sharer's share token (attribution and commission when opened), a
poster PNG with WeChat's mini-program code (from the local fake of getwxacodeunlimit) or a local QR code, cached
by content; share events recorded; refusals for a held or unseen post."""

from __future__ import annotations

import asyncio
import io
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from app import create_app
from domain.ids import from_global_id
from tests.api.conftest import Api, make_product, make_settings
from tests.api.test_content import create
from tests.api.test_orders import PLACE, line, pay
from tests.api.test_trust_moderation import SPAM
from tests.fakes.wechat import APP_ID, APP_SECRET, FakeWechat, code_problem

CARD = """mutation($t: ID!, $c: ShareChannel!) { shareCard(input: {targetId: $t, channel: $c}) {
  shareCard { title imageUrl path token channel posterUrl product { id } post { id } } errors { code field } } }"""


async def card(api: Api, token: str, target: str, channel: str = "FRIEND") -> dict[str, Any]:
    return dict((await api.gql(CARD, {"t": target, "c": channel}, token=token))["data"]["shareCard"])


async def poster_bytes(api: Api, url: str) -> bytes:
    resp = await api.client.get(url)
    assert resp.status == 200 and resp.headers["Content-Type"] == "image/png"
    return await resp.read()


async def test_a_friend_card_carries_the_sharers_token_and_the_link_attributes_sign_ups(api: Api) -> None:
    owner, _ = await api.login("分享店主")
    _, product, (sku,) = await make_product(api, owner, title="分享好物", prices=(1999,))
    sharer, _ = await api.login("分享达人")
    got = await card(api, sharer, product)
    assert got["errors"] == []
    share = got["shareCard"]
    assert share["title"] == "分享好物" and share["product"] == {"id": product} and share["posterUrl"] is None
    assert share["path"] == f"pages/product/index?id={product}&s={share['token']}"
    again = (await card(api, sharer, product, "GROUP"))["shareCard"]
    assert again["token"] == share["token"]  # one token per sharer and target
    friend, _ = await api.login("被分享的新人", invite_code=share["token"])  # the link brings a new user in
    invites = (await api.gql("{ myInvites { edges { node { state } } } }", token=sharer))["data"]["myInvites"]
    assert invites["edges"] == [{"node": {"state": "SIGNED_UP"}}]
    order = (await api.gql(PLACE, {"lines": [line(sku)], "k": "o"}, token=friend))["data"]["placeOrder"]["order"]
    assert (await pay(api, friend, order["id"]))["errors"] == []
    events = await api.services.store.find(
        "share_events",
        {"userId": from_global_id((await api.gql("{ me { id } }", token=sharer))["data"]["me"]["id"])[1]},
    )
    assert [(e["channel"], e["targetKind"]) for e in events.docs] == [("FRIEND", "Product"), ("GROUP", "Product")]


async def test_a_poster_without_wechat_has_a_local_qr_code_and_is_cached_by_content(api: Api) -> None:
    owner, _ = await api.login("海报店主")
    _, product, _ = await make_product(api, owner, title="海报商品", prices=(2500,))
    sharer, _ = await api.login("海报分享者")
    first = (await card(api, sharer, product, "POSTER"))["shareCard"]
    png = await poster_bytes(api, first["posterUrl"])
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (600, 900)
    second = (await card(api, sharer, product, "POSTER"))["shareCard"]
    assert second["posterUrl"] == first["posterUrl"] and await poster_bytes(api, second["posterUrl"]) == png
    assert len((await api.services.store.find("share_posters", {})).docs) == 1
    other, _ = await api.login("另一位分享者")  # another sharer's nickname and token: another poster
    assert (await card(api, other, product, "POSTER"))["shareCard"]["posterUrl"] != first["posterUrl"]


async def test_concurrent_first_posters_store_one_file(api: Api) -> None:
    owner, _ = await api.login("并发海报店主")
    _, product, _ = await make_product(api, owner)
    sharer, _ = await api.login("并发海报分享者")
    await card(api, sharer, product)  # the share link exists, so every poster below is for one token
    bodies = await asyncio.gather(*(card(api, sharer, product, "POSTER") for _ in range(8)))
    assert len({b["shareCard"]["posterUrl"] for b in bodies}) == 1
    assert len((await api.services.store.find("share_posters", {})).docs) == 1


async def test_a_poster_with_wechat_asks_getwxacodeunlimit(tmp_path: Any, wechat: tuple[FakeWechat, str]) -> None:
    fake, base = wechat
    settings = make_settings(tmp_path, WECHAT_API_BASE=base, WECHAT_APP_ID=APP_ID, WECHAT_APP_SECRET=APP_SECRET)
    async with TestClient(TestServer(create_app(settings))) as client:
        api = Api(client)
        owner, _ = await api.login("微信海报店主")
        _, product, _ = await make_product(api, owner)
        sharer, _ = await api.login("微信海报分享者")
        share = (await card(api, sharer, product, "POSTER"))["shareCard"]
        assert fake.codes_made == [
            {
                "scene": f"s={share['token']}",
                "page": "pages/product/index",
                "check_path": False,
                "env_version": "release",
                "width": 430,
            }
        ]
        png = await poster_bytes(api, share["posterUrl"])
        assert png.startswith(b"\x89PNG")
        fake.expire_token()  # a cached poster asks WeChat nothing; a new one gets a fresh token and asks again
        await card(api, sharer, product, "POSTER")
        assert len(fake.codes_made) == 1
        other, _ = await api.login("微信海报二号")
        await card(api, other, product, "POSTER")
        assert len(fake.codes_made) == 2 and fake.token_calls == 2


def test_the_fake_refuses_what_wechat_refuses() -> None:
    pages = {"pages/product/index"}
    assert code_problem({"scene": "x" * 33}, pages) == (
        40169,
        "invalid length for scene, or the data is not json string",
    )
    assert code_problem({"scene": "中文"}, pages) == (40129, "invalid scene")
    assert code_problem({"scene": "s=1", "page": "/pages/product/index"}, pages)[0] == 41030  # type: ignore[index]
    assert code_problem({"scene": "s=1", "page": "pages/nope"}, pages)[0] == 41030  # type: ignore[index]
    assert code_problem({"scene": "s=1", "page": "pages/nope", "check_path": False}, pages) is None
    assert code_problem({"scene": "s=1", "page": "pages/product/index", "width": 100}, pages)[0] == 40097  # type: ignore[index]


async def test_held_unseen_and_wrong_targets_are_refused_and_nothing_is_recorded(api: Api) -> None:
    author, _ = await api.login("笔记作者")
    viewer, _ = await api.login("笔记读者")
    approved = (await create(api, author))["post"]["id"]
    held = (await create(api, author, **SPAM))["post"]
    assert held["moderation"] == "PENDING"
    ok = await card(api, viewer, approved, "MOMENTS")
    assert ok["errors"] == [] and ok["shareCard"]["path"].startswith(f"pages/post/index?id={approved}&s=")
    assert ok["shareCard"]["post"] == {"id": approved}
    before = len((await api.services.store.find("share_events", {})).docs)
    assert (await card(api, author, held["id"]))["errors"] == [
        {"code": "INVALID_STATE", "field": ["input", "targetId"]}
    ]
    assert (await card(api, viewer, held["id"]))["errors"] == [{"code": "NOT_FOUND", "field": ["input", "targetId"]}]
    me = (await api.gql("{ me { id } }", token=viewer))["data"]["me"]["id"]
    assert (await card(api, viewer, me))["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "targetId"]}]
    assert (await card(api, viewer, "garbage"))["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "targetId"]}]
    await api.gql(
        "mutation($u: ID!) { block(input: {userId: $u}) { errors { code } } }",
        {"u": (await api.gql("{ me { id } }", token=author))["data"]["me"]["id"]},
        token=viewer,
    )
    assert (await card(api, viewer, approved))["errors"] == [{"code": "NOT_FOUND", "field": ["input", "targetId"]}]
    assert len((await api.services.store.find("share_events", {})).docs) == before
