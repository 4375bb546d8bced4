"""Shipping templates and fees through the API on the embedded default: the merchant's templates (staff roles),
products pointing at them, the fee of a shop's lines to a district (resolvers/shipping.fees, which checkout calls),
and an order's shippingFee and shippingAddress (who sees it, masked in lists)."""

from __future__ import annotations

from typing import Any

from domain.ids import from_global_id
from domain.staff import staff_id
from resolvers import shipping as shipping_uc
from tests.api.conftest import PRODUCT, SHOP, Api, make_product

TEMPLATE_FIELDS = """shippingTemplate { id name chargeBy defaultRate { firstUnits firstFee { amount } additionalUnits
  additionalFee { amount } } zones { regions { code name } rate { firstFee { amount } } }
  freeShipping { minAmount { amount } minQuantity } undeliverableRegions { code name } }
  errors { code field message }"""
CREATE = f"""mutation($in: CreateShippingTemplateInput!) {{ createShippingTemplate(input: $in) {{
  {TEMPLATE_FIELDS} }} }}"""
UPDATE = f"""mutation($in: UpdateShippingTemplateInput!) {{ updateShippingTemplate(input: $in) {{
  {TEMPLATE_FIELDS} }} }}"""
DELETE = """mutation($id: ID!) { deleteShippingTemplate(input: {templateId: $id}) {
  deletedTemplateId errors { code field message } } }"""
UPDATE_PRODUCT = """mutation($in: UpdateProductInput!) { updateProduct(input: $in) {
  product { id shippingTemplate { id name } } errors { code field message } } }"""
TEMPLATES = "query($id: ID!) { shop(id: $id) { shippingTemplates { id name } } }"

NANSHAN = "440305"  # 广东省 深圳市 南山区
TIANHE = "440106"  # 广东省 广州市 天河区
CHAOYANG = "110105"  # 北京市 朝阳区
LHASA = "540102"  # 西藏 拉萨市 城关区


def rate(first_fee: int, additional_fee: int = 0, first: int = 1, additional: int = 1) -> dict[str, int]:
    return {"firstUnits": first, "firstFee": first_fee, "additionalUnits": additional, "additionalFee": additional_fee}


def template(shop_id: str, **more: Any) -> dict[str, Any]:
    return {"shopId": shop_id, "name": "标准快递", "chargeBy": "BY_PIECE", "defaultRate": rate(1000, 500), **more}


async def create_template(api: Api, token: str, shop_id: str, **more: Any) -> dict[str, Any]:
    body = await api.gql(CREATE, {"in": template(shop_id, **more)}, token=token)
    payload: dict[str, Any] = body["data"]["createShippingTemplate"]
    return payload


async def shop_with_template(api: Api, **more: Any) -> tuple[str, str, str]:
    """(owner's token, shop id, template id) of a new shop with one template."""
    owner, _ = await api.login("运费店主")
    shop_id = (await api.gql(SHOP, {"n": "运费店"}, token=owner))["data"]["createShop"]["shop"]["id"]
    payload = await create_template(api, owner, shop_id, **more)
    assert payload["errors"] == [], payload
    return owner, shop_id, payload["shippingTemplate"]["id"]


async def product_on(
    api: Api, token: str, shop_id: str, template_id: str | None, prices: tuple[int, ...] = (1000,), grams: int = 0
) -> tuple[str, list[str]]:
    skus = [
        {"specs": [{"name": "款", "value": f"#{i}"}], "price": p, "stock": 100, "weightGrams": grams}
        for i, p in enumerate(prices)
    ]
    product_input = {"shopId": shop_id, "title": "运费商品", "description": "", "images": [], "skus": skus}
    if template_id is not None:
        product_input["shippingTemplateId"] = template_id
    payload = (await api.gql(PRODUCT, {"in": product_input}, token=token))["data"]["createProduct"]
    assert payload["errors"] == [], payload
    return payload["product"]["id"], [s["id"] for s in payload["product"]["skus"]]


