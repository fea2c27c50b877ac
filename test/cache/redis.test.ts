import { execFile } from 'node:child_process';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { REPO_ROOT, type RunningGateway } from '../support/harness';
import { asUser } from '../support/identity';
import { metricValue, startCachedGateway } from './support';
import { OwnRedis, SHARED_REDIS_URL, freePort, sharedRedisReachable, uniquePrefix } from './redis-support';

const describeWithRedis = sharedRedisReachable() ? describe : describe.skip;

const ORDERS_OF_USER = 'query($u: ID) { orders(userId: $u, limit: 200) { id quantity } }';

describeWithRedis('response cache shared through Redis by two gateway instances', () => {
  const keyPrefix = uniquePrefix('shared');
  let first: RunningGateway;
  let second: RunningGateway;
  beforeAll(async () => {
    first = await startCachedGateway({ redisUrl: SHARED_REDIS_URL, keyPrefix });
    // The second instance calls the first one's services, as two replicas behind one load balancer would.
    second = await startCachedGateway(
      { redisUrl: SHARED_REDIS_URL, keyPrefix },
      { urls: async () => Object.fromEntries(Object.entries(first.services).map(([name, service]) => [name, service.url])) },
    );
  });
  afterAll(async () => {
    await fetch(`${first?.base}/_tessera/cache/purge`, { method: 'POST', headers: await asUser('ops', ['admin']) }).catch(() => {});
    await first?.close();
    await second?.close();
  });
  beforeEach(() => first.resetUpstreamCalls());

  test('a miss on the first instance, a hit on the second, with 0 upstream calls', async () => {
    const query = '{ orders(limit: 9, offset: 40) { id customer { name } product { title } } }';
    const miss = await first.query(query);
    expect(miss.headers.get('x-tessera-cache')).toBe('MISS');
    expect(first.upstreamCalls().total).toBe(3);
    first.resetUpstreamCalls();
    const hit = await second.query(query);
    expect(hit.headers.get('x-tessera-cache')).toBe('HIT');
    expect(hit.body.data).toEqual(miss.body.data);
    expect(first.upstreamCalls().total).toBe(0);
  });

  test("private entries stay per user across instances", async () => {
    const query = '{ user(id: 6) { email } }';
    await first.query(query, undefined, await asUser('6', ['customer']));
    expect((await second.query(query, undefined, await asUser('6', ['customer']))).headers.get('x-tessera-cache')).toBe('HIT');
    expect((await second.query(query, undefined, await asUser('7', ['customer']))).headers.get('x-tessera-cache')).toBe('MISS');
    expect((await second.query(query)).headers.get('x-tessera-cache')).toBe('BYPASS');
  });

  test('createOrder on one instance: the orders list shows the new order at once on both', async () => {
    const before = await first.query<{ orders: Array<{ id: string }> }>(ORDERS_OF_USER, { u: '8' });
    expect(before.body.errors).toBeUndefined();
    expect((await second.query(ORDERS_OF_USER, { u: '8' })).headers.get('x-tessera-cache')).toBe('HIT');
    const created = await second.query<{ createOrder: { id: string } }>(
      'mutation($input: OrderInput) { createOrder(input: $input) { id } }',
      { input: { userId: '8', productId: '3', quantity: 1 } },
      await asUser('8', ['customer']),
    );
    expect(created.body.errors).toBeUndefined();
    const newId = created.body.data!.createOrder.id;
    for (const gw of [first, second]) {
      const after = await gw.query<{ orders: Array<{ id: string }> }>(ORDERS_OF_USER, { u: '8' });
      expect(after.body.data!.orders.map((o) => o.id)).toContain(newId);
    }
  });

  test('a gateway with another schema never reads entries made for this one', async () => {
    const query = '{ product(id: 4) { id title } }';
    await first.query(query);
    expect((await second.query(query)).headers.get('x-tessera-cache')).toBe('HIT');
    const changed = await startCachedGateway(
      { redisUrl: SHARED_REDIS_URL, keyPrefix },
      {
        configure: (config) => ({
          ...config,
          sources: config.sources.map((s) => (s.name === 'products' ? { ...s, transforms: { ...s.transforms, hide: ['Product.inStock'] } } : s)),
        }),
      },
    );
    try {
      expect((await changed.query(query)).headers.get('x-tessera-cache')).toBe('MISS');
    } finally {
      await changed.close();
    }
  });

  /** `tessera cache purge ARGS` with the demo config on this test's Redis store. */
  const purgeCli = (args: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-purge-'));
    const config = parseYaml(readFileSync(join(REPO_ROOT, 'tessera.config.yaml'), 'utf8')) as Record<string, unknown>;
    for (const source of config.sources as Array<{ spec: string }>) source.spec = join(REPO_ROOT, source.spec);
    config.cache = { ...(config.cache as object), redisUrl: SHARED_REDIS_URL, keyPrefix };
    writeFileSync(join(dir, 'tessera.config.yaml'), stringifyYaml(config));
    return promisify(execFile)(process.execPath, [join(REPO_ROOT, 'bin/tessera.cjs'), 'cache', 'purge', '--config', join(dir, 'tessera.config.yaml'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, REDIS_URL: '' },
    });
  };

  test('tessera cache purge --type T --id X removes the entries holding that entity, for every instance', async () => {
    const query = '{ product(id: 5) { id title } }';
    await first.query(query);
    expect((await second.query(query)).headers.get('x-tessera-cache')).toBe('HIT');
    const { stdout } = await purgeCli(['--type', 'Product', '--id', '5']);
    expect(stdout).toContain('purged entries holding Product:5 (1)');
    expect((await second.query(query)).headers.get('x-tessera-cache')).toBe('MISS');
  });

  test('tessera cache purge with a type the schema lacks is refused with a suggestion, and purges nothing', async () => {
    const query = '{ product(id: 7) { id title } }';
    await first.query(query);
    const refused = await purgeCli(['--type', 'Prodcut', '--id', '7']).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toContain('--type Prodcut is not a type of the schema (did you mean "Product"?); nothing was purged');
    expect((await second.query(query)).headers.get('x-tessera-cache')).toBe('HIT');
  });
});

