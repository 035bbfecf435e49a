import { describe, expect, it } from 'vitest';
import { connectionRefs } from './connection-refs.js';

const judged = (value: string) => connectionRefs(value).map((r) => [r.host, r.port, Boolean(r.plaintext)]);

describe('connectionRefs', () => {
  it('judges URLs by scheme, and in-band TLS schemes by their parameters', () => {
    expect(judged('http://api:8080/x')).toEqual([['api', 8080, true]]);
    expect(judged('https://api:8443')).toEqual([['api', 8443, false]]);
    expect(judged('redis://cache:6379/0')).toEqual([['cache', 6379, true]]);
    expect(judged('rediss://cache:6380')).toEqual([['cache', 6380, false]]);
    expect(judged('postgres://u@db:5432/app')).toEqual([['db', 5432, true]]);
    expect(judged('postgres://u@db:5432/app?sslmode=prefer')).toEqual([['db', 5432, true]]);
    expect(judged('postgresql://u@db/app?connect_timeout=3&sslmode=verify-full')).toEqual([
      ['db', undefined, false],
    ]);
    expect(judged('mysql://db:3306/app?ssl-mode=REQUIRED')).toEqual([['db', 3306, false]]);
    expect(judged('mongodb://mongo:27017/?tls=true')).toEqual([['mongo', 27017, false]]);
    expect(judged('https://api:80/')).toEqual([['api', 80, true]]);
  });

  it('finds every URL of a list, and bare host:port only on plaintext ports', () => {
    expect(judged('amqp://mq:5672, amqps://mq:5671')).toEqual([
      ['mq', 5672, true],
      ['mq', 5671, false],
    ]);
    expect(judged('cache:6379')).toEqual([['cache', 6379, true]]);
    expect(judged('db:5432,cache:6380')).toEqual([
      ['db', 5432, false],
      ['cache', 6380, false],
    ]);
    expect(judged('just some text: not a url')).toEqual([]);
    expect(judged('http://[::1]:8080/')).toEqual([['::1', 8080, true]]);
  });
});