def raw(global_id: str) -> str:
    return from_global_id(global_id)[1]


async def quote(api: Api, shop_id: str, lines: list[tuple[str, int]], district: str) -> shipping_uc.ShippingQuote:
    return await shipping_uc.fees(api.services, raw(shop_id), [(raw(s), q) for s, q in lines], district)


async def test_a_template_is_created_and_listed_on_its_shop(api: Api) -> None:
    # given
    _owner, shop_id, template_id = await shop_with_template(
        api,
        zones=[{"regionCodes": ["110000", "440300"], "rate": rate(800, 400)}],
        freeShipping={"minAmount": 9900},
        undeliverableRegionCodes=["540000"],
    )
    # when
    shop = (await api.gql(TEMPLATES, {"id": shop_id}))["data"]["shop"]
    node = await api.gql(
        "query($id: ID!) { node(id: $id) { ... on ShippingTemplate { name zones { regions { name } } "
        "undeliverableRegions { name } freeShipping { minAmount { amount } minQuantity } } } }",
        {"id": template_id},
    )
    # then
    assert shop["shippingTemplates"] == [{"id": template_id, "name": "标准快递"}]
    found = node["data"]["node"]
    assert found["zones"] == [{"regions": [{"name": "北京市"}, {"name": "深圳市"}]}]
    assert found["undeliverableRegions"] == [{"name": "西藏自治区"}]
    assert found["freeShipping"] == {"minAmount": {"amount": 9900}, "minQuantity": None}


async def test_a_product_without_a_template_ships_free(api: Api) -> None:
    owner, _ = await api.login("包邮店主")
    shop_id, _, skus = await make_product(api, owner, prices=(1000,))
    found = await quote(api, shop_id, [(skus[0], 3)], NANSHAN)
    assert (found.fee, found.undeliverable) == (0, [])
    assert found.parts[0].template_id is None


async def test_by_piece_charges_the_first_piece_and_each_further_one(api: Api) -> None:
    # given: 10 yuan the first piece, 5 each further
    owner, shop_id, template_id = await shop_with_template(api)
    _, skus = await product_on(api, owner, shop_id, template_id)
    # when / then
    assert (await quote(api, shop_id, [(skus[0], 1)], NANSHAN)).fee == 1000
    assert (await quote(api, shop_id, [(skus[0], 3)], NANSHAN)).fee == 2000


async def test_a_zone_has_its_own_rate_and_a_city_beats_its_province(api: Api) -> None:
    # given: Guangdong 8 yuan, Shenzhen 6, elsewhere 10
    owner, shop_id, template_id = await shop_with_template(
        api,
        zones=[
            {"regionCodes": ["440000"], "rate": rate(800)},
            {"regionCodes": ["440300"], "rate": rate(600)},
        ],
    )
    _, skus = await product_on(api, owner, shop_id, template_id)
    # when / then
    assert (await quote(api, shop_id, [(skus[0], 1)], NANSHAN)).fee == 600
    assert (await quote(api, shop_id, [(skus[0], 1)], TIANHE)).fee == 800
    assert (await quote(api, shop_id, [(skus[0], 1)], CHAOYANG)).fee == 1000


async def test_by_weight_charges_started_steps_of_grams(api: Api) -> None:
    # given: 12 yuan the first kilo, 4 each further 500 g started; a SKU of 700 g
    owner, shop_id, template_id = await shop_with_template(
        api, chargeBy="BY_WEIGHT", defaultRate=rate(1200, 400, first=1000, additional=500)
    )
    _, skus = await product_on(api, owner, shop_id, template_id, grams=700)
    # when / then: 700 g, 1400 g, 2100 g
    assert (await quote(api, shop_id, [(skus[0], 1)], NANSHAN)).fee == 1200
    assert (await quote(api, shop_id, [(skus[0], 2)], NANSHAN)).fee == 1600
    assert (await quote(api, shop_id, [(skus[0], 3)], NANSHAN)).fee == 2400


