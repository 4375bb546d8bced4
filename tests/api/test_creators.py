"""Creators through the API: the credit score and level from the job, operators' badge, recommendedCreators from
the graph and interests, and DISCOVER's commercial share."""

from __future__ import annotations

from jobs.creators import refresh_creators
from resolvers.users import grant_operator
from tests.api.conftest import Api, make_product
from tests.api.test_content import LIKE, MODERATE, REPORT, create
from tests.api.test_social import FOLLOW

ME = "{ me { id creatorScore creatorLevel verifiedCreator } }"
VERIFY = """mutation($u: ID!, $v: Boolean!) { verifyCreator(input: {userId: $u, verified: $v}) {
  user { verifiedCreator } errors { code field } } }"""
RECOMMENDED = "{ recommendedCreators(first: 10) { user { nickname } reason followedBy inTopics } }"
DISCOVER = """query($f: Int, $a: String) { feed(kind: DISCOVER, first: $f, after: $a) {
  edges { cursor node { post { title products { title } } } } pageInfo { hasNextPage } } }"""


async def me(api: Api, token: str) -> dict[str, object]:
    return dict((await api.gql(ME, token=token))["data"]["me"])


async def test_the_job_scores_authors_by_the_quality_of_their_posts(api: Api) -> None:
    good, _ = await api.login("优质作者")
    spammy, _ = await api.login("违规作者")
    operator, op = await api.login("运营")
    await grant_operator(api.services, op["id"])
    fans = [(await api.login(f"粉丝{i}"))[0] for i in range(6)]
    for n in range(3):
        post = (await create(api, good, title=f"好茶{n}"))["post"]["id"]
        for fan in fans:
            assert (await api.gql(LIKE, {"p": post}, token=fan))["data"]["likePost"]["errors"] == []
    bad = (await create(api, spammy, title="普通"))["post"]["id"]
    await api.gql(LIKE, {"p": bad}, token=fans[0])
    assert (await api.gql(REPORT, {"t": bad, "r": "广告"}, token=fans[1]))["data"]["report"]["errors"] == []
    assert (await api.gql(MODERATE, {"t": bad, "a": False}, token=operator))["data"]["moderate"]["errors"] == []
    assert (await me(api, good))["creatorScore"] == 0.0
    run = await refresh_creators(api.services.store)
    assert run.authors == 2
    scored, penalised = await me(api, good), await me(api, spammy)
    assert float(scored["creatorScore"]) > 20 and int(scored["creatorLevel"]) >= 1  # type: ignore[arg-type]
    assert penalised["creatorScore"] == 0.0 and penalised["creatorLevel"] == 0
    assert (await refresh_creators(api.services.store)).written == 0  # nothing moved: nothing rewritten


async def test_operators_verify_creators_and_nobody_else_may(api: Api) -> None:
    creator, user = await api.login("待认证达人")
    stranger, _ = await api.login("路人")
    operator, op = await api.login("认证运营")
    await grant_operator(api.services, op["id"])
    refused = (await api.gql(VERIFY, {"u": user["id"], "v": True}, token=stranger))["data"]["verifyCreator"]
    assert refused == {"user": None, "errors": [{"code": "FORBIDDEN", "field": None}]}
    assert (await me(api, creator))["verifiedCreator"] is False
    done = (await api.gql(VERIFY, {"u": user["id"], "v": True}, token=operator))["data"]["verifyCreator"]
    assert done == {"user": {"verifiedCreator": True}, "errors": []}
    missing = await api.gql(VERIFY, {"u": op["id"].replace("V", "W"), "v": True}, token=operator)
    assert missing["data"]["verifyCreator"]["errors"][0]["field"] == ["input", "userId"]


