import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caddyRoutes } from './caddy.js';
import type { ConfSource } from './conf-source.js';
import { haproxyRoutes } from './haproxy.js';
import { nginxRoutes } from './nginx.js';
import { ConfSyntaxError } from './nginx-parse.js';

// Mutated text must never reach the disk: every include/import resolves to a missing file.
const noDisk: ConfSource = {
  read: (path) => {
    throw new Error(`no such file ${path}`);
  },
  include: (pattern) => [pattern],
};

const samples = {
  nginx: `events {}\nhttp { upstream api { server 127.0.0.1:9001; server 10.0.0.2 max_fails=2; }\n  server { listen 80; server_name a.local "b # c"; add_header X 'y;z' always; # comment\n    location /api/ { proxy_pass http://api; proxy_read_timeout 5s; }\n    location ~ ^/(x|y)$ { proxy_pass https://$host:8443; }\n    location /n { location /n/m { proxy_pass http://127.0.0.1:9002/; } } } }\n`,
  caddy: `{\n  admin off\n}\n(snip) {\n  reverse_proxy 127.0.0.1:9001\n}\napi.local, http://b.local:8080 {\n  header X "a # b"\n  import snip\n  handle /x/* {\n    reverse_proxy /v1/* https://h 127.0.0.1:9002 {\n      transport http {\n        response_header_timeout 2s\n      }\n      health_uri /health\n    }\n  }\n}\n`,
  haproxy: `global\n  maxconn 100\ndefaults\n  timeout server 2s\nfrontend f\n  bind :80\n  acl is_api hdr(host) -i api.local\n  use_backend be if is_api\nbackend be\n  default-server check\n  server a 127.0.0.1:9001 "weight" 10 # c\n  server b [::1]:9002 ssl\n`,
};

/** A sample cut short and edited: truncation, inserted syntax characters, deleted spans. */
const mutated = (text: string) =>
  fc
    .tuple(
      fc.nat({ max: text.length }),
      fc.array(
        fc.tuple(
          fc.nat({ max: text.length }),
          fc.constantFrom('{', '}', ';', '"', "'", '#', '\n', '\\', '`', ' ', '$', '('),
        ),
        {
          maxLength: 6,
        },
      ),
      fc.array(fc.tuple(fc.nat({ max: text.length }), fc.nat({ max: 20 })), { maxLength: 3 }),
    )
    .map(([cut, inserts, deletes]) => {
      let t = text.slice(0, cut);
      for (const [at, ch] of inserts) t = t.slice(0, at) + ch + t.slice(at);
      for (const [at, n] of deletes) t = t.slice(0, at) + t.slice(at + n);
      return t;
    });

/** Every outcome is routes or a coded syntax error with file:line; never anything else. */
function readsOrExplains(read: () => unknown): void {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfSyntaxError);
    expect((error as Error).message).toMatch(/^conf:\d+: /);
  }
}

describe('fallback parsers on truncated and mutated configurations', () => {
  it('nginx: routes or a ConfSyntaxError with file:line', () => {
    fc.assert(
      fc.property(mutated(samples.nginx), (t) => readsOrExplains(() => nginxRoutes(t, 'conf', noDisk))),
      {
        numRuns: 400,
      },
    );
  });
  it('Caddyfile: routes or a ConfSyntaxError with file:line', () => {
    fc.assert(
      fc.property(mutated(samples.caddy), (t) => readsOrExplains(() => caddyRoutes(t, 'conf', noDisk))),
      {
        numRuns: 400,
      },
    );
  });
  it('HAProxy: always routes (it is line based)', () => {
    fc.assert(
      fc.property(mutated(samples.haproxy), (t) => void haproxyRoutes(t, 'conf')),
      { numRuns: 400 },
    );
  });
});