async def test_lines_reaching_the_threshold_ship_free(api: Api) -> None:
    # given: free from 99 yuan, or from 5 pieces
    owner, shop_id, template_id = await shop_with_template(api, freeShipping={"minAmount": 9900, "minQuantity": 5})
    _, skus = await product_on(api, owner, shop_id, template_id, prices=(3000,))
    _cheap_id, cheap = await product_on(api, owner, shop_id, template_id, prices=(100,))
    # when / then
    assert (await quote(api, shop_id, [(skus[0], 3)], NANSHAN)).fee == 2000  # 90 yuan, 3 pieces
    by_amount = await quote(api, shop_id, [(skus[0], 4)], NANSHAN)  # 120 yuan
    assert (by_amount.fee, by_amount.parts[0].free_shipping) == (0, True)
    assert (await quote(api, shop_id, [(cheap[0], 5)], NANSHAN)).fee == 0  # 5 pieces
    # both products on the one template count together: 90 + 1 yuan, 4 pieces
    assert (await quote(api, shop_id, [(skus[0], 3), (cheap[0], 1)], NANSHAN)).fee == 2500


async def test_products_on_different_templates_add_up(api: Api) -> None:
    # given
    owner, shop_id, first = await shop_with_template(api)
    second = await create_template(api, owner, shop_id, name="大件", defaultRate=rate(3000, 1000))
    _, a = await product_on(api, owner, shop_id, first)
    _, b = await product_on(api, owner, shop_id, second["shippingTemplate"]["id"])
    _, free = await product_on(api, owner, shop_id, None)
    # when
    found = await quote(api, shop_id, [(a[0], 2), (b[0], 1), (free[0], 1)], NANSHAN)
    # then
    assert found.fee == 1500 + 3000
    assert [(p.template_name, p.line_indexes, p.fee) for p in found.parts] == [
        ("标准快递", (0,), 1500),
        ("大件", (1,), 3000),
        (None, (2,), 0),
    ]


async def test_a_region_not_delivered_to_names_its_lines(api: Api) -> None:
    # given: no delivery to Tibet on the first template
    owner, shop_id, template_id = await shop_with_template(api, undeliverableRegionCodes=["540000"])
    _, on_it = await product_on(api, owner, shop_id, template_id)
    _, free = await product_on(api, owner, shop_id, None)
    # when
    found = await quote(api, shop_id, [(free[0], 1), (on_it[0], 1)], LHASA)
    # then
    assert found.undeliverable == [1]
    assert not found.deliverable
    assert (await quote(api, shop_id, [(on_it[0], 1)], NANSHAN)).deliverable


async def test_a_template_is_updated_field_by_field(api: Api) -> None:
    # given
    owner, shop_id, template_id = await shop_with_template(api, freeShipping={"minQuantity": 3})
    _, skus = await product_on(api, owner, shop_id, template_id)
    # when: a new default rate; the threshold removed
    body = await api.gql(
        UPDATE, {"in": {"templateId": template_id, "defaultRate": rate(700), "freeShipping": None}}, token=owner
    )
    # then
    payload = body["data"]["updateShippingTemplate"]
    assert payload["errors"] == []
    assert payload["shippingTemplate"]["name"] == "标准快递"
    assert payload["shippingTemplate"]["freeShipping"] is None
    assert (await quote(api, shop_id, [(skus[0], 3)], NANSHAN)).fee == 700


