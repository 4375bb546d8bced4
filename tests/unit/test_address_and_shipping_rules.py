"""Pure rules of addresses and shipping: the region table (municipalities, cities without districts), phones,
WeChat's address names, and the fee rule (with hypothesis properties: never negative, monotonic, free above the
threshold)."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain import addresses, regions
from domain import shipping as s

# -- the region table ------------------------------------------------------------------------------------------------


def test_the_table_holds_the_31_mainland_provinces_and_every_district_has_a_city_and_province() -> None:
    assert len(regions.PROVINCES) == 31
    assert all(r.code.endswith("0000") for r in regions.PROVINCES)
    districts = [r for r in regions.REGIONS.values() if regions.level(r) == 3]
    assert len(districts) > 2_900
    for district in districts:
        place = regions.place(district.code)
        assert place is not None
        assert district.code.startswith(place.city.code[:4]) and place.city.code.startswith(place.province.code[:2])


def test_a_municipality_has_one_city_level_named_after_it() -> None:
    for code, name in (("110000", "北京市"), ("310000", "上海市"), ("120000", "天津市")):
        cities = regions.children(code)
        assert [c.name for c in cities] == ["市辖区"]
        assert regions.city_label(cities[0]) == name
    chongqing = regions.children("500000")
    assert {c.name for c in chongqing} == {"市辖区", "县"}
    assert {regions.city_label(c) for c in chongqing} == {"重庆市"}
    place = regions.place("500229")  # 城口县, under 重庆's 县
    assert place is not None and (place.city.code, place.city_label) == ("500200", "重庆市")


def test_cities_without_districts_have_their_towns_as_third_level() -> None:
    for city_code, town in (
        ("441900", "东城街道"),
        ("442000", "石岐街道"),
        ("460400", "那大镇"),
        ("620200", "雄关街道"),
    ):
        towns = regions.children(city_code)
        assert towns and all(len(t.code) == 9 for t in towns)
        assert town in {t.name for t in towns}


def test_province_administered_counties_are_districts_of_the_placeholder_city() -> None:
    place = regions.place("429004")  # 仙桃市
    assert place is not None
    assert (place.province.name, place.city.code, place.district.name) == ("湖北省", "429000", "仙桃市")


def test_place_problems_name_the_first_wrong_level() -> None:
    assert regions.place_problems("440000", "440300", "440305") == []
    assert regions.place_problems("110000", "110100", "110101") == []
    assert [p.field for p in regions.place_problems("440001", "440300", "440305")] == ["provinceCode"]
    assert [p.field for p in regions.place_problems("440000", "110100", "110101")] == ["cityCode"]
    assert [p.field for p in regions.place_problems("440000", "440300", "440106")] == ["districtCode"]
    assert [p.field for p in regions.place_problems("440000", "440300", "440300")] == ["districtCode"]
    assert [p.field for p in regions.place_problems("", "", "")] == ["provinceCode"]


def test_wechat_names_must_agree_with_the_code() -> None:
    place, problems = regions.wechat_place("广东省", "深圳市", "南山区", "440305")
    assert problems == [] and place is not None and place.district.code == "440305"
    _, problems = regions.wechat_place("广东省", "深圳市", "福田区", "440305")
    assert [p.field for p in problems] == ["nationalCode"]
    _, problems = regions.wechat_place("北京市", "深圳市", "南山区", "440305")
    assert [p.field for p in problems] == ["nationalCode"]
    place, problems = regions.wechat_place("重庆市", "重庆市", "城口县", "500229")
    assert problems == [] and place is not None
    place, problems = regions.wechat_place("湖北省", "仙桃市", "仙桃市", "429004")  # a picker may name it twice
    assert problems == [] and place is not None
    place, problems = regions.wechat_place("湖北省", "省直辖县级行政区划", "仙桃市", "")
    assert problems == [] and place is not None and place.district.code == "429004"


# -- phones ------------------------------------------------------------------------------------------------------


def test_mainland_mobiles() -> None:
    assert all(addresses.phone_problems(p) == [] for p in ("13012345678", "15912345678", "19912345678"))
    bad = ("12012345678", "10012345678", "23012345678", "1301234567", "130123456789", "", "1301234567x")
    assert all(addresses.phone_problems(p) for p in bad)


def test_a_phone_is_masked_in_the_middle() -> None:
    assert addresses.masked("13812341234") == "138****1234"


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_typed_forms_of_a_mobile_normalize_to_it(phone: str) -> None:
    typed = (phone, f"{phone[:3]} {phone[3:7]} {phone[7:]}", f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", f"+86 {phone}")
    assert {addresses.normal_phone(t) for t in typed} == {phone}


# -- the fee rule ------------------------------------------------------------------------------------------------


def test_a_rate_charges_each_started_step() -> None:
    rate = s.Rate(first_units=1000, first_fee=1200, additional_units=500, additional_fee=400)
    assert [rate.fee(g) for g in (0, 1, 1000, 1001, 1500, 1501, 3000)] == [1200, 1200, 1200, 1600, 1600, 2000, 2800]


def test_the_most_specific_zone_wins_and_undeliverable_regions_have_no_fee() -> None:
    template = s.Template(
        charge_by=s.BY_PIECE,
        default=s.Rate(1, 1000, 1, 500),
        zones=((frozenset({"440000"}), s.Rate(1, 800, 1, 0)), (frozenset({"440300"}), s.Rate(1, 600, 1, 0))),
        undeliverable=frozenset({"540000", "650100"}),
    )
    assert template.fee("440305", 1, 0, 0) == 600  # 深圳 南山
    assert template.fee("440106", 1, 0, 0) == 800  # 广州 天河
    assert template.fee("441900003", 1, 0, 0) == 800  # a 东莞 town
    assert template.fee("110105", 2, 0, 0) == 1500
    assert template.fee("540102", 1, 0, 0) is None  # 拉萨: Tibet is not delivered to
    assert template.fee("650102", 1, 0, 0) is None  # 乌鲁木齐 (a city) is not
    assert template.fee("650202", 1, 0, 0) == 1000  # 克拉玛依 is
    assert template.fee("nonsense", 1, 0, 0) is None


def test_lines_group_by_template_in_order() -> None:
    lines = [s.Line("a", 2, 100, 500), s.Line(None, 1, 0, 300), s.Line("a", 1, 50, 200), s.Line("b", 3, 10, 100)]
    parcels = s.parcels(lines)
    assert [(p.template_id, p.line_indexes, p.pieces, p.grams, p.amount) for p in parcels] == [
        ("a", (0, 2), 3, 250, 1200),
        (None, (1,), 1, 0, 300),
        ("b", (3,), 3, 30, 300),
    ]


def _template_fields(**more: object) -> dict[str, object]:
    rate = {"firstUnits": 1, "firstFee": 100, "additionalUnits": 1, "additionalFee": 50}
    return {
        "name": "快递",
        "chargeBy": s.BY_PIECE,
        "defaultRate": rate,
        "zones": [],
        "freeShipping": None,
        "undeliverableRegionCodes": [],
        **more,
    }


def test_template_problems() -> None:
    assert s.template_problems(_template_fields()) == []
    assert s.template_problems(_template_fields(zones=[{"regionCodes": ["441900"], "rate": _rate()}])) == []
    assert [p.field for p in s.template_problems(_template_fields(chargeBy="BY_VOLUME"))] == ["chargeBy"]
    too_many = [{"regionCodes": [r.code], "rate": _rate()} for r in regions.PROVINCES] * 2
    assert "zones" in [p.field for p in s.template_problems(_template_fields(zones=too_many))]


def _rate() -> dict[str, int]:
    return {"firstUnits": 1, "firstFee": 100, "additionalUnits": 1, "additionalFee": 50}


DISTRICTS = ["440305", "110105", "441900003", "540102", "500229", "650102", "429004"]
rates = st.builds(
    s.Rate,
    first_units=st.integers(1, 2_000),
    first_fee=st.integers(0, s.FEE_MAX),
    additional_units=st.integers(1, 2_000),
    additional_fee=st.integers(0, s.FEE_MAX),
)
templates = st.builds(
    s.Template,
    charge_by=st.sampled_from(s.CHARGE_BY),
    default=rates,
    zones=st.lists(
        st.tuples(st.frozensets(st.sampled_from(["440000", "110000", "440300", "650100"]), min_size=1), rates),
        max_size=3,
    ).map(tuple),
    free_min_amount=st.none() | st.integers(1, 100_000),
    free_min_pieces=st.none() | st.integers(1, 50),
    undeliverable=st.frozensets(st.sampled_from(["540000", "650100"]), max_size=1),
)


@settings(max_examples=300)
@given(templates, st.sampled_from(DISTRICTS), st.integers(1, 100), st.integers(0, 5_000), st.integers(1, 50_000))
def test_a_fee_is_never_negative(template: s.Template, district: str, pieces: int, unit_grams: int, price: int) -> None:
    fee = template.fee(district, pieces, pieces * unit_grams, pieces * price)
    assert fee is None or fee >= 0


@settings(max_examples=300)
@given(templates, st.sampled_from(DISTRICTS), st.integers(1, 100), st.integers(0, 5_000), st.integers(1, 50_000))
def test_more_of_the_same_never_costs_less_to_ship_until_it_ships_free(
    template: s.Template, district: str, pieces: int, unit_grams: int, price: int
) -> None:
    fewer = template.fee(district, pieces, pieces * unit_grams, pieces * price)
    more = template.fee(district, pieces + 1, (pieces + 1) * unit_grams, (pieces + 1) * price)
    assume(fewer is not None)
    assert more is not None  # delivery depends on the district only
    assert more >= fewer or more == 0


@settings(max_examples=300)
@given(templates, st.sampled_from(DISTRICTS), st.integers(1, 100), st.integers(0, 5_000), st.integers(1, 50_000))
def test_lines_at_or_above_a_threshold_ship_free(
    template: s.Template, district: str, pieces: int, unit_grams: int, price: int
) -> None:
    fee = template.fee(district, pieces, pieces * unit_grams, pieces * price)
    assume(fee is not None)
    reached = (template.free_min_amount is not None and pieces * price >= template.free_min_amount) or (
        template.free_min_pieces is not None and pieces >= template.free_min_pieces
    )
    if reached:
        assert fee == 0
    else:
        assert fee == template.rate_for(district).fee(
            pieces if template.charge_by == s.BY_PIECE else pieces * unit_grams
        )  # type: ignore[union-attr]


@settings(max_examples=200)
@given(rates, st.integers(0, 100_000))
def test_a_rate_is_monotonic_in_units(rate: s.Rate, units: int) -> None:
    assert rate.fee(units + 1) >= rate.fee(units) >= rate.first_fee >= 0
