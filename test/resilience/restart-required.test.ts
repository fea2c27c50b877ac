import { join } from 'node:path';
import { loadConfig } from '../../gateway/config/load';
import type { TesseraConfig } from '../../gateway/config/schema';
import { changesNeedingRestart } from '../../gateway/reload/restart-required';
import { REPO_ROOT } from '../support/harness';

describe('which changed settings wait for a restart', () => {
  const started = loadConfig(join(REPO_ROOT, 'tessera.config.yaml'), { env: {} }).config;
  const edited = (edit: (config: TesseraConfig) => void): TesseraConfig => {
    const next = structuredClone(started);
    edit(next);
    return next;
  };

  test('the same config: nothing', () => {
    expect(changesNeedingRestart(started, structuredClone(started))).toEqual([]);
  });

  test('settings built at start are named by their paths, values never', () => {
    const next = edited((config) => {
      config.server.port = started.server.port + 1;
      config.limits.maxDepth = 3;
      config.server.cors.origins = ['https://app.example'];
    });
    expect(changesNeedingRestart(started, next).sort()).toEqual(['limits.maxDepth', 'server.cors.origins', 'server.port']);
  });

  test('what a reload applies is not reported: sources, links, rules, credentials, private fields, field limits', () => {
    const next = edited((config) => {
      config.sources = config.sources.slice(1);
      config.links = {};
      config.auth.rules = {};
      config.auth.defaultPolicy = 'deny';
      config.auth.apiKeys.keys = [];
      config.auth.anonymous = false;
      config.cache.private = ['User.email'];
      config.rateLimits.fields = {};
    });
    expect(changesNeedingRestart(started, next)).toEqual([]);
  });

  test('a setting added or removed counts as changed, beside an applied one of the same section', () => {
    const next = edited((config) => {
      config.auth.adminRole = 'operator';
      config.auth.rules = {};
      delete (config.server as Partial<TesseraConfig['server']>).graphqlPath;
    });
    expect(changesNeedingRestart(started, next).sort()).toEqual(['auth.adminRole', 'server.graphqlPath']);
  });
});