async def test_a_template_in_use_is_not_deleted(api: Api) -> None:
    # given
    owner, shop_id, template_id = await shop_with_template(api)
    product_id, _ = await product_on(api, owner, shop_id, template_id)
    # when
    refused = (await api.gql(DELETE, {"id": template_id}, token=owner))["data"]["deleteShippingTemplate"]
    await api.gql(UPDATE_PRODUCT, {"in": {"productId": product_id, "shippingTemplateId": None}}, token=owner)
    deleted = (await api.gql(DELETE, {"id": template_id}, token=owner))["data"]["deleteShippingTemplate"]
    # then
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("CONFLICT", ["input", "templateId"])]
    assert deleted == {"deletedTemplateId": template_id, "errors": []}
    assert (await api.gql(TEMPLATES, {"id": shop_id}))["data"]["shop"]["shippingTemplates"] == []


async def test_a_product_is_pointed_at_a_template(api: Api) -> None:
    # given
    owner, shop_id, template_id = await shop_with_template(api)
    product_id, skus = await product_on(api, owner, shop_id, None)
    # when
    payload = (
        await api.gql(UPDATE_PRODUCT, {"in": {"productId": product_id, "shippingTemplateId": template_id}}, token=owner)
    )["data"]["updateProduct"]
    # then
    assert payload == {
        "product": {"id": product_id, "shippingTemplate": {"id": template_id, "name": "标准快递"}},
        "errors": [],
    }
    assert (await quote(api, shop_id, [(skus[0], 1)], NANSHAN)).fee == 1000


# -- staff ---------------------------------------------------------------------------------------------------------
async def add_staff(api: Api, shop_id: str, user_id: str, *roles: str) -> None:
    shop, user = raw(shop_id), raw(user_id)
    await api.services.store.insert(
        "shop_staff", {"_id": staff_id(shop, user), "shopId": shop, "userId": user, "roles": list(roles)}
    )


async def test_an_admin_manages_templates_and_other_staff_may_not(api: Api) -> None:
    # given
    _owner, shop_id, template_id = await shop_with_template(api)
    admin, admin_user = await api.login("管理员")
    warehouse, warehouse_user = await api.login("仓库")
    await add_staff(api, shop_id, admin_user["id"], "ADMIN")
    await add_staff(api, shop_id, warehouse_user["id"], "WAREHOUSE")
    # when
    by_admin = await create_template(api, admin, shop_id, name="管理员的")
    by_warehouse = await create_template(api, warehouse, shop_id, name="仓库的")
    edit = await api.gql(UPDATE, {"in": {"templateId": template_id, "name": "改名"}}, token=warehouse)
    # then
    assert by_admin["errors"] == []
    assert [(e["code"], e["field"]) for e in by_warehouse["errors"]] == [("FORBIDDEN", ["input", "shopId"])]
    errors = edit["data"]["updateShippingTemplate"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("FORBIDDEN", ["input", "templateId"])]


async def test_another_shop_may_not_touch_a_template(api: Api) -> None:
    # given
    _, _, template_id = await shop_with_template(api)
    stranger, _ = await api.login("别的店主")
    # when
    edit = await api.gql(UPDATE, {"in": {"templateId": template_id, "name": "抢来的"}}, token=stranger)
    deleted = await api.gql(DELETE, {"id": template_id}, token=stranger)
    # then
    assert edit["data"]["updateShippingTemplate"]["errors"][0]["code"] == "FORBIDDEN"
    assert deleted["data"]["deleteShippingTemplate"]["errors"][0]["code"] == "FORBIDDEN"


# -- an order's address and fee ------------------------------------------------------------------------------------
ORDER = """query($id: ID!) { order(id: $id) { shippingFee { amount } total { amount }
  shippingAddress { recipient phone fullPhone cityName districtName detail postcode } } }"""
MY_ORDERS = """query { myOrders { edges { node { shippingFee { amount }
  shippingAddress { phone fullPhone } } } } }"""
PLACE = """mutation($sku: ID!) { placeOrder(input: {lines: [{skuId: $sku, quantity: 1}], idempotencyKey: "k1"}) {
  order { id shippingFee { amount } shippingAddress { phone } } errors { code } } }"""
