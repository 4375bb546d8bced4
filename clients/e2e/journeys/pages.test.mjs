import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkRunnable, desktop, launch, OUTPUT, phone, shot, signIn, skipReason, startServer } from '../harness.mjs';

const runnable = !skipReason();
let server;
let browser;

describe('the shop builder in a real browser: the console page editor and the H5 home', { skip: !runnable && !process.env.CI ? skipReason() : false }, () => {
  before(async (t) => {
    if (!checkRunnable(t)) return;
    server = await startServer();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a merchant edits the home page in the editor, sees the preview change and publishes; a buyer\'s home shows it', async () => {
    // given: a shop with a product and no published page, whose home is its best sellers
    const merchant = await desktop(browser, server.origin);
    await signIn(merchant, server.origin, '茶园主理人', '/console');
    await merchant.getByLabel('店名').fill('云雾茶园');
    await merchant.getByRole('button', { name: '开店' }).click();
    await merchant.getByLabel('标题').fill('高山云雾绿茶');
    await merchant.getByLabel('价格（元）').fill('88');
    await merchant.getByRole('button', { name: '上架' }).click();
    await merchant.getByRole('link', { name: '高山云雾绿茶' }).waitFor();
    const shopId = (await merchant.getByTestId('shop-id').textContent()).trim();
    const buyer = await phone(browser, server.origin);
    await buyer.goto(`${server.origin}/shop/${encodeURIComponent(shopId)}`);
    await buyer.getByRole('link', { name: /高山云雾绿茶/ }).waitFor();
    assert.equal(await buyer.getByTestId('shop-page').count(), 0, 'no page is published yet: the product grid');

    // when: the merchant opens the home page in the editor and adds a banner and a product grid
    await merchant.getByRole('link', { name: '店铺装修' }).click();
    await merchant.getByTestId('page-row').filter({ hasText: '首页' }).getByRole('link', { name: '装修' }).click();
    await merchant.getByTestId('page-status').filter({ hasText: '未发布' }).waitFor();
    await merchant.getByLabel('组件类型').selectOption({ label: '轮播图' });
    await merchant.getByRole('button', { name: '添加组件' }).click();
    const preview = merchant.getByTestId('page-preview');
    await preview.locator('[data-section=banner_carousel]').waitFor();
    await merchant.getByLabel('组件类型').selectOption({ label: '商品列表' });
    await merchant.getByRole('button', { name: '添加组件' }).click();
    await preview.getByText('热卖商品').waitFor();

    // and changes the banner's caption: the preview follows as they type
    await merchant.getByTestId('section-item').filter({ hasText: '轮播图' }).getByRole('button').first().click();
    await merchant.getByLabel('说明').fill('春茶上新 满99包邮');
    await preview.locator('[data-section=banner_carousel]').getByText('春茶上新 满99包邮').waitFor();

    // and a value the form's schema refuses shows its message beside the field
    await merchant.getByLabel('切换间隔(毫秒)').fill('50');
    await merchant.locator('.has-error').filter({ has: merchant.getByLabel('切换间隔(毫秒)') }).getByText(/1000/).waitFor();
    await merchant.getByLabel('切换间隔(毫秒)').fill('3000');

    // and the grid shows the products picked by hand, offered as the shop's own products
    await merchant.getByTestId('section-item').filter({ hasText: '商品列表' }).getByRole('button').first().click();
    await merchant.getByLabel('商品来源').selectOption('MANUAL');
    await merchant.getByRole('group', { name: '商品列表设置' }).getByRole('checkbox', { name: '高山云雾绿茶' }).check();

    // and a save the server refuses shows its error beside the field it names: a coupon that does not exist
    await merchant.getByLabel('组件类型').selectOption({ label: '优惠券' });
    await merchant.getByRole('button', { name: '添加组件' }).click();
    const coupons = merchant.getByRole('group', { name: '优惠券设置' });
    await coupons.getByRole('button', { name: '添加' }).click();
    await coupons.locator('input[id*=couponIds]').fill('Q291cG9uOm5vLXN1Y2gtY291cG9u');
    await merchant.getByRole('button', { name: '保存草稿' }).click();
    await merchant.getByTestId('section-item').filter({ hasText: '优惠券' }).locator('.error-mark').waitFor();
    const refused = coupons.locator('.rjsf-field-string.has-error').filter({ has: merchant.locator('input[id*=couponIds]') });
    await refused.locator('.error-detail').waitFor();
    assert.match(await refused.locator('.error-detail').textContent(), /.+/);
    await shot(merchant, '40-page-editor-server-error');
    await merchant.getByRole('button', { name: /^删除 coupon-strip-/ }).click();

    // then: saved, the preview shows the shop's products from the server, and publishing makes it live
    await merchant.getByRole('button', { name: '保存草稿' }).click();
    await merchant.getByRole('status').filter({ hasText: '草稿已保存' }).waitFor();
    await preview.getByText('高山云雾绿茶').waitFor();
    await merchant.getByRole('button', { name: '发布' }).click();
    await merchant.getByTestId('page-status').filter({ hasText: '已发布' }).waitFor();
    await merchant.getByTestId('section-item').filter({ hasText: '商品列表' }).getByRole('button').first().click();
    await shot(merchant, '41-page-editor-published');

    // and the buyer's home is the published page: the banner's caption, then the grid with the product
    await buyer.reload();
    const home = buyer.getByTestId('shop-page');
    await home.locator('[data-section=banner_carousel]').getByText('春茶上新 满99包邮').waitFor();
    await home.locator('[data-section=product_grid]').getByRole('link', { name: /高山云雾绿茶/ }).waitFor();
    await shot(buyer, '42-home-published-page');
    // and 首页 in the tab bar is that shop's home from now on
    await buyer.getByRole('link', { name: '首页' }).click();
    await home.locator('[data-section=banner_carousel]').getByText('春茶上新 满99包邮').waitFor();
    assert.equal(new URL(buyer.url()).pathname, '/');

    for (const page of [merchant, buyer]) assert.deepEqual(page.foreign, [], 'requests to hosts other than the server');
  });
  it('a buyer claims a coupon from the shop\'s home and spends it and points at checkout', async () => {
    // given: a shop whose published home has a coupon strip (set up through the API) and a ¥100 product
    const { devLogin } = await server.gql('mutation { devLogin(input: {nickname: "领券店主"}) { accessToken } }');
    const token = devLogin.accessToken;
    const { createShop } = await server.gql('mutation { createShop(input: {name: "满减小铺"}) { shop { id } } }', {}, token);
    const shopId = createShop.shop.id;
    const { createProduct } = await server.gql('mutation($s: ID!) { createProduct(input: {shopId: $s, title: "手冲咖啡豆", description: "", images: [], skus: [{specs: [{name: "规格", value: "250g"}], price: 10000, stock: 10}]}) { product { skus { id } } } }', { s: shopId }, token);
    const skuId = createProduct.product.skus[0].id;
    const validUntil = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const { createCoupon } = await server.gql('mutation($s: ID!, $v: DateTime!) { createCoupon(input: {shopId: $s, title: "开业券", discount: 1500, minSpend: 5000, validUntil: $v, quantity: 10}) { coupon { id } } }', { s: shopId, v: validUntil }, token);
    const document = { schemaVersion: 1, title: '首页', sections: [
      { id: 'coupons', type: 'coupon_strip', settings: { title: '领券', couponIds: [createCoupon.coupon.id] }, blocks: [] },
      { id: 'all', type: 'product_grid', settings: { title: '全部商品', source: 'RULE', sort: 'NEWEST', limit: 6 }, blocks: [] },
      { id: 'follow', type: 'follow_shop', settings: { text: '关注小铺，上新早知道', buttonText: '关注' }, blocks: [] },
    ] };
    const saved = await server.gql('mutation($i: SavePageDraftInput!) { savePageDraft(input: $i) { page { draftRevisionId } errors { field message } } }', { i: { shopId, kind: 'HOME', document } }, token);
    assert.deepEqual(saved.savePageDraft.errors, []);
    await server.gql('mutation($i: PublishPageInput!) { publishPage(input: $i) { errors { message } } }', { i: { shopId, kind: 'HOME', revisionId: saved.savePageDraft.page.draftRevisionId } }, token);

    // and a buyer who earned 100 points with an earlier order (¥100, received: one point a yuan)
    const buyerToken = (await server.gql('mutation { devLogin(input: {nickname: "爱喝咖啡"}) { accessToken } }')).devLogin.accessToken;
    const { placeOrder } = await server.gql('mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { order { id } errors { message } } }', { i: { lines: [{ skuId, quantity: 1 }], idempotencyKey: 'first-order' } }, buyerToken);
    const orderId = placeOrder.order.id;
    await server.gql('mutation($o: ID!) { payOrder(input: {orderId: $o, method: DEV_PAY, idempotencyKey: "pay-first"}) { errors { message } } }', { o: orderId }, buyerToken);
    await server.gql('mutation($o: ID!) { shipOrder(input: {orderId: $o}) { errors { message } } }', { o: orderId }, token);
    await server.gql('mutation($o: ID!) { confirmReceipt(input: {orderId: $o}) { errors { message } } }', { o: orderId }, buyerToken);
    assert.equal((await server.gql('{ me { points } }', {}, buyerToken)).me.points, 100);

    // when: the buyer claims the coupon on the home page, buys the product and picks the coupon at checkout
    const buyer = await phone(browser, server.origin);
    await signIn(buyer, server.origin, '爱喝咖啡', `/shop/${encodeURIComponent(shopId)}`);
    const coupon = buyer.getByTestId('page-coupon').filter({ hasText: '开业券' });
    await coupon.getByRole('button', { name: '领取' }).click();
    await coupon.getByText('已领取').waitFor();
    // and follows the shop (its owner) from the page's card
    const follow = buyer.locator('[data-section=follow_shop]');
    await follow.getByRole('button', { name: '关注' }).click();
    await follow.getByText('已关注').waitFor();
    await follow.getByText('1 人关注').waitFor();
    await shot(buyer, '43-home-coupon-claimed');
    await buyer.getByRole('link', { name: /手冲咖啡豆/ }).click();
    await buyer.getByRole('button', { name: '加入购物车' }).click();
    await buyer.getByRole('link', { name: '去购物车结算' }).click();
    await buyer.getByRole('button', { name: /去结算/ }).click();
    await buyer.getByLabel('收货人').fill('王小豆');
    await buyer.getByLabel('手机号').fill('13900139000');
    await buyer.getByLabel('地区').selectOption('310101');
    await buyer.getByLabel('详细地址').fill('淮海中路 2 号');
    await buyer.getByRole('button', { name: '保存地址' }).click();
    const total = buyer.getByTestId('checkout-total');
    await total.waitFor();
    const before = await total.textContent();
    await buyer.getByRole('radio', { name: /开业券/ }).check();

    // then: the preview takes ¥15 off, and the paid order keeps the coupon's adjustment
    await buyer.getByTestId('checkout-total').filter({ hasNotText: before }).waitFor();
    const fen = (text) => Math.round(Number(text.replace(/[^\d.]/g, '')) * 100);
    assert.equal(fen(before) - fen(await total.textContent()), 1500);
    // and 100 points pay ¥1 more (POINTS_PER_YUAN 100)
    const withCoupon = await total.textContent();
    await buyer.getByLabel('使用积分').fill('100');
    await buyer.getByTestId('checkout-total').filter({ hasNotText: withCoupon }).waitFor();
    assert.equal(fen(before) - fen(await total.textContent()), 1600);
    await shot(buyer, '44-checkout-coupon');
    await buyer.getByRole('button', { name: '提交订单并支付（DEV_PAY）' }).click();
    await buyer.waitForURL(/\/order\//);
    await buyer.getByTestId('order-status').filter({ hasText: '已付款' }).waitFor();
    await buyer.getByText(/开业券|优惠券/).first().waitFor();
    assert.equal((await server.gql('{ me { points } }', {}, buyerToken)).me.points, 0, 'the points were spent');
    assert.deepEqual(buyer.foreign, [], 'requests to hosts other than the server');
  });
  it('a merchant applies a vertical template and publishes it; every kind of section it holds draws on the home', async () => {
    // given: a shop with a product, and the tea template applied from the page list
    const merchant = await desktop(browser, server.origin);
    await signIn(merchant, server.origin, '模板店主', '/console');
    await merchant.getByLabel('店名').fill('清风茶饮');
    await merchant.getByRole('button', { name: '开店' }).click();
    await merchant.getByLabel('标题').fill('茉莉花茶');
    await merchant.getByLabel('价格（元）').fill('36');
    await merchant.getByRole('button', { name: '上架' }).click();
    await merchant.getByRole('link', { name: '茉莉花茶' }).waitFor();
    const shopId = (await merchant.getByTestId('shop-id').textContent()).trim();
    await merchant.getByRole('link', { name: '店铺装修' }).click();
    await merchant.getByLabel('行业模板').selectOption({ label: '茶饮' });
    await merchant.getByRole('button', { name: '套用' }).click();
    await merchant.getByTestId('page-row').filter({ hasText: '首页' }).filter({ hasText: '草稿' }).waitFor();

    // when: the merchant opens the home page's draft and publishes it as it is
    await merchant.getByTestId('page-row').filter({ hasText: '首页' }).getByRole('link', { name: '装修' }).click();
    await merchant.getByTestId('page-preview').getByText('茉莉花茶').first().waitFor();
    await merchant.getByRole('button', { name: '发布' }).click();
    await merchant.getByTestId('page-status').filter({ hasText: '已发布' }).waitFor();

    // then: the buyer's home draws the template's sections, and no request leaves the server
    const buyer = await phone(browser, server.origin);
    await buyer.goto(`${server.origin}/?shop=${encodeURIComponent(shopId)}`);
    const home = buyer.getByTestId('shop-page');
    for (const kind of ['search_bar', 'banner_carousel', 'notice_bar', 'nav_grid', 'product_grid']) await home.locator(`[data-section=${kind}]`).first().waitFor();
    await home.locator('[data-section=product_grid]').getByRole('link', { name: /茉莉花茶/ }).first().waitFor();
    // a zone with nothing to show (the shop has no group-buy product) is left out, title and all
    assert.equal(await home.locator('[data-section=group_buy_zone]').getByText('拼团专区').count(), 0);
    await buyer.screenshot({ path: `${OUTPUT}/45-home-from-template.png`, fullPage: true });

    // and a landing page with rich text: a script in it never runs, its picture on another host is not loaded
    await merchant.getByRole('link', { name: '‹ 全部页面' }).click();
    await merchant.getByLabel(/新活动页/).fill('spring');
    await merchant.getByRole('button', { name: '新建活动页' }).click();
    await merchant.getByLabel('组件类型').selectOption({ label: '富文本' });
    await merchant.getByRole('button', { name: '添加组件' }).click();
    await merchant.getByLabel('内容').fill('<h2>春茶节</h2><p>满199赠茶具</p><img src="https://img.example.com/spring.jpg" alt="海报"><img src=x onerror="document.title=1">');
    await merchant.getByTestId('page-preview').getByText('满199赠茶具').waitFor();
    assert.notEqual(await merchant.title(), '1', 'the preview runs no script of the draft');
    await merchant.getByRole('button', { name: '发布' }).click();
    // the server refuses the handler at the field: nothing is published until it goes
    await merchant.locator('.rjsf-field-error').filter({ has: merchant.getByLabel('内容') }).locator('.error-detail').waitFor();
    await merchant.getByLabel('内容').fill('<h2>春茶节</h2><p>满199赠茶具</p><img src="https://img.example.com/spring.jpg" alt="海报">');
    await merchant.getByRole('button', { name: '发布' }).click();
    await merchant.getByTestId('page-status').filter({ hasText: '已发布' }).waitFor();
    await buyer.goto(`${server.origin}/shop/${encodeURIComponent(shopId)}/p/spring`);
    await buyer.getByTestId('shop-page').getByRole('heading', { name: '春茶节' }).waitFor();
    for (const page of [merchant, buyer]) assert.deepEqual(page.foreign, [], 'requests to hosts other than the server');
  });
});
