"""The address book through the API on the embedded default: create, edit, delete, the one default (raced),
wx.chooseAddress imports, the bad inputs, the snapshot an order keeps, and who sees an order's address."""

from __future__ import annotations

import asyncio
from typing import Any

from domain.ids import from_global_id
from resolvers import addresses as addresses_uc
from resolvers.errors import Refused
from tests.api.conftest import Api

FIELDS = """address { id recipient phone fullPhone provinceCode provinceName cityCode cityName districtCode
  districtName detail postcode isDefault }
  addresses { id isDefault } errors { code field message }"""
CREATE = f"mutation($in: AddressInput!) {{ createAddress(input: $in) {{ {FIELDS} }} }}"
UPDATE = f"mutation($in: UpdateAddressInput!) {{ updateAddress(input: $in) {{ {FIELDS} }} }}"
SET_DEFAULT = f"mutation($id: ID!) {{ setDefaultAddress(input: {{addressId: $id}}) {{ {FIELDS} }} }}"
DELETE = """mutation($id: ID!) { deleteAddress(input: {addressId: $id}) {
  deletedAddressId addresses { id isDefault } errors { code field message } } }"""
IMPORT = f"mutation($in: ImportWechatAddressInput!) {{ importWechatAddress(input: $in) {{ {FIELDS} }} }}"
BOOK = """query { me { addresses { id recipient phone fullPhone isDefault cityName districtName }
  defaultAddress { id } } }"""

SHENZHEN = {"provinceCode": "440000", "cityCode": "440300", "districtCode": "440305"}  # 广东省 深圳市 南山区
BEIJING = {"provinceCode": "110000", "cityCode": "110100", "districtCode": "110105"}  # 北京市 市辖区 朝阳区


def address(recipient: str = "张三", phone: str = "13812341234", **more: Any) -> dict[str, Any]:
    return {"recipient": recipient, "phone": phone, **SHENZHEN, "detail": "科技园路1号", **more}


async def create(api: Api, token: str, **more: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await api.gql(CREATE, {"in": address(**more)}, token=token))["data"]["createAddress"]
    return payload


async def book(api: Api, token: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await api.gql(BOOK, token=token))["data"]["me"]["addresses"]
    return found


def defaults(addresses: list[dict[str, Any]]) -> list[str]:
    return [a["id"] for a in addresses if a["isDefault"]]


async def test_an_address_is_saved_with_the_region_names_of_its_codes(api: Api) -> None:
    # given
    token, _ = await api.login("收件人")
    # when
    payload = await create(api, token, postcode="518057")
    # then
    assert payload["errors"] == []
    saved = payload["address"]
    assert saved["provinceName"] == "广东省"
    assert saved["cityName"] == "深圳市"
    assert saved["districtName"] == "南山区"
    assert (saved["phone"], saved["fullPhone"]) == ("138****1234", "13812341234")
    assert saved["postcode"] == "518057"
    assert saved["isDefault"] is True  # the first address is the default


async def test_the_book_lists_the_default_first_with_masked_phones(api: Api) -> None:
    # given
    token, _ = await api.login("两个地址")
    first = (await create(api, token, recipient="甲"))["address"]["id"]
    second = (await create(api, token, recipient="乙", phone="13900001111"))["address"]["id"]
    # when
    listed = await book(api, token)
    # then
    assert [a["id"] for a in listed] == [first, second]
    assert defaults(listed) == [first]
    assert [a["phone"] for a in listed] == ["138****1234", "139****1111"]
    me = (await api.gql(BOOK, token=token))["data"]["me"]
    assert me["defaultAddress"]["id"] == first


async def test_a_municipality_is_its_own_city(api: Api) -> None:
    # given
    token, _ = await api.login("北京人")
    # when
    payload = (await api.gql(CREATE, {"in": {**address(), **BEIJING}}, token=token))["data"]["createAddress"]
    # then
    assert payload["errors"] == []
    saved = payload["address"]
    assert (saved["provinceName"], saved["cityCode"], saved["cityName"]) == ("北京市", "110100", "北京市")
    assert saved["districtName"] == "朝阳区"