SNAPSHOT = {
    "recipient": "张三",
    "phone": "13812341234",
    "provinceCode": "440000",
    "provinceName": "广东省",
    "cityCode": "440300",
    "cityName": "深圳市",
    "districtCode": "440305",
    "districtName": "南山区",
    "detail": "科技园路1号",
    "postcode": None,
}


async def shipped_order(api: Api) -> tuple[str, str, str, str]:
    """(owner's token, buyer's token, shop id, order id) of an order given an address and a fee, as checkout does."""
    owner, _ = await api.login("发货店主")
    buyer, _ = await api.login("收货买家")
    shop_id, _, skus = await make_product(api, owner, prices=(1000,))
    placed = (await api.gql(PLACE, {"sku": skus[0]}, token=buyer))["data"]["placeOrder"]
    order_id = placed["order"]["id"]
    assert placed["order"]["shippingFee"] == {"amount": 0}  # placeOrder alone: no fee, no address
    assert placed["order"]["shippingAddress"] is None
    await api.services.store.update_one(
        "orders",
        {"_id": raw(order_id)},
        {"$set": {"shippingAddress": SNAPSHOT, "phoneTail": "1234", "shippingFee": 800, "total": 1800}},
    )
    return owner, buyer, shop_id, order_id


async def test_the_buyer_sees_the_whole_address_of_one_order_and_a_masked_phone_in_lists(api: Api) -> None:
    # given
    _, buyer, _, order_id = await shipped_order(api)
    # when
    one = (await api.gql(ORDER, {"id": order_id}, token=buyer))["data"]["order"]
    listed = (await api.gql(MY_ORDERS, token=buyer))["data"]["myOrders"]["edges"]
    # then
    assert one["shippingFee"] == {"amount": 800}
    assert one["total"] == {"amount": 1800}
    assert one["shippingAddress"] == {
        "recipient": "张三",
        "phone": "138****1234",
        "fullPhone": "13812341234",
        "cityName": "深圳市",
        "districtName": "南山区",
        "detail": "科技园路1号",
        "postcode": None,
    }
    assert listed == [
        {"node": {"shippingFee": {"amount": 800}, "shippingAddress": {"phone": "138****1234", "fullPhone": None}}}
    ]


async def test_the_shop_owner_sees_the_address(api: Api) -> None:
    owner, _, _, order_id = await shipped_order(api)
    one = (await api.gql(ORDER, {"id": order_id}, token=owner))["data"]["order"]
    assert one["shippingAddress"]["fullPhone"] == "13812341234"


async def test_shop_staff_see_the_address_and_nobody_else_does(api: Api) -> None:
    # given: staff of the shop, staff of another shop, a stranger
    from resolvers.visibility import Seer

    _, _, shop_id, order_id = await shipped_order(api)
    _, clerk = await api.login("客服")
    _, other_clerk = await api.login("别店客服")
    _, stranger = await api.login("路人")
    await add_staff(api, shop_id, clerk["id"], "CUSTOMER_SERVICE")
    other_shop = (await api.gql(SHOP, {"n": "别的店"}, token=(await api.login("别店主"))[0]))["data"]["createShop"]
    await add_staff(api, other_shop["shop"]["id"], other_clerk["id"], "ADMIN")
    order = await api.services.store.get("orders", raw(order_id))
    assert order is not None
    # when
    seen = {
        name: await Seer.of(api.services.store, raw(user["id"])).order_address(order)
        for name, user in (("clerk", clerk), ("other", other_clerk), ("stranger", stranger))
    }
    # then
    assert seen == {"clerk": True, "other": False, "stranger": False}


async def test_anyone_else_gets_no_address(api: Api) -> None:
    # given
    _, _, _, order_id = await shipped_order(api)
    stranger, _ = await api.login("陌生人")
    # when
    body = await api.gql(ORDER, {"id": order_id}, token=stranger)
    # then: the order itself is not theirs to see
    assert body["data"]["order"] is None
