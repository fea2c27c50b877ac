/**
 * docker-compose.yml cannot be run here (no Docker engine): this reads it and checks that every
 * service has what it needs, that the URLs between services point at ports something listens on,
 * and that the files it and the Dockerfile name exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEMO_SERVICE_NAMES } from '../../sources';
import { GATEWAY_NODE_FLAGS } from '../../bench/children';
import { REPO_ROOT } from '../support/harness';

interface ComposeService {
  image?: string;
  build?: string | { context: string };
  command?: string[];
  expose?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
}

const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const gateways = Object.keys(services).filter((name) => name.startsWith('gateway'));
const exposed = (name: string) => (services[name].expose ?? []).map(Number);

test('Redis, the four demo services, two gateway replicas and a load balancer, each with a health check', () => {
  expect(Object.keys(services).sort()).toEqual(['gateway-1', 'gateway-2', 'lb', 'orders', 'products', 'redis', 'reviews', 'users']);
  for (const [name, service] of Object.entries(services)) {
    expect([name, service.healthcheck?.test[0]]).toEqual([name, 'CMD']);
    expect([name, Boolean(service.image || service.build)]).toEqual([name, true]);
  }
});

test('each demo service runs one service on the port it exposes and checks that port', () => {
  DEMO_SERVICE_NAMES.forEach((name, i) => {
    const service = services[name];
    const port = 4101 + i;
    expect(service.build).toBe('.');
    expect(service.command).toEqual(['node_modules/.bin/tsx', 'sources/serve.ts', '--only', name, '--base-port', String(port), '--host', '0.0.0.0']);
    expect(exposed(name)).toEqual([port]);
    expect(service.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${port}/`);
  });
});

test('each gateway reaches every source and Redis by service name, waits for them, and names itself', () => {
  const ids = new Set<string>();
  for (const name of gateways) {
    const service = services[name];
    const env = service.environment!;
    expect(service.build).toBe('.');
    DEMO_SERVICE_NAMES.forEach((source) => {
      const url = new URL(env[`${source.toUpperCase()}_URL`]);
      expect(exposed(url.hostname)).toContain(Number(url.port));
      expect(service.depends_on?.[url.hostname]).toEqual({ condition: 'service_healthy' });
    });
    const redis = new URL(env.REDIS_URL);
    expect([redis.hostname, exposed(redis.hostname)]).toEqual(['redis', [Number(redis.port)]]);
    expect(exposed(name)).toEqual([Number(env.PORT)]);
    expect(service.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${env.PORT}/readyz`);
    ids.add(env.TESSERA_INSTANCE_ID);
  }
  expect(ids.size).toBe(gateways.length);
});

test('the load balancer publishes a port and balances over every gateway replica', () => {
  const lb = services.lb;
  expect(lb.ports).toEqual(['4000:80']);
  const [config] = lb.volumes!.map((volume) => volume.split(':'));
  expect(config[1]).toBe('/etc/nginx/nginx.conf');
  const nginx = readFileSync(join(REPO_ROOT, config[0]), 'utf8');
  const upstreams = [...nginx.matchAll(/^\s*server\s+([\w-]+):(\d+)/gm)].map((m) => [m[1], Number(m[2])]);
  expect(upstreams).toEqual(gateways.map((name) => [name, Number(services[name].environment!.PORT)]));
  expect(nginx).toMatch(/listen 80;/);
  expect(Object.keys(lb.depends_on ?? {}).sort()).toEqual(gateways);
});

test('the Dockerfile is multi-stage, runs as a non-root user, and copies files that exist', () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
  expect(dockerfile).toMatch(/^USER (?!root)\w+/m);
  expect(dockerfile).toMatch(/^HEALTHCHECK /m);
  const copied = [...dockerfile.matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) \S+$/gm)].flatMap((m) => m[1].split(' '));
  expect(copied.length).toBeGreaterThan(3);
  for (const path of copied) expect([path, existsSync(join(REPO_ROOT, path))]).toEqual([path, true]);
  // What the image needs to run must not be excluded from the build context.
  const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').filter(Boolean);
  for (const path of copied) expect(ignored).not.toContain(path);
});

test('the image, `npx tessera` and `npm start` run the gateway with the heap settings the bench measures it with', () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
  expect(cmd.slice(0, cmd.indexOf('bin/tessera.cjs'))).toEqual(['node', ...GATEWAY_NODE_FLAGS]);
  const shebang = readFileSync(join(REPO_ROOT, 'bin/tessera.cjs'), 'utf8').split('\n')[0];
  expect(shebang).toBe(`#!/usr/bin/env -S node ${GATEWAY_NODE_FLAGS.join(' ')}`);
  const { scripts } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(scripts.start).toBe(`node ${GATEWAY_NODE_FLAGS.join(' ')} bin/tessera.cjs demo`);
});
