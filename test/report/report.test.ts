import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { hostileStrings, type Shop, startShop } from './shop.js';

const timeoutMs = 120_000;
let shop: Shop;

beforeAll(async () => {
  shop = await startShop();
});
afterAll(async () => {
  await shop.close();
});

/** The text of one `## heading` section of a Markdown document. */
function section(md: string, heading: string): string {
  const start = md.indexOf(`\n## ${heading}\n`);
  expect(start, `section ${heading}`).toBeGreaterThan(0);
  const end = md.indexOf('\n## ', start + 4);
  return md.slice(start, end < 0 ? undefined : end);
}

/** Every tag of an HTML document (escaped text is not a tag). */
function tags(html: string): string[] {
  return html.match(/<[a-zA-Z!/][^>]*>/g) ?? [];
}

describe('portico report --format md', () => {
  it('writes the assessment to stdout: topology, KPIs, recommendations, policy, findings; exit 1 on errors', async () => {
    const r = await runPortico(['report'], { cwd: shop.dir, env: shop.env, timeoutMs });
    expect(r.stderr).not.toContain('E_INTERNAL');
    expect(r.code).toBe(1);
    const md = r.stdout;
    expect(md.startsWith('# Network architecture assessment: shop\n')).toBe(true);
    expect([...md.matchAll(/^## (.+)$/gm)].map((m) => m[1])).toEqual([
      'Topology',
      'Key indicators',
      'Recommendations',
      'Policy',
      'Health findings',
    ]);

    const topology = section(md, 'Topology');
    expect(topology).toMatch(/!\[Network topology\]\(data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+\)/);
    // Services in tier order, then by name; ports and networks as the compose file declares them.
    expect(
      [...topology.matchAll(/^\| (\S+) \| .* \| (edge|data) \|/gm)].map((m) => `${m[1]} ${m[2]}`),
    ).toEqual(['api edge', 'auth edge', 'web edge', 'cache data', 'db data']);
    expect(topology).toContain('| db | postgres:16 | data | 0.0.0.0:5432-&gt;5432/tcp **(public)** | back |');
    expect(topology).toContain(`| auth | portico.yaml | edge | http 127.0.0.1:${shop.authPort} | — |`);
    expect(topology).toContain('| back | yes | no |');
    expect(topology).toContain('| login | shop.local /login | auth |');
    expect(topology).toContain('| legacy | \\* /old | **not in the project:** service ghost |');

    // The health KPIs: the live auth server passes its declared check.
    const kpis = section(md, 'Key indicators');
    for (const label of [
      'score',
      'service health',
      'service availability',
      'discovery coverage',
      'port conflicts',
    ])
      expect(kpis).toContain(`| ${label} |`);
    expect(kpis).toMatch(/\| service health \| [1-9]\d*\/\d+ services pass their declared checks \|/);

    // Errors first, policy (at a file position) before health (with a command).
    const recs = [...section(md, 'Recommendations').matchAll(/^\d+\. \*\*P(\d)\*\* (.*)$/gm)];
    expect(recs.length).toBeGreaterThanOrEqual(4);
    const priorities = recs.map((m) => Number(m[1]));
    expect(priorities).toEqual([...priorities].sort());
    expect(
      recs.slice(0, 4).map((m) => /— at `([^`]+)` \(policy `([a-z-]+)`\)$/.exec(m[2]!)?.slice(1).join(' ')),
    ).toEqual([
      'compose.yaml:25:9 datastore-exposed',
      'compose.yaml:15:7 plaintext-between-tiers',
      'portico-lb.yaml:16:5 route-integrity',
      'portico-lb.yaml:19:17 route-integrity',
    ]);
    for (const m of recs.filter((x) => x[2]!.includes('(health ')))
      expect(m[2]).toMatch(/— run `(portico|docker) [^`]+`/);

    const policy = section(md, 'Policy');
    expect(policy).toContain('Policy declared in portico.yaml');
    expect(policy).toContain('plaintext-between-tiers, route-integrity');
  });

  it('escapes the hostile strings of the project (image, container name, route upstream)', async () => {
    const r = await runPortico(['report', '--format', 'md'], { cwd: shop.dir, env: shop.env, timeoutMs });
    for (const s of hostileStrings) expect(r.stdout).not.toContain(s);
    expect(r.stdout).toContain("nginx:1.27&lt;script&gt;alert('image')&lt;/script&gt;");
    expect(r.stdout).toContain('&lt;img src=x onerror=alert(3)&gt;');
    // The diagram inside the data: image is escaped too.
    const svg = Buffer.from(/base64,([A-Za-z0-9+/=]+)\)/.exec(r.stdout)![1]!, 'base64').toString();
    for (const s of hostileStrings) expect(svg).not.toContain(s);
    expect(svg).toContain('&lt;script&gt;');
  });
});

