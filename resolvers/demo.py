"""A small demo world for GraphiQL: dev users who follow each other, a shop and a few products."""

from __future__ import annotations

from resolvers.auth import dev_user
from resolvers.catalog import create_product, create_shop
from resolvers.services import Services
from resolvers.social import follow

NICKNAMES = ["小明", "小红", "小刚", "小美", "阿强"]
FOLLOWS = [
    ("小明", "小红"),
    ("小红", "小明"),
    ("小明", "小刚"),
    ("小刚", "小明"),
    ("小红", "小美"),
    ("小美", "小红"),
    ("小刚", "小美"),
    ("阿强", "小红"),
    ("阿强", "小明"),
]


def _spec(**kv: str) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in kv.items()]


async def seed_demo(services: Services) -> bool:
    """Load the demo data unless users already exist; True when it loaded."""
    if await services.store.count("users") > 0:
        return False
    users = {n: await dev_user(services, n) for n in NICKNAMES}
    for a, b in FOLLOWS:
        await follow(services, users[a]["_id"], users[b]["_id"])
    shop = await create_shop(services, users["小红"]["_id"], "友享优选茶铺", "https://picsum.photos/seed/yxg-shop/200")
    await create_product(
        services,
        shop["_id"],
        "明前绿茶礼盒",
        "西湖龙井明前头采，礼盒装。",
        ["https://picsum.photos/seed/tea1/600"],
        "茶叶",
        [
            {"specs": _spec(规格="250g"), "price": 19900, "stock": 100},
            {"specs": _spec(规格="500g"), "price": 36900, "stock": 50, "groupBuyPrices": [32900, 28900]},
        ],
        group_buy={"tiers": [{"size": 2, "price": 17900}, {"size": 5, "price": 15900}], "durationMinutes": 1440},
    )
    await create_product(
        services,
        shop["_id"],
        "云南普洱茶饼",
        "七年陈普洱生茶，357g 一饼。",
        ["https://picsum.photos/seed/tea2/600"],
        "茶叶",
        [{"specs": _spec(年份="2018"), "price": 29900, "stock": 30}],
        bargain={"floorPrice": 19900, "helpersNeeded": 5, "durationMinutes": 1440},
    )
    await create_product(
        services,
        shop["_id"],
        "手工陶瓷茶具套装",
        "景德镇手工，一壶四杯。",
        ["https://picsum.photos/seed/tea3/600"],
        "茶具",
        [
            {"specs": _spec(颜色="青瓷"), "price": 25800, "stock": 20},
            {"specs": _spec(颜色="白瓷"), "price": 23800, "stock": 25},
        ],
    )
    return True
