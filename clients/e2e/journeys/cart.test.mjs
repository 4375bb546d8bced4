import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkRunnable, launch, phone, shot, signIn, skipReason, startServer } from '../harness.mjs';

const runnable = !skipReason();
let server;
let browser;

describe('cart, checkout and the order desk in a real browser', { skip: !runnable && !process.env.CI ? skipReason() : false }, () => {
  before(async (t) => {
    if (!checkRunnable(t)) return;
    server = await startServer();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a buyer checks out the cart with a new address and DEV_PAY; the merchant ships it from the order desk; the buyer sees it shipped', async () => {
    // given: a merchant's product
    const merchant = await phone(browser, server.origin);
    await signIn(merchant, server.origin, '果园老板', '/console');
    await merchant.getByLabel('店名').fill('友享果园');
    await merchant.getByRole('button', { name: '开店' }).click();
    await merchant.getByLabel('标题').fill('赣南脐橙');
    await merchant.getByLabel('价格（元）').fill('39.9');
    await merchant.getByRole('button', { name: '上架' }).click();
    await merchant.getByRole('link', { name: '赣南脐橙' }).waitFor();

    // when: the buyer adds it to the cart twice over, and checks out with a new address
    const buyer = await phone(browser, server.origin);
    await signIn(buyer, server.origin, '爱吃橙子');
    await buyer.goto(`${server.origin}/search?q=${encodeURIComponent('赣南脐橙')}`);
    await buyer.getByRole('link', { name: /赣南脐橙/ }).first().click();
    await buyer.getByRole('button', { name: '加入购物车' }).click();
    await buyer.getByRole('link', { name: '去购物车结算' }).click();
    await buyer.getByTestId('cart-line').waitFor();
    await buyer.getByRole('button', { name: '增加' }).click();
    await buyer.getByTestId('quantity').filter({ hasText: '2' }).waitFor();
    await shot(buyer, '20-cart');
    await buyer.getByRole('button', { name: /去结算/ }).click();
    await buyer.waitForURL(/\/checkout/);
    await buyer.getByLabel('收货人').fill('李小橙');
    await buyer.getByLabel('手机号').fill('13800138000');
    await buyer.getByLabel('地区').selectOption('310101');
    await buyer.getByLabel('详细地址').fill('南京东路 1 号 101 室');
    await buyer.getByRole('button', { name: '保存地址' }).click();
    await buyer.getByRole('radio', { name: /李小橙/, checked: true }).waitFor();
    await buyer.getByTestId('checkout-total').waitFor();
    assert.match(await buyer.getByTestId('checkout-total').textContent(), /¥\d/);
    await shot(buyer, '21-checkout');
    await buyer.getByRole('button', { name: '提交订单并支付（DEV_PAY）' }).click();
    await buyer.waitForURL(/\/order\//);
    await buyer.getByTestId('order-status').filter({ hasText: '已付款' }).waitFor();
    await buyer.getByText('南京东路 1 号 101 室').waitFor();
    await shot(buyer, '22-order-paid');
    await buyer.goto(`${server.origin}/orders`);
    await buyer.getByRole('link', { name: /赣南脐橙/ }).first().click();
    await buyer.getByTestId('order-status').filter({ hasText: '已付款' }).waitFor();

    // and the merchant ships it from the order desk with a carrier and tracking number
    await merchant.goto(`${server.origin}/console/desk`);
    await merchant.getByTestId('desk-order').filter({ hasText: '爱吃橙子' }).getByRole('button').first().click();
    await merchant.getByLabel('快递单号').fill('SF1234567890');
    await shot(merchant, '23-console-order-desk');
    await merchant.getByRole('button', { name: '发货', exact: true }).click();
    await merchant.getByTestId('console-order-status').filter({ hasText: '已发货' }).waitFor();
    await shot(merchant, '24-console-order-shipped');

    // then: the buyer sees it shipped, live, with the tracking number
    await buyer.getByTestId('order-status').filter({ hasText: '已发货' }).waitFor({ timeout: 10_000 });
    await buyer.getByTestId('shipments').filter({ hasText: 'SF1234567890' }).waitFor();
    await shot(buyer, '25-buyer-sees-shipped');

    // and the buyer asks for a refund; the merchant approves it in the console's after-sales list
    await buyer.getByRole('button', { name: '申请售后' }).click();
    await buyer.getByLabel('原因').fill('橙子磕坏了');
    await buyer.getByRole('button', { name: '提交申请' }).click();
    await buyer.getByTestId('after-sales').filter({ hasText: '待处理' }).waitFor();
    await shot(buyer, '26-after-sale-requested');
    await merchant.goto(`${server.origin}/console/after-sales`);
    const request = merchant.getByTestId('after-sale').filter({ hasText: '橙子磕坏了' });
    await request.getByRole('button', { name: '同意' }).click();
    await request.getByTestId('after-sale-status').filter({ hasNotText: '待处理' }).waitFor();
    assert.match(await request.getByTestId('after-sale-status').textContent(), /已同意|退款中|已退款/);
    await shot(merchant, '27-console-after-sale-approved');

    // and the shop's dashboard charts today's sales (ECharts, its own chunk)
    await merchant.goto(`${server.origin}/console/dashboard`);
    await merchant.getByTestId('figure').first().waitFor();
    await merchant.getByRole('img', { name: '成交额与订单数' }).locator('canvas').waitFor();
    await shot(merchant, '28-console-dashboard');

    for (const page of [merchant, buyer]) assert.deepEqual(page.foreign, [], 'requests to hosts other than the server');
  });

  it('each new page shows an error state with 重试 when its request fails', async () => {
    // given: a signed-in user whose browser cannot reach the API any more
    const page = await phone(browser, server.origin);
    await signIn(page, server.origin, '断网的人', '/console');
    await page.getByLabel('店名').fill('断网小店');
    await page.getByRole('button', { name: '开店' }).click();
    await page.getByTestId('shop-id').waitFor();
    await page.route('**/graphql**', (route) => route.abort('internetdisconnected'));
    for (const [path, name] of [['/cart', '29-cart-offline'], ['/checkout?lines=x', '30-checkout-offline'], ['/order/x', '31-order-offline'], ['/console/desk', '32-desk-offline'], ['/console/after-sales', '33-after-sales-offline'], ['/console/dashboard', '34-dashboard-offline']]) {
      // when
      await page.goto(`${server.origin}${path}`);
      // then
      const alert = page.getByRole('alert').filter({ hasText: '网络不可用' });
      await alert.waitFor();
      await alert.getByRole('button', { name: '重试' }).waitFor();
      await shot(page, name);
    }
  });
});
