import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkRunnable, desktop, launch, phone, shot, signIn, skipReason, startServer } from '../harness.mjs';

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

    // and a save the server refuses names the field: a product grid of a product that does not exist
    await merchant.getByTestId('section-item').filter({ hasText: '商品列表' }).getByRole('button').first().click();
    await merchant.getByLabel('商品来源').selectOption('MANUAL');
    await merchant.getByRole('group', { name: '商品列表设置' }).getByRole('button', { name: '添加' }).click();
    await merchant.getByRole('group', { name: '商品列表设置' }).locator('input[id*=productIds]').fill('UHJvZHVjdDpub3BlLW5vcGU');
    await merchant.getByRole('button', { name: '保存草稿' }).click();
    await merchant.getByTestId('section-item').filter({ hasText: '商品列表' }).locator('.error-mark').waitFor();
    const refused = merchant.locator('.rjsf-field-string.has-error').filter({ has: merchant.locator('input[id*=productIds]') });
    await refused.waitFor();
    assert.match(await refused.locator('.error-detail').textContent(), /.+/);
    await shot(merchant, '40-page-editor-server-error');
    await merchant.getByLabel('商品来源').selectOption('RULE');
    await merchant.getByRole('group', { name: '商品列表设置' }).getByRole('button', { name: '删除' }).first().click();

    // then: saved, the preview shows the shop's products from the server, and publishing makes it live
    await merchant.getByRole('button', { name: '保存草稿' }).click();
    await merchant.getByRole('status').filter({ hasText: '草稿已保存' }).waitFor();
    await preview.getByText('高山云雾绿茶').waitFor();
    await merchant.getByRole('button', { name: '发布' }).click();
    await merchant.getByTestId('page-status').filter({ hasText: '已发布' }).waitFor();
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
});