describeWithRedis('response cache when Redis fails', () => {
  test('Redis stopped mid-test: queries still succeed uncached; Redis back: hits resume', async () => {
    const redis = new OwnRedis(await freePort());
    await redis.start();
    const logLines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) });
    const gw = await startCachedGateway({ redisUrl: redis.url, keyPrefix: uniquePrefix('outage') }, { logger });
    const query = '{ product(id: 6) { id title } }';
    try {
      expect((await gw.query(query)).headers.get('x-tessera-cache')).toBe('MISS');
      expect((await gw.query(query)).headers.get('x-tessera-cache')).toBe('HIT');

      await redis.stop();
      for (let i = 0; i < 3; i++) {
        const response = await gw.query<{ product: { id: string } }>(query);
        expect(response.status).toBe(200);
        expect(response.body.errors).toBeUndefined();
        expect(response.body.data!.product.id).toBe('6');
        expect(response.headers.get('x-tessera-cache')).toBe('MISS');
      }
      expect(await metricValue(gw, 'tessera_cache_store_errors_total')).toBeGreaterThan(0);
      expect(logLines.some((line) => /"level":40.*answering uncached/.test(line))).toBe(true);

      await redis.start(); // same port, empty: the client reconnects by itself
      let status: string | null = null;
      for (let i = 0; i < 100 && status !== 'HIT'; i++) {
        await sleep(100);
        await gw.query(query);
        status = (await gw.query(query)).headers.get('x-tessera-cache');
      }
      expect(status).toBe('HIT');
    } finally {
      await gw.close();
      await redis.stop();
    }
  });

  test('Redis unreachable from the start: the gateway starts and answers uncached', async () => {
    const gw = await startCachedGateway({ redisUrl: `redis://127.0.0.1:${await freePort()}`, keyPrefix: uniquePrefix('down') });
    try {
      for (let i = 0; i < 2; i++) {
        const response = await gw.query<{ product: { id: string } }>('{ product(id: 2) { id } }');
        expect(response.body.errors).toBeUndefined();
        expect(response.headers.get('x-tessera-cache')).toBe('MISS');
      }
    } finally {
      await gw.close();
    }
  });
});

describe('response cache with a Redis that never answers', () => {
  test('each lookup waits at most redisTimeoutMs, then the query runs uncached', async () => {
    // Accepts connections and reads commands, never replies: a hung Redis.
    const sockets = new Set<Socket>();
    const blackHole = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const { port } = blackHole.address() as AddressInfo;
    const gw = await startCachedGateway({ redisUrl: `redis://127.0.0.1:${port}`, keyPrefix: uniquePrefix('hung'), redisTimeoutMs: 100 });
    try {
      const response = await gw.query<{ product: { id: string } }>('{ product(id: 2) { id } }');
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data!.product.id).toBe('2');
      expect(response.headers.get('x-tessera-cache')).toBe('MISS');
      expect(await metricValue(gw, 'tessera_cache_store_errors_total')).toBeGreaterThan(0);
    } finally {
      await gw.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => blackHole.close(() => resolve()));
    }
  });
});
