import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkRunnable, launch, phone, shot, signIn, skipReason, startServer } from '../harness.mjs';

const runnable = !skipReason();
let server;
let browser;

describe('the H5 shop in a real browser', { skip: !runnable && !process.env.CI ? skipReason() : false }, () => {
  before(async (t) => {
    if (!checkRunnable(t)) return;
    server = await startServer();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a friend’s share link: the buyer signs up, finds the product, joins the team, pays and sees it succeed live', async () => {
    // given: a merchant's group-buy product (2-person team) and a friend who started a team and paid
    const merchant = await phone(browser, server.origin);
    await signIn(merchant, server.origin, '茶铺老板', '/console');
    await merchant.getByLabel('店名').fill('友享茶铺');
    await merchant.getByRole('button', { name: '开店' }).click();
    await merchant.getByLabel('标题').fill('安吉白茶');
    await merchant.getByLabel('价格（元）').fill('88');
    await merchant.getByLabel('拼团人数（可选）').fill('2');
    await merchant.getByLabel('拼团价（元）').fill('66');
    await merchant.getByRole('button', { name: '上架' }).click();
    await merchant.getByRole('link', { name: '安吉白茶' }).waitFor();
    await shot(merchant, '01-console-products');

    const friend = await phone(browser, server.origin);
    await signIn(friend, server.origin, '分享的好友');
    await friend.goto(`${server.origin}/search?q=${encodeURIComponent('安吉白茶')}`);
    await friend.getByRole('link', { name: /安吉白茶/ }).first().click();
    await friend.getByRole('button', { name: '发起拼团' }).click();
    await friend.getByRole('button', { name: '模拟支付（DEV_PAY）' }).click();
    await friend.getByTestId('order-status').filter({ hasText: '已付款' }).waitFor();
    await friend.getByRole('link', { name: /查看拼团/ }).click();
    const teamUrl = new URL(friend.url());
    await friend.goto(`${server.origin}/me`);
    const invite = await friend.getByTestId('invite-code').textContent();
    // the friend watches the team page (live teamProgress)
    await friend.goto(teamUrl.href);
    await friend.getByTestId('team-size').filter({ hasText: '1' }).waitFor();

    // when: the buyer opens the shared team link, signs up, joins and pays
    const buyer = await phone(browser, server.origin);
    await buyer.goto(`${teamUrl.href}?invite=${invite}`);
    await buyer.getByTestId('team-status').waitFor();
    await shot(buyer, '02-team-shared-link');
    await buyer.getByRole('button', { name: /参团/ }).click();
    await buyer.waitForURL(/\/me/);
    await buyer.getByText(`邀请码 ${invite}`).waitFor();
    await shot(buyer, '03-sign-up-with-invite');
    await buyer.getByPlaceholder('你的昵称').fill('新朋友');
    await buyer.getByRole('button', { name: '登录 / 注册' }).click();
    await buyer.waitForURL(/\/team\//);
    await buyer.getByRole('button', { name: /参团/ }).click();
    await buyer.waitForURL(/\/order\//);
    await shot(buyer, '04-order-pending');
    await buyer.getByRole('button', { name: '模拟支付（DEV_PAY）' }).click();
    await buyer.getByTestId('order-status').filter({ hasText: '已付款' }).waitFor();
    await buyer.getByRole('link', { name: /查看拼团/ }).click();

    // then: both see the team succeed, the friend without reloading
    await buyer.getByTestId('team-status').filter({ hasText: '拼团成功' }).waitFor();
    await friend.getByTestId('team-status').filter({ hasText: '拼团成功' }).waitFor({ timeout: 10_000 });
    assert.equal(await friend.getByTestId('team-size').textContent(), '2');
    await shot(buyer, '05-team-succeeded');
    await shot(friend, '06-team-succeeded-live-for-the-friend');

    // and the merchant ships the buyer's order in the console; the buyer sees it shipped
    await buyer.goto(`${server.origin}/orders`);
    await buyer.getByRole('link', { name: /安吉白茶/ }).first().click();
    const orderId = await buyer.getByTestId('order-id').textContent();
    await merchant.goto(`${server.origin}/console/orders`);
    await merchant.getByLabel('订单 ID').fill(orderId);
    await merchant.getByRole('button', { name: '查找' }).click();
    await merchant.getByRole('button', { name: '发货' }).click();
    await merchant.getByTestId('console-order-status').filter({ hasText: '已发货' }).waitFor();
    await shot(merchant, '07-console-shipped');
    await buyer.getByTestId('order-status').filter({ hasText: '已发货' }).waitFor({ timeout: 10_000 });
    await shot(buyer, '08-buyer-sees-shipped');

    for (const page of [merchant, friend, buyer]) assert.deepEqual(page.foreign, [], 'requests to hosts other than the server');
  });

  it('a second browser watching a live room sees the first browser’s comments arrive', async () => {
    // given: a host on air, and a viewer in another browser (context)
    const host = await phone(browser, server.origin);
    await signIn(host, server.origin, '主播小美', '/console');
    await host.getByLabel('店名').fill('小美的店'); // a new browser context: no shop kept yet
    await host.getByRole('button', { name: '开店' }).click();
    await host.getByTestId('shop-id').waitFor();
    await host.goto(`${server.origin}/console/live`);
    await host.getByLabel('直播标题').fill('春茶开箱');
    await host.getByRole('button', { name: '开播' }).click();
    await host.getByRole('link', { name: '进入直播间' }).click();
    await host.waitForURL((u) => u.pathname.startsWith('/live/'));
    await host.getByTestId('comments').waitFor({ state: 'attached' }); // empty: no comments yet
    const viewerBrowser = await phone(browser, server.origin);
    await viewerBrowser.goto(host.url());
    await viewerBrowser.getByTestId('comments').waitFor({ state: 'attached' }); // empty: no comments yet
    // when
    await host.getByLabel('评论').fill('大家好，今天开箱春茶！');
    await host.getByRole('button', { name: '发送' }).click();
    // then
    await viewerBrowser.getByText('大家好，今天开箱春茶！').waitFor({ timeout: 10_000 });
    await shot(viewerBrowser, '09-live-room-viewer');
    await shot(host, '10-live-room-host');
    assert.deepEqual(viewerBrowser.foreign, []);
  });

  it('every page shows content or an error state, never a blank page', async () => {
    const page = await phone(browser, server.origin);
    for (const [path, name] of [['/', '11-home'], ['/feed', '12-feed'], ['/live', '13-live-list'], ['/product/no-such-product', '14-product-not-found'], ['/nowhere', '15-unknown-page']]) {
      await page.goto(`${server.origin}${path}`);
      await page.waitForFunction(() => !document.body.innerText.includes('加载中'));
      const text = await page.locator('main').innerText();
      assert.ok(text.trim().length > 0, `${path} is blank`);
      await shot(page, name);
    }
    await page.goto(`${server.origin}/`);
    await page.getByRole('link', { name: /明前绿茶礼盒/ }).waitFor();
    await shot(page, '11-home');
    assert.deepEqual(page.foreign, []);
  });

  it('serves GraphiQL from the server itself, with the dev login one click away', async () => {
    const page = await phone(browser, server.origin);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.origin}/graphql`);
    await page.getByRole('button', { name: 'dev login' }).click();
    await page.getByText('已登录 小明').waitFor();
    await shot(page, '16-graphiql');
    assert.deepEqual(page.foreign, []);
  });
});
