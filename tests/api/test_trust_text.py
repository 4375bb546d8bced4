"""Issue 14, finding 16: user-visible texts are NFKC-clean and refuse control and invisible characters; nicknames
are unique by their look, also under races and with look-alike duplicates already in the data."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from domain.ids import from_global_id, to_global_id
from resolvers.users import new_user
from tests.api.conftest import Api, make_product, make_settings
from tests.api.test_content import create
from tests.api.test_live import live_room

ERR = "errors { code field message }"
PROFILE = f"mutation($in: UpdateProfileInput!) {{ updateProfile(input: $in) {{ user {{ nickname bio }} {ERR} }} }}"
DEV = f"mutation($n: String!) {{ devLogin(input: {{nickname: $n}}) {{ user {{ id nickname }} {ERR} }} }}"
RLO, NUL, ZWSP, LRI = "\u202e", "\x00", "\u200b", "\u2066"


def payload(body: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = next(iter(body["data"].values()))
    return result


async def rename(api: Api, token: str, nickname: str) -> dict[str, Any]:
    return payload(await api.gql(PROFILE, {"in": {"nickname": nickname}}, token=token))


# -- every text input --------------------------------------------------------------------------------------
Send = Callable[[Api, str, str], Awaitable[dict[str, Any]]]


async def _nickname(api: Api, token: str, text: str) -> dict[str, Any]:
    return await rename(api, token, text)


async def _bio(api: Api, token: str, text: str) -> dict[str, Any]:
    return payload(await api.gql(PROFILE, {"in": {"bio": text}}, token=token))


async def _region(api: Api, token: str, text: str) -> dict[str, Any]:
    return payload(await api.gql(PROFILE, {"in": {"region": text}}, token=token))


async def _dev_login(api: Api, token: str, text: str) -> dict[str, Any]:
    return payload(await api.gql(DEV, {"n": text}))


async def _shop_name(api: Api, token: str, text: str) -> dict[str, Any]:
    query = f"mutation($n: String!) {{ createShop(input: {{name: $n}}) {{ {ERR} }} }}"
    return payload(await api.gql(query, {"n": text}, token=token))


async def _product(api: Api, token: str, **over: Any) -> dict[str, Any]:
    query = f"mutation($in: CreateProductInput!) {{ createProduct(input: $in) {{ {ERR} }} }}"
    await _shop_name(api, token, "文字店")
    shop = await _my_shop(api, token)
    sku = {"specs": [{"name": "颜色", "value": "红"}], "price": 100, "stock": 1}
    product = {"shopId": shop, "title": "好茶", "description": "", "images": [], "skus": [sku]}
    for key, value in over.items():
        if key in ("specName", "specValue"):
            sku["specs"][0]["name" if key == "specName" else "value"] = value
        else:
            product[key] = value
    return payload(await api.gql(query, {"in": product}, token=token))


async def _my_shop(api: Api, token: str) -> str:
    user = from_global_id((await api.gql("{ me { id } }", token=token))["data"]["me"]["id"])[1]
    page = await api.services.store.find("shops", {"ownerId": user}, limit=1)
    return to_global_id("Shop", page.docs[0]["_id"])


async def _post(api: Api, token: str, **over: Any) -> dict[str, Any]:
    query = f"mutation($in: CreatePostInput!) {{ createPost(input: $in) {{ {ERR} }} }}"
    return payload(await api.gql(query, {"in": {"kind": "NOTE", "title": "标题", "body": "正文", **over}}, token=token))


async def _comment(api: Api, token: str, text: str) -> dict[str, Any]:
    author, _ = await api.login("评论区作者")
    post = (await create(api, author))["post"]["id"]
    query = f"mutation($p: ID!, $b: String!) {{ commentOnPost(input: {{postId: $p, body: $b}}) {{ {ERR} }} }}"
    return payload(await api.gql(query, {"p": post, "b": text}, token=token))


async def _report(api: Api, token: str, text: str) -> dict[str, Any]:
    author, _ = await api.login("被举报作者")
    post = (await create(api, author))["post"]["id"]
    query = f"mutation($t: ID!, $r: String!) {{ report(input: {{targetId: $t, reason: $r}}) {{ {ERR} }} }}"
    return payload(await api.gql(query, {"t": post, "r": text}, token=token))


async def _coupon(api: Api, token: str, text: str) -> dict[str, Any]:
    await _shop_name(api, token, "券店")
    valid = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    coupon = {"shopId": await _my_shop(api, token), "title": text, "discount": 100, "minSpend": 500}
    query = f"mutation($in: CreateCouponInput!) {{ createCoupon(input: $in) {{ {ERR} }} }}"
    return payload(await api.gql(query, {"in": {**coupon, "validUntil": valid, "quantity": 5}}, token=token))


async def _room_title(api: Api, token: str, text: str) -> dict[str, Any]:
    query = f"mutation($in: CreateLiveRoomInput!) {{ createLiveRoom(input: $in) {{ {ERR} }} }}"
    return payload(await api.gql(query, {"in": {"title": text, "productIds": []}}, token=token))


async def _live_comment(api: Api, token: str, text: str) -> dict[str, Any]:
    host, _ = await api.login("文字主播")
    room = await live_room(api, host)
    query = f"mutation($r: ID!, $b: String!) {{ sendLiveComment(input: {{roomId: $r, body: $b}}) {{ {ERR} }} }}"
    return payload(await api.gql(query, {"r": room, "b": text}, token=token))


async def _distributor_region(api: Api, token: str, text: str) -> dict[str, Any]:
    owner, _ = await api.login("分销店主")
    await _shop_name(api, owner, "分销店")
    shop = await _my_shop(api, owner)
    policy = """mutation($s: ID!) { setCommissionPolicy(input: {shopId: $s, ratesBp: [500], freezeDays: 7,
      requiresApproval: false, regionLocked: false}) { errors { code } } }"""
    await api.gql(policy, {"s": shop}, token=owner)
    query = f"mutation($s: ID!, $r: String) {{ applyDistributor(input: {{shopId: $s, region: $r}}) {{ {ERR} }} }}"
    return payload(await api.gql(query, {"s": shop, "r": text}, token=token))


INPUTS: dict[str, tuple[Send, list[str]]] = {
    "nickname": (_nickname, ["input", "nickname"]),
    "bio": (_bio, ["input", "bio"]),
    "region": (_region, ["input", "region"]),
    "devLogin nickname": (_dev_login, ["input", "nickname"]),
    "shop name": (_shop_name, ["input", "name"]),
    "product title": (lambda a, t, x: _product(a, t, title=x), ["input", "title"]),
    "product description": (lambda a, t, x: _product(a, t, description=x), ["input", "description"]),
    "product category": (lambda a, t, x: _product(a, t, category=x), ["input", "category"]),
    "spec name": (lambda a, t, x: _product(a, t, specName=x), ["input", "skus", "0", "specs", "0", "name"]),
    "spec value": (lambda a, t, x: _product(a, t, specValue=x), ["input", "skus", "0", "specs", "0", "value"]),
    "post title": (lambda a, t, x: _post(a, t, title=x), ["input", "title"]),
    "post body": (lambda a, t, x: _post(a, t, body=x), ["input", "body"]),
    "post topic": (lambda a, t, x: _post(a, t, topics=[x]), ["input", "topics", "0"]),
    "comment": (_comment, ["input", "body"]),
    "report reason": (_report, ["input", "reason"]),
    "coupon title": (_coupon, ["input", "title"]),
    "live room title": (_room_title, ["input", "title"]),
    "live comment": (_live_comment, ["input", "body"]),
    "distributor region": (_distributor_region, ["input", "region"]),
}
BAD = {
    "an RTL override": f"好{RLO}茶",
    "a NUL": f"好{NUL}茶",
    "a bidi isolate": f"{LRI}好茶",
    "zero-width only": ZWSP * 3,
}


@pytest.mark.parametrize("bad", sorted(BAD))
@pytest.mark.parametrize("name", sorted(INPUTS))
async def test_every_text_input_refuses_control_and_invisible_characters(api: Api, name: str, bad: str) -> None:
    # given a signed-in user
    send, field = INPUTS[name]
    token, _ = await api.login("写字的人")
    # when they send the text with the character
    result = await send(api, token, BAD[bad])
    # then it is refused with INVALID_INPUT on that field, saying why
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("INVALID_INPUT", field)], result
    assert "invisible" in result["errors"][0]["message"]


async def test_a_zero_width_joined_nickname_is_empty_and_refused(api: Api) -> None:
    # given a user
    token, _ = await api.login("想隐身的人")
    # when the nickname is nothing but zero-width joiners (allowed only between visible characters)
    result = await rename(api, token, "\u200d\u200d\u200d")
    # then it is refused as empty
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("INVALID_INPUT", ["input", "nickname"])]
    assert "1 to 30 characters" in result["errors"][0]["message"]


async def test_texts_are_stored_in_their_clean_form(api: Api) -> None:
    # given a user
    token, _ = await api.login("全角用户")
    # when they send full-width letters, ideographic spaces and untidy lines
    result = payload(
        await api.gql(
            PROFILE,
            {"in": {"nickname": " Ｔｅａ\u3000\u3000Ｌｏｖｅｒ ", "bio": "第一行  \r\n\r\n\r\n第二行 "}},
            token=token,
        )
    )
    # then the clean forms are kept: the nickname in NFKC (a name), the bio in NFC (prose)
    assert result["errors"] == [] and result["user"] == {"nickname": "Tea Lover", "bio": "第一行\n\n第二行"}


async def test_emoji_sequences_with_joiners_are_kept(api: Api) -> None:
    token, _ = await api.login("表情用户")
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    result = await rename(api, token, f"一家{family}")
    assert result["errors"] == [] and result["user"]["nickname"] == f"一家{family}"


# -- unique nicknames --------------------------------------------------------------------------------------
async def test_a_second_account_cannot_take_a_nickname_or_a_look_alike(api: Api) -> None:
    # given a user called Alice
    await api.login("Alice")
    other, _ = await api.login("别人")
    # when another user renames themselves to it, in another case, with a Cyrillic А, or full-width
    for taken in ("Alice", "alice", "\u0410lice", "Ａｌｉｃｅ", "A l i c e"):
        result = await rename(api, other, taken)
        # then it is refused as taken
        assert [(e["code"], e["field"]) for e in result["errors"]] == [("ALREADY_EXISTS", ["input", "nickname"])]
    # and a new sign-up with a look-alike is refused too, and creates nobody
    users = await api.services.store.count("users")
    assert [e["code"] for e in payload(await api.gql(DEV, {"n": "ALICE"}))["errors"]] == ["ALREADY_EXISTS"]
    assert await api.services.store.count("users") == users


async def test_a_user_may_restyle_their_own_nickname_and_frees_the_old_one(api: Api) -> None:
    # given Bob
    bob, _ = await api.login("Bob")
    other, _ = await api.login("想叫Bob的人")
    # when Bob restyles his nickname, then takes another
    assert (await rename(api, bob, "BOB"))["errors"] == []
    assert (await rename(api, bob, "Robert"))["errors"] == []
    # then the old one is free for someone else
    assert (await rename(api, other, "bob"))["errors"] == []
    assert [e["code"] for e in (await rename(api, bob, "Bob"))["errors"]] == ["ALREADY_EXISTS"]


async def test_two_renames_to_one_nickname_at_once_have_one_winner(api: Api) -> None:
    # given ten users
    tokens = [(await api.login(f"抢名字{i}"))[0] for i in range(10)]
    # when they all rename themselves to look-alikes of one nickname at once
    results = await asyncio.gather(*(rename(api, t, "Winner" if i % 2 else "winner") for i, t in enumerate(tokens)))
    # then exactly one has it
    winners = [r for r in results if r["errors"] == []]
    assert len(winners) == 1
    assert all([e["code"] for e in r["errors"]] == ["ALREADY_EXISTS"] for r in results if r not in winners)
    holders = await api.services.store.find("users", {"nicknameKey": "wlnner"}, limit=10)
    assert len(holders.docs) == 1


async def test_two_sign_ups_with_one_nickname_at_once_have_one_winner(api: Api) -> None:
    # when ten sign-ups with look-alikes of one new nickname race
    before = await api.services.store.count("users")
    names = ["Racer", "racer", "RACER", "Rаcer", "R a c e r", "Ｒacer", "racer ", " Racer", "RaCeR", "rAcEr"]
    results = [payload(b) for b in await asyncio.gather(*(api.gql(DEV, {"n": n}) for n in names))]
    # then exactly one user was created (sign-ups that clean to the same nickname are its login), the others refused
    assert len({r["user"]["id"] for r in results if r["errors"] == []}) == 1
    assert all([e["code"] for e in r["errors"]] == ["ALREADY_EXISTS"] for r in results if r["errors"])
    assert await api.services.store.count("users") == before + 1


async def test_look_alike_nicknames_already_in_the_data_do_not_stop_start_up(tmp_path: Path) -> None:
    # given data from before unique nicknames: two accounts called Carol, the first one older
    settings = make_settings(tmp_path)
    async with TestClient(TestServer(create_app(settings))) as client:
        store = Api(client).services.store
        first, second = new_user("Carol"), new_user("carol")
        first["createdAt"], second["createdAt"] = 1, 2
        await store.insert("users", first)
        await store.insert("users", second)
    # when the app starts again
    async with TestClient(TestServer(create_app(settings))) as client:
        api = Api(client)
        # then it serves; the older account holds the nickname, the younger keeps its own unclaimed
        users = await api.services.store.get_many("users", [first["_id"], second["_id"]])
        assert users[first["_id"]]["nicknameKey"] == "carol" and users[second["_id"]]["nicknameKey"] == ""
        newcomer, _ = await api.login("新来的")
        assert [e["code"] for e in (await rename(api, newcomer, "CAROL"))["errors"]] == ["ALREADY_EXISTS"]
        # and the younger account can still pick a nickname of its own
        assert (await rename(api, api.token_for(second["_id"]), "Carol2"))["errors"] == []


async def test_wechat_sign_ups_whose_openids_end_alike_get_distinct_nicknames(
    api_with_wechat: Api, wechat: Any
) -> None:
    # given two WeChat users whose openids end in the same four characters
    fake, _ = wechat
    fake.issue("code-a", "openid-aaaa-1234")
    fake.issue("code-b", "openid-bbbb-1234")
    login = "mutation($c: String!) { loginWithWechat(input: {code: $c}) { user { nickname } errors { code } } }"
    # when both sign up
    a = payload(await api_with_wechat.gql(login, {"c": "code-a"}))
    b = payload(await api_with_wechat.gql(login, {"c": "code-b"}))
    # then both get in, with different nicknames
    assert a["errors"] == [] and b["errors"] == []
    assert a["user"]["nickname"] == "微信用户1234" and b["user"]["nickname"] == "微信用户bbb-1234"


async def test_product_and_post_texts_are_clean_where_others_read_them(api: Api) -> None:
    # given a product and a post sent with ideographic spaces, stray spaces and a full-width topic
    seller, _ = await api.login("干净卖家")
    _, product, _ = await make_product(api, seller, title="  好茶\u3000\u3000礼盒（新品）  ")
    post = (await create(api, seller, title="  好　茶  ", topics=["  #Ｇｒｅｅｎ　Ｔｅａ "]))["post"]
    # then readers see the clean forms
    found = await api.gql("query($id: ID!) { product(id: $id) { title } }", {"id": product})
    assert found["data"]["product"]["title"] == "好茶 礼盒（新品）"  # prose: NFC, its full-width brackets kept
    assert post["title"] == "好 茶" and post["topics"][0]["name"] == "green tea"  # a topic is a name: NFKC


async def test_a_claim_left_by_a_crash_is_taken_over_once_stale(api: Api) -> None:
    # given a claim on "Dave" whose holder never got the nickname (a crash between claim and profile write)
    from tests.api.conftest import use_clock

    clock = use_clock(api)
    _, ghost = await api.login("半途而废")
    ghost_id = from_global_id(ghost["id"])[1]
    await api.services.store.insert("nicknames", {"_id": "dave", "userId": ghost_id, "at": clock.ms})
    other, _ = await api.login("想叫Dave")
    # then while it is fresh it holds (its holder may be writing the profile right now)
    assert [e["code"] for e in (await rename(api, other, "Dave"))["errors"]] == ["ALREADY_EXISTS"]
    # and once it is older than a minute another user may take it
    clock.advance(minutes=2)
    assert (await rename(api, other, "Dave"))["errors"] == []