async def test_recommended_creators_come_from_followees_and_interests_never_followed_or_blocked(api: Api) -> None:
    viewer, _ = await api.login("找达人的人")
    friend, friend_user = await api.login("朋友")
    names = ["社交达人", "兴趣达人", "已关注达人", "拉黑达人", "普通人"]
    users = {n: await api.login(n) for n in names}
    await api.gql(FOLLOW, {"id": friend_user["id"]}, token=viewer)
    await api.gql(FOLLOW, {"id": users["社交达人"][1]["id"]}, token=friend)
    await api.gql(FOLLOW, {"id": users["已关注达人"][1]["id"]}, token=viewer)
    await api.gql(
        "mutation($u: ID!) { block(input: {userId: $u}) { errors { code } } }",
        {"u": users["拉黑达人"][1]["id"]},
        token=viewer,
    )
    liked = (await create(api, users["普通人"][0], title="龙井", topics=["绿茶"]))["post"]["id"]
    await api.gql(LIKE, {"p": liked}, token=viewer)
    await create(api, users["兴趣达人"][0], title="碧螺春", topics=["绿茶"])
    await api.services.projector.drain()
    store = api.services.store
    from domain.ids import from_global_id

    for name, score in (("社交达人", 40.0), ("兴趣达人", 30.0), ("已关注达人", 90.0), ("拉黑达人", 95.0)):
        await store.update_one(
            "users",
            {"_id": from_global_id(users[name][1]["id"])[1]},
            {"$set": {"creatorScore": score, "creatorLevel": 2}},
        )
    got = (await api.gql(RECOMMENDED, token=viewer))["data"]["recommendedCreators"]
    assert [g["user"]["nickname"] for g in got] == ["社交达人", "兴趣达人"]
    assert got[0]["followedBy"] == 1 and got[1]["inTopics"] == 1
    anonymous = (await api.gql(RECOMMENDED))["data"]["recommendedCreators"]
    assert [g["user"]["nickname"] for g in anonymous][:2] == ["拉黑达人", "已关注达人"]  # the best, for nobody


async def test_discover_keeps_commercial_posts_under_the_share_of_each_page(api: Api) -> None:
    seller, _ = await api.login("带货作者")
    writer, _ = await api.login("纯内容作者")
    other, _ = await api.login("另一位内容作者")  # POSTS_PER_MINUTE is 10 an author
    viewer, _ = await api.login("发现页读者")
    _, product, _ = await make_product(api, seller, title="带货茶")
    for i in range(6):
        assert (await create(api, writer, title=f"内容{i}"))["errors"] == []
    for i in range(6, 14):
        assert (await create(api, other, title=f"内容{i}"))["errors"] == []
    for i in range(6):  # the newest posts, so the best ranked: commercial ones
        assert (await create(api, seller, title=f"带货{i}", productIds=[product]))["errors"] == []
    page = (await api.gql(DISCOVER, {"f": 10}, token=viewer))["data"]["feed"]
    seen = [e["node"]["post"] for e in page["edges"]]
    assert len(seen) == 10 and sum(1 for p in seen if p["products"]) == 3
    after = page["edges"][-1]["cursor"]
    second = (await api.gql(DISCOVER, {"f": 10, "a": after}, token=viewer))["data"]["feed"]["edges"]
    assert len(second) == 10 and sum(1 for e in second if e["node"]["post"]["products"]) == 3


async def test_favorites_of_a_post_raise_its_authors_credit(api: Api) -> None:
    from tests.api.test_favorites import FAVORITE

    author, _ = await api.login("被收藏的作者")
    fans = [(await api.login(f"收藏粉丝{i}"))[0] for i in range(4)]
    post = (await create(api, author, title="值得收藏"))["post"]["id"]
    await api.gql(LIKE, {"p": post}, token=fans[0])
    await refresh_creators(api.services.store)
    before = float((await me(api, author))["creatorScore"])  # type: ignore[arg-type]
    for fan in fans:
        assert (await api.gql(FAVORITE, {"id": post}, token=fan))["data"]["favorite"]["errors"] == []
    await refresh_creators(api.services.store)
    assert float((await me(api, author))["creatorScore"]) > before  # type: ignore[arg-type]