async def test_a_city_without_districts_takes_its_towns(api: Api) -> None:
    # given: 东莞 has no county level; its towns are the third level
    token, _ = await api.login("东莞人")
    dongguan = {"provinceCode": "440000", "cityCode": "441900", "districtCode": "441900003"}
    # when
    payload = (await api.gql(CREATE, {"in": {**address(), **dongguan}}, token=token))["data"]["createAddress"]
    # then
    assert payload["errors"] == []
    assert (payload["address"]["cityName"], payload["address"]["districtName"]) == ("东莞市", "东城街道")


async def test_setting_the_default_moves_it(api: Api) -> None:
    # given
    token, _ = await api.login("换默认")
    first = (await create(api, token))["address"]["id"]
    second = (await create(api, token))["address"]["id"]
    # when
    payload = (await api.gql(SET_DEFAULT, {"id": second}, token=token))["data"]["setDefaultAddress"]
    # then
    assert payload["errors"] == []
    assert payload["address"]["isDefault"] is True
    assert defaults(payload["addresses"]) == [second]
    assert [a["id"] for a in await book(api, token)] == [second, first]


async def test_a_new_address_can_be_made_the_default(api: Api) -> None:
    token, _ = await api.login("新默认")
    await create(api, token)
    second = (await create(api, token, isDefault=True))["address"]["id"]
    assert defaults(await book(api, token)) == [second]


async def test_deleting_the_default_promotes_the_oldest_other(api: Api) -> None:
    # given
    token, _ = await api.login("删默认")
    first = (await create(api, token))["address"]["id"]
    second = (await create(api, token))["address"]["id"]
    third = (await create(api, token))["address"]["id"]
    await api.gql(SET_DEFAULT, {"id": third}, token=token)
    # when
    payload = (await api.gql(DELETE, {"id": third}, token=token))["data"]["deleteAddress"]
    # then
    assert payload["errors"] == []
    assert payload["deletedAddressId"] == third
    assert defaults(payload["addresses"]) == [first]
    assert {a["id"] for a in await book(api, token)} == {first, second}
    assert defaults(await book(api, token)) == [first]


async def test_deleting_another_address_keeps_the_default(api: Api) -> None:
    token, _ = await api.login("删别的")
    first = (await create(api, token))["address"]["id"]
    second = (await create(api, token))["address"]["id"]
    await api.gql(DELETE, {"id": second}, token=token)
    assert defaults(await book(api, token)) == [first]


async def test_racing_set_defaults_leave_exactly_one_default(api: Api) -> None:
    # given: five addresses
    token, _ = await api.login("抢默认")
    ids = [(await create(api, token))["address"]["id"] for _ in range(5)]
    # when: each is made the default at once, twice over
    results = await asyncio.gather(*(api.gql(SET_DEFAULT, {"id": i}, token=token) for i in ids * 2))
    # then: every call succeeded, and the book has exactly one default, one of them
    assert all(r["data"]["setDefaultAddress"]["errors"] == [] for r in results)
    listed = await book(api, token)
    assert len(defaults(listed)) == 1
    assert defaults(listed)[0] in ids
    assert listed[0]["isDefault"]


async def test_racing_set_default_and_delete_leave_exactly_one_default(api: Api) -> None:
    # given
    token, _ = await api.login("删与设")
    ids = [(await create(api, token))["address"]["id"] for _ in range(4)]
    # when: the last one is made the default while it is deleted, and others are made the default too
    await asyncio.gather(
        api.gql(SET_DEFAULT, {"id": ids[3]}, token=token),
        api.gql(DELETE, {"id": ids[3]}, token=token),
        api.gql(SET_DEFAULT, {"id": ids[1]}, token=token),
        api.gql(DELETE, {"id": ids[0]}, token=token),
    )
    # then
    listed = await book(api, token)
    assert {a["id"] for a in listed} == {ids[1], ids[2]}
    assert len(defaults(listed)) == 1


async def test_the_snapshot_is_the_address_as_it_is_now(api: Api) -> None:
    # given
    token, user = await api.login("快照")
    address_id = (await create(api, token, postcode="518057"))["address"]["id"]
    raw_user, raw_address = from_global_id(user["id"])[1], from_global_id(address_id)[1]
    # when
    snapshot = await addresses_uc.snapshot(api.services, raw_user, raw_address)
    # then
    assert snapshot == {
        "recipient": "张三",
        "phone": "13812341234",
        "provinceCode": "440000",
        "provinceName": "广东省",
        "cityCode": "440300",
        "cityName": "深圳市",
        "districtCode": "440305",
        "districtName": "南山区",
        "detail": "科技园路1号",
        "postcode": "518057",
    }