describe('portico report --format html', () => {
  it('writes one self-contained page atomically with -o (format from the extension), exit 1 on errors', async () => {
    const out = join(tempDir(), 'assessment.html');
    const r = await runPortico(['report', '-o', out], { cwd: shop.dir, env: shop.env, timeoutMs });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/assessment\.html: \d+ error\(s\), \d+ warning\(s\), \d+ recommendation\(s\)/);
    expect(r.stderr).toContain(`report written to ${out}`);
    expect(readdirSync(join(out, '..'))).toEqual(['assessment.html']); // no temp file or backup left
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<svg[\s>]/g)).toHaveLength(1);
    expect(html.match(/<g class="svc service /g)).toHaveLength(5);
    expect(html).toContain('data-service="auth"');
    for (const h of ['Topology', 'Key indicators', 'Recommendations', 'Policy', 'Health findings'])
      expect(html).toContain(`<h2>${h}</h2>`);
    expect(html).toContain('<code>portico-lb.yaml:16:5</code>');
    // Self-contained and inert: no script, no reference to anything outside the page.
    const all = tags(html);
    expect(all.filter((t) => /^<script/i.test(t))).toEqual([]);
    expect(
      all.filter((t) => /\s(src|href|action|formaction|srcset)=/i.test(t) || /\son[a-z]+=/i.test(t)),
    ).toEqual([]);
    expect(all.filter((t) => /^<(link|iframe|object|embed|img|base)\b/i.test(t))).toEqual([]);
    expect(html).not.toMatch(/url\((?!#portico-arrow\))/);
    expect(html).toContain("default-src 'none'");
    for (const s of hostileStrings) expect(html).not.toContain(s);
    expect(html).toContain('api&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('draws the same diagram for the same project (deterministic layout)', async () => {
    const a = await runPortico(['report', '--format', 'html'], { cwd: shop.dir, env: shop.env, timeoutMs });
    const b = await runPortico(['report', '--format', 'html'], { cwd: shop.dir, env: shop.env, timeoutMs });
    const svg = (html: string) => html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    expect(svg(a.stdout).length).toBeGreaterThan(1000);
    expect(svg(a.stdout)).toBe(svg(b.stdout));
  });
});

describe('portico report exit codes and input', () => {
  it('exits 0 for a project without error findings', async () => {
    const dir = join(tempDir(), 'calm');
    const env = { ...shop.env, PORTICO_HOME: tempDir() };
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'compose.yaml'),
      'services:\n  worker:\n    image: busybox\n    healthcheck:\n      test: ["CMD", "true"]\n',
    );
    const r = await runPortico(['report', '--json'], { cwd: dir, env, timeoutMs });
    const doc = r.json<{ summary: { errors: number }; topology: { services: Array<{ name: string }> } }>();
    expect(doc.summary.errors).toBe(0);
    expect(doc.topology.services.map((s) => s.name)).toEqual(['worker']);
    expect(r.code).toBe(0);
  });

  it('prints the assessment as one JSON document with --json', async () => {
    const r = await runPortico(['report', '--json'], { cwd: shop.dir, env: shop.env, timeoutMs });
    expect(r.code).toBe(1);
    const doc = r.json<{
      project: string;
      topology: { routes: Array<{ name: string; targets: string[]; unresolved: string[] }> };
      policy: { findings: Array<{ rule: string }> };
      recommendations: Array<{ priority: number; where: string }>;
      health: { extra: Record<string, unknown> };
    }>();
    expect(doc.project).toBe('shop');
    expect(doc.topology.routes.find((x) => x.name === 'shop')!.targets).toEqual(['web']);
    expect(doc.topology.routes.find((x) => x.name === 'legacy')!.unresolved).toEqual(['service ghost']);
    expect(doc.recommendations[0]).toMatchObject({ priority: 1, where: 'compose.yaml:25:9' });
    expect(doc.health.extra).toHaveProperty('score');
  });

  it.each([
    [['report', '--format', 'pdf'], "argument 'pdf' is invalid"],
    [['report', '--json', '--format', 'html'], '--format needs -o FILE'],
    [['report', '-o', '/nonexistent-dir/x.html'], 'E_FILE_WRITE'],
  ])('%j is exit 2 with a clear message', async (args, message) => {
    const r = await runPortico(args, { cwd: shop.dir, env: shop.env, timeoutMs });
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.code).toBe(2);
  });

  it('is exit 2 with file:line:col for a broken portico.yaml, before any probe', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  a:\n    image: busybox\n');
    writeFileSync(join(dir, 'portico.yaml'), 'version: 1\npolicy:\n  requireTls:\n    - between: [a, b]\n');
    const r = await runPortico(['report', '-o', join(dir, 'r.html')], { cwd: dir, env: shop.env, timeoutMs });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('E_MANIFEST_INVALID');
    expect(r.stderr).toMatch(/portico\.yaml:4:\d+/);
    expect(existsSync(join(dir, 'r.html'))).toBe(false);
  });
});
