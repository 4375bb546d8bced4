import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { checkRunnable, launch, phone, skipReason, startServer } from '../harness.mjs';

let server;
let browser;
before(async (t) => {
  if (!checkRunnable(t)) return;
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

it('the home page paints its first content within 1.5 s (Performance API, headless Chromium)', { skip: !skipReason() || process.env.CI ? false : skipReason() }, async () => {
  const samples = [];
  for (let i = 0; i < 5; i++) {
    const page = await phone(browser, server.origin);
    await page.goto(`${server.origin}/`, { waitUntil: 'load' });
    await page.getByRole('link', { name: /明前绿茶礼盒/ }).waitFor();
    const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null);
    samples.push(fcp);
    await page.context().close();
  }
  const sorted = samples.filter((s) => s !== null).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(`home page first contentful paint: median ${median.toFixed(0)} ms over ${sorted.length} cold loads (${sorted.map((s) => s.toFixed(0)).join(', ')} ms)`);
  assert.ok(median < 1500, `FCP ${median} ms`);
});
