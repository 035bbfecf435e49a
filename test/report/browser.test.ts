import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { describeWith } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';
import { type Shop, startShop } from './shop.js';

const chromiumPath = '/usr/bin/chromium';
const args = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describeWith(
  [{ name: 'chromium (/usr/bin/chromium)', check: () => existsSync(chromiumPath) }],
  'portico report in a real browser',
  () => {
    let shop: Shop;
    let browser: Browser | undefined;
    let file: string;
    const screenshot = join(tempDir('portico-report-shot-'), 'report.png');

    beforeAll(async () => {
      shop = await startShop();
      file = join(tempDir(), 'assessment.html');
      const r = await runPortico(['report', '-o', file], {
        cwd: shop.dir,
        env: shop.env,
        timeoutMs: 120_000,
      });
      expect(r.code, r.stderr).toBe(1);
      browser = await chromium.launch({ executablePath: chromiumPath, args, timeout: 60_000 });
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await shop?.close();
    });

    it('renders the topology with a node per service, no console error, no request, no script run', async () => {
      const page = await browser!.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('dialog', (d) => {
        problems.push(`dialog: ${d.message()}`); // an alert() from an unescaped name
        void d.dismiss();
      });
      page.on('request', (r) => requests.push(r.url()));
      const url = pathToFileURL(file).href;
      await page.goto(url, { waitUntil: 'load', timeout: 60_000 });

      const nodes = page.locator('svg.topology g.service');
      expect(await nodes.count()).toBe(5);
      const names = await nodes.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-service')));
      expect(names).toEqual(['api', 'auth', 'web', 'cache', 'db']);
      // Every node is really drawn: a box with a size, inside the picture.
      const svgBox = (await page.locator('svg.topology').boundingBox())!;
      expect(svgBox.width).toBeGreaterThan(600);
      for (const box of await nodes.evaluateAll((gs) =>
        gs
          .map((g) => (g as unknown as { getBBox(): { width: number; height: number } }).getBBox())
          .map((b) => [b.width, b.height]),
      )) {
        expect(box[0]).toBeGreaterThan(100);
        expect(box[1]).toBeGreaterThan(30);
      }
      expect(await page.locator('svg.topology g.network').count()).toBe(2);
      expect(await page.locator('svg.topology path.sends').count()).toBe(3);
      // The hostile names are shown as text, not run.
      expect(await page.locator('svg.topology').textContent()).toContain(
        "nginx:1.27<script>alert('image')</script>",
      );
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.locator('img').count()).toBe(0);

      await page.screenshot({ path: screenshot, fullPage: true });
      expect(statSync(screenshot).size).toBeGreaterThan(20_000);
      expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
      if (process.env.PORTICO_REPORT_SCREENSHOT) {
        await page.locator('svg.topology').screenshot({ path: process.env.PORTICO_REPORT_SCREENSHOT });
      }

      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
      await page.close();
    }, 120_000);
  },
);
