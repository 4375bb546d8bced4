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
