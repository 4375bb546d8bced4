"""shopPage: the published JSON with each section's data resolved in the same request (products with price, stock
and campaign badges; coupons the viewer may still claim; the live room's status and viewers; notes), dead
references kept as unavailable with their reason, and the revision as ETag: a GET with If-None-Match gets 304."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.ids import from_global_id
from tests.api.conftest import Api, count_get_many, make_product, use_clock
from tests.api.test_coupons import CLAIM, CREATE, coupon_input
from tests.api.test_page_publishing import publish
from tests.api.test_pages import doc, grid, new_shop, saved, spacer

SHOP_PAGE = """query($shop: ID!, $kind: PageKind!) { shopPage(shopId: $shop, kind: $kind) {
  revisionId title theme { accent }
  sections { id type available reason
    products { ref available reason price { amount } stock badges { kind price { amount } teamSize helpersNeeded }
               product { title } }
    coupons { ref available reason claimed claimable coupon { title } }
    liveRoom { ref available reason room { title status viewerCount } }
    notes { title }
    shop { name owner { nickname followerCount viewerFollows } }
    campaign { kind available reason coupon { coupon { title } } product { product { title } } } } } }"""
ROOM = "mutation($t: String!) { createLiveRoom(input: {title: $t}) { room { id } errors { code } } }"
END = "mutation($id: ID!) { endLive(input: {roomId: $id}) { errors { code } } }"
POST = """mutation($in: CreatePostInput!) { createPost(input: $in) { post { id } errors { code field } } }"""
PRODUCT = (
    """mutation($in: CreateProductInput!) { createProduct(input: $in) { product { id } errors { code field } } }"""
)


async def live_page(api: Api, token: str, shop_id: str, document: dict[str, Any]) -> str:
    revision = (await saved(api, token, shop_id, document))["revision"]["id"]
    page = await api.services.store.get("pages", f"{from_global_id(shop_id)[1]}:HOME:")
    assert (await publish(api, token, shop_id, revision, page["published"] if page else None))["errors"] == []
    return str(revision)


async def shown(api: Api, shop_id: str, token: str | None = None) -> list[dict[str, Any]]:
    body = await api.gql(SHOP_PAGE, {"shop": shop_id, "kind": "HOME"}, token=token)
    return body["data"]["shopPage"]["sections"]  # type: ignore[no-any-return]


async def offered(api: Api, token: str, shop_id: str, title: str, **offer: Any) -> str:
    skus = [
        {"specs": [], "price": 1000, "stock": 7},
        {"specs": [{"name": "款", "value": "大"}], "price": 1500, "stock": 3},
    ]
    for sku in skus[1:]:
        if "groupBuy" in offer:
            sku["groupBuyPrices"] = [1200]
        if "bargain" in offer:
            sku["bargainFloorPrice"] = 1000
    product = {"shopId": shop_id, "title": title, "description": "", "images": [], "skus": skus, **offer}
    payload = (await api.gql(PRODUCT, {"in": product}, token=token))["data"]["createProduct"]
    assert payload["errors"] == [], payload
    return str(payload["product"]["id"])


async def test_a_published_page_comes_with_each_sections_data(api: Api) -> None:
    owner, _ = await api.login("渲染店主")
    shopper, _ = await api.login("渲染顾客")
    shop_id, plain, _ = await make_product(api, owner, title="普通茶", prices=(900,), stock=4, category="茶")
    team = await offered(
        api, owner, shop_id, "拼团茶", groupBuy={"tiers": [{"size": 3, "price": 800}], "durationMinutes": 60}
    )
    cut = await offered(
        api, owner, shop_id, "砍价茶", bargain={"floorPrice": 500, "helpersNeeded": 3, "durationMinutes": 60}
    )
    coupon = (await api.gql(CREATE, {"in": coupon_input(shop_id, title="满50减5")}, token=owner))["data"][
        "createCoupon"
    ]["coupon"]["id"]
    room = (await api.gql(ROOM, {"t": "今晚上新"}, token=owner))["data"]["createLiveRoom"]["room"]["id"]
    note = {"kind": "NOTE", "title": "明前龙井冲泡", "body": "85度水", "productIds": [plain]}
    assert (await api.gql(POST, {"in": note}, token=owner))["data"]["createPost"]["errors"] == []
    await live_page(
        api,
        owner,
        shop_id,
        doc(
            grid(plain, team),
            {"type": "product_grid", "settings": {"source": "RULE", "category": "茶", "sort": "NEWEST", "limit": 5}},
            {"type": "group_buy_zone", "settings": {}},
            {"type": "bargain_zone", "settings": {"productIds": [cut]}},
            {"type": "coupon_strip", "settings": {"couponIds": [coupon]}},
            {"type": "live_room_card", "settings": {"liveRoomId": room}},
            {"type": "notes_waterfall", "settings": {"source": "SHOP"}},
            {"type": "follow_shop", "settings": {}},
            {"type": "floating_promotion", "settings": {"campaign": {"kind": "BARGAIN"}}},
            {"type": "smart_product_list", "settings": {"limit": 2}},
        ),
    )
    # when a shopper opens the home page
    sections = await shown(api, shop_id, shopper)
    by_type = {s["type"]: s for s in sections}
    # then every section's data is there: products with price, stock and campaign badges
    manual = sections[0]["products"]
    assert [(p["ref"], p["product"]["title"], p["price"]["amount"], p["stock"]) for p in manual] == [
        (plain, "普通茶", 900, 4),
        (team, "拼团茶", 1000, 10),
    ]
    assert manual[1]["badges"] == [
        {"kind": "GROUP_BUY", "price": {"amount": 800}, "teamSize": 3, "helpersNeeded": None}
    ]
    assert [p["product"]["title"] for p in sections[1]["products"]] == ["普通茶"]  # the rule: category 茶
    assert [p["product"]["title"] for p in by_type["group_buy_zone"]["products"]] == ["拼团茶"]
    assert by_type["bargain_zone"]["products"][0]["badges"][0]["helpersNeeded"] == 3
    assert by_type["coupon_strip"]["coupons"] == [
        {"ref": coupon, "available": True, "reason": None, "claimed": False, "claimable": True,
         "coupon": {"title": "满50减5"}}
    ]  # fmt: skip
    assert by_type["live_room_card"]["liveRoom"]["room"] == {
        "title": "今晚上新",
        "status": "SCHEDULED",
        "viewerCount": 0,
    }
    assert [n["title"] for n in by_type["notes_waterfall"]["notes"]] == ["明前龙井冲泡"]
    assert by_type["follow_shop"]["shop"]["owner"] == {
        "nickname": "渲染店主",
        "followerCount": 0,
        "viewerFollows": False,
    }
    assert by_type["floating_promotion"]["campaign"]["product"]["product"]["title"] == "砍价茶"
    assert len(by_type["smart_product_list"]["products"]) == 2
    assert all(s["available"] for s in sections)
    # a coupon the shopper claimed is shown as claimed, no longer claimable
    assert (await api.gql(CLAIM, {"id": coupon}, token=shopper))["data"]["claimCoupon"]["errors"] == []
    strip = {s["type"]: s for s in await shown(api, shop_id, shopper)}["coupon_strip"]["coupons"][0]
    assert (strip["claimed"], strip["claimable"]) == (True, False)


async def test_references_that_die_after_publishing_are_kept_and_shown_unavailable(api: Api) -> None:
    clock = use_clock(api)
    owner, _ = await api.login("过期店主")
    shop_id, product, _ = await make_product(api, owner, title="会下架的")
    team = await offered(
        api, owner, shop_id, "团会撤", groupBuy={"tiers": [{"size": 2, "price": 800}], "durationMinutes": 60}
    )
    valid = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    coupon = (await api.gql(CREATE, {"in": coupon_input(shop_id, validUntil=valid)}, token=owner))["data"][
        "createCoupon"
    ]["coupon"]["id"]
    room = (await api.gql(ROOM, {"t": "一次性直播"}, token=owner))["data"]["createLiveRoom"]["room"]["id"]
    await live_page(
        api,
        owner,
        shop_id,
        doc(
            grid(product, team),
            {"type": "group_buy_zone", "settings": {"productIds": [team]}},
            {"type": "coupon_strip", "settings": {"couponIds": [coupon]}},
            {"type": "live_room_card", "settings": {"liveRoomId": room}},
            {"type": "floating_promotion", "settings": {"campaign": {"kind": "LIVE", "id": room}}},
        ),
    )
    # when the product is removed, the offer withdrawn, the coupon expires and the live room ends
    store = api.services.store
    await store.delete("products", from_global_id(product)[1])
    await store.update_one("products", {"_id": from_global_id(team)[1]}, {"$set": {"groupBuy": None}})
    clock.advance(days=2)
    assert (await api.gql(END, {"id": room}, token=owner))["data"]["endLive"]["errors"] == []
    # then each is still on the page, unavailable, with why
    sections = await shown(api, shop_id)
    grid_items = sections[0]["products"]
    assert [(p["ref"], p["available"], p["reason"], p["product"]) for p in grid_items] == [
        (product, False, "NOT_FOUND", None),
        (team, True, None, {"title": "团会撤"}),  # a plain grid does not need the offer
    ]
    assert [(p["available"], p["reason"]) for p in sections[1]["products"]] == [(False, "OFFER_ENDED")]
    assert [(c["available"], c["reason"], c["claimable"]) for c in sections[2]["coupons"]] == [
        (False, "EXPIRED", False)
    ]
    assert (sections[3]["available"], sections[3]["reason"]) == (False, "ENDED")
    assert sections[3]["liveRoom"]["room"]["status"] == "ENDED"
    assert (sections[4]["available"], sections[4]["reason"]) == (False, "ENDED")


async def test_the_data_of_all_sections_is_read_in_one_batch_per_kind(api: Api) -> None:
    owner, _ = await api.login("批量渲染店主")
    shop_id, first, _ = await make_product(api, owner, title="批0")
    products = [first] + [(await make_product(api, owner, title=f"批{i}", shop_id=shop_id))[1] for i in range(1, 8)]
    sections = [grid(*products[i : i + 3]) for i in range(0, 8, 2)] + [spacer()] * 3
    await live_page(api, owner, shop_id, doc(*sections))
    calls = count_get_many(api.services.store)
    found = await shown(api, shop_id)
    assert sum(len(s["products"]) for s in found) == 3 + 3 + 3 + 2
    assert calls.count("products") == 1  # four grids, one read


QUERY = "query($shop: ID!) { shopPage(shopId: $shop, kind: HOME) { revisionId sections { id } } }"


async def get(api: Api, query: str, variables: dict[str, Any], **headers: str) -> Any:
    params = {"query": query, "variables": json.dumps(variables)}
    return await api.client.get("/graphql", params=params, headers=headers)


async def test_a_get_with_the_current_etag_gets_304_and_a_new_revision_a_new_etag(api: Api) -> None:
    owner, _ = await api.login("缓存店主")
    shop_id = await new_shop(api, owner)
    first = await live_page(api, owner, shop_id, doc(spacer(1)))
    # a GET answers the page with its revision as ETag, for the viewer's client only, to check before each use
    response = await get(api, QUERY, {"shop": shop_id})
    assert response.status == 200 and response.headers["ETag"] == f'"{first}"'
    assert response.headers["Cache-Control"] == "private, no-cache" and response.headers["Vary"] == "Authorization"
    assert (await response.json())["data"]["shopPage"]["revisionId"] == first
    # the same GET naming that ETag gets 304 and no body
    again = await get(api, QUERY, {"shop": shop_id}, **{"If-None-Match": f'"{first}"'})
    assert again.status == 304 and await again.read() == b"" and again.headers["ETag"] == f'"{first}"'
    # once another revision is published, the old ETag gets the new page
    second = await live_page(api, owner, shop_id, doc(spacer(2)))
    fresh = await get(api, QUERY, {"shop": shop_id}, **{"If-None-Match": f'"{first}"'})
    assert fresh.status == 200 and fresh.headers["ETag"] == f'"{second}"'
    # an operation asking for more than the page has no ETag: the revision would not describe all of it
    both = "query($shop: ID!) { shopPage(shopId: $shop, kind: HOME) { revisionId } pageComponents { type } }"
    mixed = await get(api, both, {"shop": shop_id}, **{"If-None-Match": f'"{second}"'})
    assert mixed.status == 200 and "ETag" not in mixed.headers


async def test_a_304_reads_neither_the_document_nor_the_sections(api: Api) -> None:
    owner, _ = await api.login("省读店主")
    shop_id, product, _ = await make_product(api, owner, title="不读我")
    revision = await live_page(api, owner, shop_id, doc(grid(product)))
    calls = count_get_many(api.services.store)
    query = "query($shop: ID!) { shopPage(shopId: $shop, kind: HOME) { sections { products { product { title } } } } }"
    response = await get(api, query, {"shop": shop_id}, **{"If-None-Match": f'W/"{revision}", "other"'})
    assert response.status == 304
    assert "products" not in calls and "page_documents" not in calls


DATA = "query($shop: ID!) { shopPage(shopId: $shop, kind: HOME) { sections { type available data } } }"


async def test_each_sections_data_comes_as_one_json_value_the_renderer_reads(api: Api) -> None:
    owner, _ = await api.login("数据店主")
    shop_id, product, _ = await make_product(api, owner, title="数据茶", prices=(1200, 900), stock=5)
    gone = (await make_product(api, owner, title="将删除", shop_id=shop_id))[1]
    coupon = (await api.gql(CREATE, {"in": coupon_input(shop_id)}, token=owner))["data"]["createCoupon"]["coupon"]["id"]
    room = (await api.gql(ROOM, {"t": "直播数据"}, token=owner))["data"]["createLiveRoom"]["room"]["id"]
    note = {"kind": "NOTE", "title": "好喝", "body": "推荐", "images": ["https://img.example.com/n.jpg"]}
    await api.gql(POST, {"in": note}, token=owner)
    await live_page(
        api,
        owner,
        shop_id,
        doc(
            grid(product, gone),
            {"type": "coupon_strip", "settings": {}},
            {"type": "live_room_card", "settings": {}},
            {"type": "notes_waterfall", "settings": {"source": "SHOP"}},
            {"type": "shop_info", "settings": {}},
            {"type": "floating_promotion", "settings": {"campaign": {"kind": "COUPON", "id": coupon}}},
            spacer(),
        ),
    )
    await api.services.store.delete("products", from_global_id(gone)[1])
    body = await api.gql(DATA, {"shop": shop_id})
    data = [s["data"] for s in body["data"]["shopPage"]["sections"]]
    assert data[0]["products"] == [
        {"ref": product, "available": True, "reason": None, "id": product, "title": "数据茶", "image": None,
         "price": 900, "stock": 10, "badges": []},
        {"ref": gone, "available": False, "reason": "NOT_FOUND"},
    ]  # fmt: skip
    [strip] = data[1]["coupons"]
    assert (strip["id"], strip["discount"], strip["claimable"], strip["ref"]) == (coupon, 1000, True, None)
    assert data[2]["liveRoom"] | {"id": None, "startedAt": None} == {
        "ref": None, "available": True, "reason": None, "id": None, "title": "直播数据", "status": "SCHEDULED",
        "viewerCount": 0, "startedAt": None,
    }  # fmt: skip
    assert [(n["title"], n["image"], n["author"]["nickname"]) for n in data[3]["notes"]] == [
        ("好喝", "https://img.example.com/n.jpg", "数据店主")
    ]
    assert data[4]["shop"] == {
        "id": shop_id, "name": "数据茶的店", "logoUrl": None, "followerCount": 0, "viewerFollows": False
    }  # fmt: skip
    assert data[5]["campaign"]["kind"] == "COUPON" and data[5]["campaign"]["coupon"]["id"] == coupon
    assert data[6] == {}
    assert room