async def test_the_snapshot_of_another_users_address_is_not_found(api: Api) -> None:
    # given
    owner, _ = await api.login("地址主人")
    _, other = await api.login("别人")
    address_id = (await create(api, owner))["address"]["id"]
    # when / then
    try:
        await addresses_uc.snapshot(api.services, from_global_id(other["id"])[1], from_global_id(address_id)[1])
    except Refused as refused:
        assert (refused.code, refused.field) == ("NOT_FOUND", ["input", "addressId"])
    else:
        raise AssertionError("another user's address was snapshotted")


# -- editing ---------------------------------------------------------------------------------------------------------
async def test_an_edit_changes_the_fields_given(api: Api) -> None:
    # given
    token, _ = await api.login("改地址")
    address_id = (await create(api, token, postcode="518057"))["address"]["id"]
    # when: another district of the same city, and the postcode removed
    changes = {"addressId": address_id, "districtCode": "440304", "detail": "福华路8号", "postcode": None}
    payload = (await api.gql(UPDATE, {"in": changes}, token=token))["data"]["updateAddress"]
    # then
    assert payload["errors"] == []
    saved = payload["address"]
    assert (saved["districtName"], saved["detail"], saved["postcode"]) == ("福田区", "福华路8号", None)
    assert (saved["recipient"], saved["fullPhone"]) == ("张三", "13812341234")


async def test_an_edit_does_not_change_an_orders_snapshot(api: Api) -> None:
    # given: a snapshot taken (as checkout does), then the address edited
    token, user = await api.login("改后快照")
    address_id = (await create(api, token))["address"]["id"]
    before = await addresses_uc.snapshot(api.services, from_global_id(user["id"])[1], from_global_id(address_id)[1])
    # when
    await api.gql(UPDATE, {"in": {"addressId": address_id, "detail": "新地址"}}, token=token)
    # then: the dict taken is a copy
    assert before["detail"] == "科技园路1号"


