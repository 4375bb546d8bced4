"""The component registry: every section type a page may hold, with the JSON Schema (Draft 2020-12) of its
settings and blocks, its limits and a default value. Pure data; domain/pages/document.py validates with it.

A section is `{id, type, settings, blocks: [{id, type, settings}]}`, as Shopify's JSON templates have them. Each
component declares where its settings name other things (products, coupons, live rooms): those references are
checked at save (resolvers/pages/references.py) and resolved at render (schema/pages/sections.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from domain.pages import fields as f
from domain.pages.fields import Schema

MAX_BLOCKS = 50  # no component allows more blocks than this (the page limit of issue 17)

# What a reference names. GROUP_BUY and BARGAIN are products that must carry that offer.
PRODUCT, GROUP_BUY, BARGAIN, COUPON, LIVE_ROOM = "PRODUCT", "GROUP_BUY", "BARGAIN", "COUPON", "LIVE_ROOM"
REF_TYPES = {PRODUCT: "Product", GROUP_BUY: "Product", BARGAIN: "Product", COUPON: "Coupon", LIVE_ROOM: "LiveRoom"}
# The campaigns a floating promotion window may point at (domain kind of its reference).
CAMPAIGNS = {"COUPON": COUPON, "GROUP_BUY": GROUP_BUY, "BARGAIN": BARGAIN, "LIVE": LIVE_ROOM}
PRODUCT_SORTS = ("NEWEST", "BEST_SELLING", "PRICE_ASC", "PRICE_DESC")


@dataclass(frozen=True)
class Ref:
    """A reference in a page: what it names, the global id written there, and its path in the document."""

    kind: str
    global_id: str
    path: tuple[str, ...]


Found = Iterator[tuple[str, str, tuple[str, ...]]]  # (kind, global id, path inside the section)
Settings = Mapping[str, Any]
Blocks = list[Mapping[str, Any]]
RefFinder = Callable[[Settings, Blocks], Found]


def _none(settings: Settings, blocks: Blocks) -> Found:
    return iter(())


def ids_at(kind: str, key: str) -> RefFinder:
    """References in `settings[key]`: a list of ids, or one id."""

    def find(settings: Settings, blocks: Blocks) -> Found:
        value = settings.get(key)
        if isinstance(value, str):
            yield kind, value, ("settings", key)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield kind, item, ("settings", key, str(i))

    return find


def _campaign(settings: Settings, blocks: Blocks) -> Found:
    campaign = settings.get("campaign") or {}
    if "id" in campaign:  # without one: the shop's first running campaign of that kind
        yield CAMPAIGNS[campaign["kind"]], campaign["id"], ("settings", "campaign", "id")


@dataclass(frozen=True)
class Component:
    type: str
    name: str
    description: str
    settings: Schema
    default_settings: Mapping[str, Any]
    blocks: Mapping[str, Schema] = field(default_factory=dict)  # block type -> the schema of its settings
    default_blocks: tuple[Mapping[str, Any], ...] = ()  # {type, settings}
    min_blocks: int = 0
    max_blocks: int = 0
    max_per_page: int = 10
    refs: RefFinder = _none
    available: bool = True
    unavailable_reason: str | None = None

    @cached_property
    def schema(self) -> Schema:
        """The JSON Schema of one section of this type."""
        properties: Schema = {
            "id": {"type": "string", "pattern": f.ID_PATTERN},
            "type": {"const": self.type},
            "settings": self.settings,
        }
        if self.blocks:
            item = f.obj(
                {
                    "id": {"type": "string", "pattern": f.ID_PATTERN},
                    "type": {"enum": sorted(self.blocks)},
                    "settings": {"type": "object"},
                },
                required=("id", "type", "settings"),
                allOf=[
                    {"if": {"properties": {"type": {"const": name}}}, "then": {"properties": {"settings": schema}}}
                    for name, schema in sorted(self.blocks.items())
                ],
            )
            properties["blocks"] = {
                "type": "array",
                "items": item,
                "minItems": self.min_blocks,
                "maxItems": self.max_blocks,
            }
        else:
            properties["blocks"] = {"type": "array", "maxItems": 0}
        return {
            "$schema": f.DRAFT,
            "title": self.name,
            "description": self.description,
            **f.obj(properties, required=("id", "type", "settings")),
        }

    @property
    def default(self) -> dict[str, Any]:
        """A section of this type as an editor inserts it (the editor gives it an id)."""
        blocks = [{"id": f"b{i + 1}", **b} for i, b in enumerate(self.default_blocks)]
        return {"type": self.type, "settings": dict(self.default_settings), "blocks": blocks}

    def references(self, section: Mapping[str, Any], prefix: tuple[str, ...]) -> Iterator[Ref]:
        for kind, global_id, path in self.refs(section.get("settings") or {}, section.get("blocks") or []):
            yield Ref(kind, global_id, prefix + path)


TITLE = f.text(20, title="标题")


def _products_setting(max_items: int) -> Schema:
    return f.ids("Product", max_items) | {"title": "指定商品"}


COMPONENTS: tuple[Component, ...] = (
    Component(
        "search_bar",
        "搜索栏",
        "A search box; hot words as blocks.",
        f.obj(
            {
                "placeholder": f.text(30, title="占位文字"),
                "sticky": f.boolean("吸顶"),
                "shape": f.enum("ROUND", "SQUARE", title="形状"),
            }
        ),
        {"placeholder": "搜索店内商品", "sticky": True, "shape": "ROUND"},
        blocks={"hot_word": f.obj({"text": f.text(10, min_length=1, title="热词")}, required=("text",))},
        max_blocks=10,
        max_per_page=1,
    ),
    Component(
        "notice_bar",
        "公告栏",
        "Scrolling notices, one block each.",
        f.obj({"speed": f.enum("SLOW", "NORMAL", "FAST", title="滚动速度"), "background": f.colour("背景色")}),
        {"speed": "NORMAL"},
        blocks={
            "notice": f.obj({"text": f.text(100, min_length=1, title="公告"), "link": f.link()}, required=("text",))
        },
        default_blocks=({"type": "notice", "settings": {"text": "欢迎光临本店"}},),
        min_blocks=1,
        max_blocks=10,
        max_per_page=2,
    ),
    Component(
        "banner_carousel",
        "轮播图",
        "Slides that turn by themselves; each slide an image with an optional link.",
        f.obj(
            {
                "autoplayMs": f.integer(1000, 10000, title="切换间隔(毫秒)"),
                "height": f.integer(100, 750, title="高度(rpx)"),
                "indicator": f.enum("DOTS", "NUMBER", "NONE", title="指示器"),
            }
        ),
        {"autoplayMs": 4000, "height": 360, "indicator": "DOTS"},
        blocks={
            "slide": f.obj({"image": f.image(), "link": f.link(), "alt": f.text(40, title="说明")}, required=("image",))
        },
        default_blocks=({"type": "slide", "settings": {"image": "https://img.example.com/banner.jpg"}},),
        min_blocks=1,
        max_blocks=10,
    ),
    Component(
        "image_hotspot",
        "热区图",
        "One image with tappable areas (x, y, width, height in percent of the image).",
        f.obj({"image": f.image(), "alt": f.text(40, title="说明")}, required=("image",)),
        {"image": "https://img.example.com/hotspot.jpg"},
        blocks={
            "hotspot": f.obj(
                {
                    "x": f.integer(0, 100, title="左(%)"),
                    "y": f.integer(0, 100, title="上(%)"),
                    "width": f.integer(1, 100, title="宽(%)"),
                    "height": f.integer(1, 100, title="高(%)"),
                    "link": f.link(),
                },
                required=("x", "y", "width", "height", "link"),
            )
        },
        max_blocks=20,
    ),
    Component(
        "nav_grid",
        "导航宫格",
        "Icons with labels in a grid, each a link.",
        f.obj({"columns": f.integer(3, 5, title="每行个数")}),
        {"columns": 4},
        blocks={
            "item": f.obj(
                {"icon": f.image("图标"), "label": f.text(8, min_length=1, title="名称"), "link": f.link()},
                required=("label", "link"),
            )
        },
        default_blocks=tuple(
            {"type": "item", "settings": {"label": label, "link": link}}
            for label, link in (("全部商品", "/pages/products/index"), ("我的订单", "/pages/orders/index"))
        ),
        min_blocks=1,
        max_blocks=20,
    ),
    Component(
        "rich_text",
        "富文本",
        "Merchant HTML, sanitised on save with an allowlist (no scripts, event handlers or javascript: URLs).",
        f.obj({"html": f.text(20_000, title="内容"), "padding": f.integer(0, 32, title="内边距")}, required=("html",)),
        {"html": "<p>店铺介绍</p>", "padding": 12},
    ),
    Component(
        "video",
        "视频",
        "A video with an optional poster.",
        f.obj(
            {
                "url": {"type": "string", "maxLength": f.URL_MAX, "pattern": r"^(https://[^\s]+|/media/[^\s]+)$"},
                "poster": f.image("封面"),
                "autoplay": f.boolean("自动播放"),
                "muted": f.boolean("静音"),
            },
            required=("url",),
        ),
        {"url": "https://video.example.com/intro.mp4", "autoplay": False, "muted": True},
    ),
    Component(
        "spacer",
        "辅助空白",
        "Vertical space, optionally with a divider line.",
        f.obj({"height": f.integer(0, 200, title="高度(px)"), "divider": f.boolean("分割线"), "colour": f.colour()}),
        {"height": 16, "divider": False},
        max_per_page=50,
    ),
    Component(
        "product_grid",
        "商品列表",
        "Products chosen by hand (MANUAL: productIds) or by a rule (RULE: category, sort, limit).",
        f.obj(
            {
                "title": TITLE,
                "source": f.enum("MANUAL", "RULE", title="商品来源"),
                "productIds": _products_setting(50),
                "category": f.text(20, min_length=1, title="类目"),
                "sort": f.enum(*PRODUCT_SORTS, title="排序"),
                "limit": f.integer(1, 50, title="数量"),
                "columns": f.integer(1, 3, title="每行个数"),
                "showPrice": f.boolean("显示价格"),
            },
            required=("source",),
            allOf=[
                {
                    "if": {"properties": {"source": {"const": "MANUAL"}}},
                    "then": {"required": ["productIds"], "properties": {"productIds": {"minItems": 1}}},
                }
            ],
        ),
        {"title": "热卖商品", "source": "RULE", "sort": "BEST_SELLING", "limit": 6, "columns": 2, "showPrice": True},
        refs=ids_at(PRODUCT, "productIds"),
        max_per_page=20,
    ),
    Component(
        "smart_product_list",
        "智能商品排序",
        "The shop's products ordered for the viewer: recommendations first (friends, co-purchases), then sales.",
        f.obj({"title": TITLE, "limit": f.integer(1, 30, title="数量"), "columns": f.integer(1, 3, title="每行个数")}),
        {"title": "为你推荐", "limit": 10, "columns": 2},
        max_per_page=3,
    ),
    Component(
        "coupon_strip",
        "优惠券",
        "Coupons to claim: those named (couponIds), or without any the shop's coupons still claimable.",
        f.obj({"title": TITLE, "couponIds": f.ids("Coupon", 10), "limit": f.integer(1, 10, title="数量")}),
        {"title": "领券", "limit": 3},
        refs=ids_at(COUPON, "couponIds"),
        max_per_page=3,
    ),
    Component(
        "group_buy_zone",
        "拼团专区",
        "Products with a group-buy offer: those named, or without any the shop's best-selling ones.",
        f.obj({"title": TITLE, "productIds": _products_setting(20), "limit": f.integer(1, 20, title="数量")}),
        {"title": "拼团", "limit": 4},
        refs=ids_at(GROUP_BUY, "productIds"),
        max_per_page=3,
    ),
    Component(
        "bargain_zone",
        "砍价专区",
        "Products with a bargain offer: those named, or without any the shop's best-selling ones.",
        f.obj({"title": TITLE, "productIds": _products_setting(20), "limit": f.integer(1, 20, title="数量")}),
        {"title": "砍价", "limit": 4},
        refs=ids_at(BARGAIN, "productIds"),
        max_per_page=3,
    ),
    Component(
        "seckill_countdown",
        "秒杀倒计时",
        "A seckill session with its countdown.",
        f.obj({"title": TITLE}),
        {"title": "限时秒杀"},
        max_per_page=1,
        available=False,
        unavailable_reason="Seckill campaigns do not exist yet (the marketing issue builds them); refused at save.",
    ),
    Component(
        "live_room_card",
        "直播间",
        "A live room of the shop (its host is the owner or staff) with its status and viewers; without liveRoomId"
        " the shop's latest room.",
        f.obj({"title": TITLE, "liveRoomId": f.global_id("LiveRoom")}),
        {"title": "直播中"},
        refs=ids_at(LIVE_ROOM, "liveRoomId"),
        max_per_page=3,
    ),
    Component(
        "notes_waterfall",
        "种草笔记",
        "Notes in two columns: the shop owner's (SHOP) or a topic's (TOPIC).",
        f.obj(
            {
                "title": TITLE,
                "source": f.enum("SHOP", "TOPIC", title="笔记来源"),
                "topic": f.text(20, min_length=1, title="话题"),
                "limit": f.integer(1, 30, title="数量"),
            },
            required=("source",),
            allOf=[{"if": {"properties": {"source": {"const": "TOPIC"}}}, "then": {"required": ["topic"]}}],
        ),
        {"title": "种草", "source": "SHOP", "limit": 10},
        max_per_page=2,
    ),
    Component(
        "shop_info",
        "店铺信息",
        "The shop's name, logo and owner.",
        f.obj({"background": f.image("背景图"), "showLogo": f.boolean("显示 Logo")}),
        {"showLogo": True},
        max_per_page=1,
    ),
    Component(
        "follow_shop",
        "关注店铺",
        "Follow the shop (its owner) with the follower count and whether the viewer follows.",
        f.obj({"text": f.text(30, title="文案"), "buttonText": f.text(6, min_length=1, title="按钮文字")}),
        {"text": "关注店铺，上新早知道", "buttonText": "关注"},
        max_per_page=1,
    ),
    Component(
        "floating_promotion",
        "促销浮窗",
        "A floating window linked to a running campaign (a coupon, a group buy, a bargain or a live room); without"
        " an id, the shop's first running one of that kind.",
        f.obj(
            {
                "campaign": f.obj(
                    {"kind": f.enum(*CAMPAIGNS, title="活动类型"), "id": f.global_id("campaign")},
                    required=("kind",),
                ),
                "image": f.image(),
                "text": f.text(20, title="文案"),
                "position": f.enum("BOTTOM_RIGHT", "BOTTOM_LEFT", "TOP_RIGHT", title="位置"),
            },
            required=("campaign",),
        ),
        {"campaign": {"kind": "COUPON"}, "position": "BOTTOM_RIGHT"},
        refs=_campaign,
        max_per_page=1,
    ),
    Component(
        "tab_bar",
        "底部导航",
        "The template's tab bar: 2 to 5 tabs.",
        f.obj({"colour": f.colour("文字颜色"), "selectedColour": f.colour("选中颜色")}),
        {},
        blocks={
            "tab": f.obj(
                {
                    "label": f.text(6, min_length=1, title="名称"),
                    "icon": f.image("图标"),
                    "selectedIcon": f.image("选中图标"),
                    "link": f.link(),
                },
                required=("label", "link"),
            )
        },
        default_blocks=tuple(
            {"type": "tab", "settings": {"label": label, "link": link}}
            for label, link in (("首页", "/pages/home/index"), ("我的", "/pages/user/index"))
        ),
        min_blocks=2,
        max_blocks=5,
        max_per_page=1,
    ),
)

REGISTRY: dict[str, Component] = {c.type: c for c in COMPONENTS}
assert all(c.max_blocks <= MAX_BLOCKS for c in COMPONENTS)
