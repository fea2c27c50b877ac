import type { UsageConfig } from '../config/schema';
import { fileUsageStore, openUsageStore } from '../usage/store';
import { operationsOf, type ClientOperation } from './operations';

/**
 * The operations a usage record holds, as client operations: `redis` reads the record the config's
 * `usage.redisUrl` points at, anything else is a usage file.
 */
export async function loadUsage(location: string, config: UsageConfig): Promise<ClientOperation[]> {
  if (location === 'redis' && !config.redisUrl) throw new Error('--usage redis needs usage.redisUrl in the config');
  const store = location === 'redis' ? openUsageStore(config) : fileUsageStore(location);
  try {
    const entries = await store.read();
    if (location !== 'redis' && entries.length === 0) throw new Error(`the usage record ${location} is missing or empty`);
    return operationsOf(entries.map((entry) => ({ label: `usage ${entry.hash.slice(0, 12)}, ${entry.count}×`, text: entry.document, count: entry.count })));
  } finally {
    await store.close();
  }
}