# -- bad input -------------------------------------------------------------------------------------------------------
def errors(payload: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


async def test_a_number_that_is_not_a_mainland_mobile_is_refused(api: Api) -> None:
    token, _ = await api.login("错号码")
    for phone in ("12812341234", "1381234123", "138123412345", "0755-8888888", "1381234123a", "+1 4155550123"):
        payload = await create(api, token, phone=phone)
        assert errors(payload) == [("INVALID_INPUT", ["input", "phone"])], phone
    assert await book(api, token) == []


async def test_a_mobile_as_people_type_it_is_accepted(api: Api) -> None:
    token, _ = await api.login("空格号码")
    for phone in ("138 1234 1234", "138-1234-1234", "+86 138 1234 1234"):
        assert (await create(api, token, phone=phone))["address"]["fullPhone"] == "13812341234"


async def test_a_region_code_that_does_not_exist_is_refused_on_its_field(api: Api) -> None:
    token, _ = await api.login("错代码")
    cases = [
        ({"provinceCode": "990000"}, "provinceCode"),
        ({"provinceCode": "110100"}, "provinceCode"),  # a city's code where a province's goes
        ({"cityCode": "449900"}, "cityCode"),
        ({"districtCode": "440399"}, "districtCode"),
        ({"districtCode": "440300"}, "districtCode"),  # the city itself
    ]
    for change, field in cases:
        payload = await create(api, token, **change)
        assert errors(payload) == [("INVALID_INPUT", ["input", field])], change
    assert await book(api, token) == []


async def test_a_code_that_does_not_belong_to_its_parent_is_refused_on_its_field(api: Api) -> None:
    token, _ = await api.login("错上级")
    # 广州市 is in 广东省 but 南山区 is in 深圳市; 深圳市 is not in 北京市
    wrong_city = await create(api, token, provinceCode="110000")
    wrong_district = await create(api, token, cityCode="440100")
    assert errors(wrong_city) == [("INVALID_INPUT", ["input", "cityCode"])]
    assert errors(wrong_district) == [("INVALID_INPUT", ["input", "districtCode"])]
    assert await book(api, token) == []


async def test_every_broken_field_is_named_at_once(api: Api) -> None:
    token, _ = await api.login("多处错")
    payload = await create(api, token, recipient=" ", phone="123", detail="", postcode="51805")
    assert sorted(f[-1] for _, f in errors(payload)) == ["detail", "phone", "postcode", "recipient"]


async def test_a_21st_address_is_refused(api: Api) -> None:
    # given
    token, _ = await api.login("二十个")
    for i in range(20):
        assert (await create(api, token, recipient=f"第{i}"))["errors"] == []
    # when
    payload = await create(api, token, recipient="第21")
    # then
    assert errors(payload) == [("TOO_MANY_ADDRESSES", ["input"])]
    assert len(await book(api, token)) == 20
    imported = (await api.gql(IMPORT, {"in": wechat()}, token=token))["data"]["importWechatAddress"]
    assert errors(imported) == [("TOO_MANY_ADDRESSES", ["input"])]


async def test_racing_creates_never_pass_20(api: Api) -> None:
    # given: 15 addresses
    token, _ = await api.login("抢着建")
    for _ in range(15):
        await create(api, token)
    # when: 12 more at once
    results = await asyncio.gather(*(create(api, token) for _ in range(12)))
    # then: exactly 5 made it
    assert sum(not r["errors"] for r in results) == 5
    assert sum(errors(r) == [("TOO_MANY_ADDRESSES", ["input"])] for r in results) == 7
    listed = await book(api, token)
    assert len(listed) == 20
    assert len(defaults(listed)) == 1


async def test_a_deleted_address_frees_its_place(api: Api) -> None:
    token, _ = await api.login("删了再建")
    ids = [(await create(api, token))["address"]["id"] for _ in range(20)]
    await api.gql(DELETE, {"id": ids[5]}, token=token)
    assert (await create(api, token))["errors"] == []


async def test_another_users_address_is_not_found_and_unchanged(api: Api) -> None:
    # given
    owner, _ = await api.login("原主")
    thief, _ = await api.login("别人家")
    address_id = (await create(api, owner))["address"]["id"]
    await create(api, thief)
    # when
    edited = (await api.gql(UPDATE, {"in": {"addressId": address_id, "detail": "改了"}}, token=thief))["data"]
    made_default = (await api.gql(SET_DEFAULT, {"id": address_id}, token=thief))["data"]
    deleted = (await api.gql(DELETE, {"id": address_id}, token=thief))["data"]
    node = (await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": address_id}, token=thief))["data"]
    # then
    not_found = [("NOT_FOUND", ["input", "addressId"])]
    assert errors(edited["updateAddress"]) == not_found
    assert errors(made_default["setDefaultAddress"]) == not_found
    assert errors(deleted["deleteAddress"]) == not_found
    assert node["node"] is None
    mine = await book(api, owner)
    assert [(a["id"], a["isDefault"]) for a in mine] == [(address_id, True)]
    assert defaults(await book(api, thief)) != [address_id]


async def test_the_owner_finds_an_address_by_its_id(api: Api) -> None:
    token, _ = await api.login("按id找")
    address_id = (await create(api, token))["address"]["id"]
    query = "query($id: ID!) { node(id: $id) { ... on Address { fullPhone isDefault } } }"
    found = (await api.gql(query, {"id": address_id}, token=token))["data"]["node"]
    assert found == {"fullPhone": "13812341234", "isDefault": True}
    by_query = "query($id: ID!) { address(id: $id) { id } }"
    assert (await api.gql(by_query, {"id": address_id}, token=token))["data"]["address"] == {"id": address_id}
    other, _ = await api.login("按id偷看")
    assert (await api.gql(by_query, {"id": address_id}, token=other))["data"]["address"] is None


async def test_nobody_else_sees_a_book(api: Api) -> None:
    # given
    owner, user = await api.login("有地址")
    other, _ = await api.login("偷看")
    await create(api, owner)
    # when
    query = "query($id: ID!) { user(id: $id) { addresses { id } defaultAddress { id } } }"
    seen = (await api.gql(query, {"id": user["id"]}, token=other))["data"]["user"]
    anonymous = (await api.gql(BOOK))["data"]["me"]
    # then
    assert seen == {"addresses": None, "defaultAddress": None}
    assert anonymous is None


async def test_an_anonymous_caller_may_not_save_addresses(api: Api) -> None:
    payload = (await api.gql(CREATE, {"in": address()}))["data"]["createAddress"]
    assert errors(payload) == [("UNAUTHENTICATED", None)]


async def test_an_edit_into_an_inconsistent_region_is_refused(api: Api) -> None:
    # given
    token, _ = await api.login("改错")
    address_id = (await create(api, token))["address"]["id"]
    # when: only the province changes, so the city no longer belongs to it
    payload = (await api.gql(UPDATE, {"in": {"addressId": address_id, "provinceCode": "110000"}}, token=token))["data"][
        "updateAddress"
    ]
    bad_phone = (await api.gql(UPDATE, {"in": {"addressId": address_id, "phone": "10086"}}, token=token))["data"][
        "updateAddress"
    ]
    # then
    assert errors(payload) == [("INVALID_INPUT", ["input", "cityCode"])]
    assert errors(bad_phone) == [("INVALID_INPUT", ["input", "phone"])]
    assert (await book(api, token))[0]["cityName"] == "深圳市"


# -- wx.chooseAddress ------------------------------------------------------------------------------------------------
def wechat(**more: str) -> dict[str, Any]:
    """What wx.chooseAddress returns for an address in 深圳市南山区."""
    return {
        "userName": "李四",
        "telNumber": "13900001111",
        "provinceName": "广东省",
        "cityName": "深圳市",
        "countyName": "南山区",
        "detailInfo": "深南大道10000号",
        "nationalCode": "440305",
        "postalCode": "518000",
        **more,
    }


async def imported(api: Api, token: str, **more: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await api.gql(IMPORT, {"in": wechat(**more)}, token=token))["data"][
        "importWechatAddress"
    ]
    return payload


async def test_a_wechat_address_is_imported(api: Api) -> None:
    token, _ = await api.login("微信地址")
    payload = await imported(api, token)
    assert payload["errors"] == []
    saved = payload["address"]
    assert (saved["recipient"], saved["fullPhone"], saved["detail"], saved["postcode"]) == (
        "李四",
        "13900001111",
        "深南大道10000号",
        "518000",
    )
    assert (saved["provinceCode"], saved["cityCode"], saved["districtCode"]) == ("440000", "440300", "440305")
    assert saved["isDefault"] is True


async def test_a_wechat_municipality_address_is_imported(api: Api) -> None:
    # WeChat names a municipality's city after it: 北京市 北京市 朝阳区
    token, _ = await api.login("微信北京")
    payload = await imported(
        api, token, provinceName="北京市", cityName="北京市", countyName="朝阳区", nationalCode="110105"
    )
    assert payload["errors"] == []
    assert (payload["address"]["cityCode"], payload["address"]["cityName"]) == ("110100", "北京市")


async def test_a_wechat_address_in_a_city_without_districts_is_imported(api: Api) -> None:
    # 东莞: the code is the city's, the county a town
    token, _ = await api.login("微信东莞")
    payload = await imported(api, token, cityName="东莞市", countyName="南城街道", nationalCode="441900")
    assert payload["errors"] == []
    assert (payload["address"]["districtCode"], payload["address"]["districtName"]) == ("441900004", "南城街道")


async def test_a_wechat_address_without_a_code_is_found_by_its_names(api: Api) -> None:
    token, _ = await api.login("微信无代码")
    payload = await imported(api, token, nationalCode="", postalCode="")
    assert payload["errors"] == []
    assert (payload["address"]["districtCode"], payload["address"]["postcode"]) == ("440305", None)


async def test_an_inconsistent_or_unknown_wechat_code_is_refused(api: Api) -> None:
    token, _ = await api.login("微信错代码")
    cases = [
        ({"nationalCode": "110105"}, "nationalCode"),  # 朝阳区 with 广东省 深圳市 南山区's names
        ({"nationalCode": "440304"}, "nationalCode"),  # 福田区: same city, another district
        ({"nationalCode": "999999"}, "nationalCode"),
        ({"nationalCode": "440300"}, "nationalCode"),  # a city's code (a city with districts)
        ({"cityName": "东莞市", "countyName": "不存在镇", "nationalCode": "441900"}, "countyName"),
        ({"nationalCode": "", "countyName": "不存在区"}, "countyName"),
        ({"nationalCode": "", "provinceName": "火星"}, "provinceName"),
        ({"telNumber": "020-81167888"}, "telNumber"),
        ({"userName": ""}, "userName"),
        ({"postalCode": "5180"}, "postalCode"),
    ]
    for change, field in cases:
        payload = await imported(api, token, **change)
        assert errors(payload) == [("INVALID_INPUT", ["input", field])], change
    assert await book(api, token) == []
