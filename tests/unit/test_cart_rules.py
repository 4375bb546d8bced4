"""The cart's and checkout's pure rules: a line's availability, adding to a line, the limits, what a purchase leaves
in the cart, a checkout's status from its orders, and its id."""

from __future__ import annotations

from domain import cart, checkout

SKU = {"_id": "s1", "productId": "p1", "shopId": "shop", "price": 1000, "stock": 50}
PRODUCT = {"_id": "p1"}


def line(quantity: int = 2, price: int = 1000, line_id: str = "l1", sku: str = "s1") -> dict[str, object]:
    return {"id": line_id, "skuId": sku, "quantity": quantity, "priceAtAdd": price}


def test_availability_is_the_first_that_holds() -> None:
    assert cart.availability(line(), SKU, PRODUCT) == cart.OK
    assert cart.availability(line(), None, PRODUCT) == cart.OFF_SHELF
    assert cart.availability(line(), SKU, None) == cart.OFF_SHELF
    assert cart.availability(line(51, price=900), SKU, PRODUCT) == cart.OUT_OF_STOCK  # before PRICE_CHANGED
    assert cart.availability(line(price=900), {**SKU, "stock": 3}, PRODUCT) == cart.PRICE_CHANGED  # before LOW_STOCK
    assert cart.availability(line(), {**SKU, "stock": cart.LOW_STOCK_UNITS - 1}, PRODUCT) == cart.LOW_STOCK
    assert cart.availability(line(), {**SKU, "stock": cart.LOW_STOCK_UNITS}, PRODUCT) == cart.OK


def test_adding_a_sku_again_adds_to_its_line_within_the_limits() -> None:
    first = cart.new_line("l1", SKU, 3, now=1)
    lines, problem = cart.with_added([first], cart.new_line("l2", SKU, 4, now=2))
    assert problem is None and [(x["id"], x["quantity"]) for x in lines] == [("l1", 7)]
    _, problem = cart.with_added(lines, cart.new_line("l3", SKU, cart.MAX_QUANTITY - 6, now=3))
    assert problem is not None and problem.field == "quantity"
    full = [cart.new_line(f"l{i}", {**SKU, "_id": f"s{i}"}, 1, now=i) for i in range(cart.MAX_LINES)]
    _, problem = cart.with_added(full, cart.new_line("new", {**SKU, "_id": "other"}, 1, now=0))
    assert problem is not None and problem.field == "skuId"
    more, problem = cart.with_added(full, cart.new_line("again", {**SKU, "_id": "s0"}, 1, now=0))
    assert problem is None and len(more) == cart.MAX_LINES


def test_a_purchase_takes_what_was_bought_off_its_lines() -> None:
    lines = [line(2, line_id="a"), line(5, line_id="b", sku="s2"), line(1, line_id="c", sku="s3")]
    left = cart.after_purchase(lines, {"a": 2, "b": 3, "gone": 1})
    assert [(x["id"], x["quantity"]) for x in left] == [("b", 2), ("c", 1)]


def test_a_checkouts_status_follows_its_orders() -> None:
    def of(*statuses: str) -> str:
        return checkout.status({"status": s} for s in statuses)

    assert of("PENDING_PAYMENT", "PENDING_PAYMENT") == checkout.PENDING_PAYMENT
    assert of("PAID", "PENDING_PAYMENT") == checkout.PENDING_PAYMENT
    assert of("PAID", "SHIPPED") == checkout.PAID
    assert of("REFUNDED", "CANCELLED") == checkout.PAID
    assert of("CANCELLED", "CANCELLED") == checkout.CANCELLED


def test_a_checkout_id_follows_from_buyer_and_key_and_tells_neither() -> None:
    one = checkout.checkout_id("buyer", "key")
    assert one == checkout.checkout_id("buyer", "key") != checkout.checkout_id("buyer", "key2")
    assert checkout.checkout_id("buyer", "key") != checkout.checkout_id("buyer2", "key")
    assert "buyer" not in one and "key" not in one and len(one) == 24


def test_coupon_ids_are_few_and_distinct() -> None:
    assert checkout.coupon_id_problems([]) == []
    assert [p.field for p in checkout.coupon_id_problems(["a", "b", "a"])] == ["couponIds.2"]
    assert [p.field for p in checkout.coupon_id_problems(["c"] * (checkout.MAX_COUPONS + 1))] == ["couponIds"]
