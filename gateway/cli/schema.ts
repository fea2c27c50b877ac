import { readFile } from 'node:fs/promises';
import { loadConfig } from '../config/load';
import type { TesseraConfig } from '../config/schema';
import { openRegistry } from '../check/registry';
import { sha256 } from '../shared/hash';
import { composeSdl } from './compose';
import { reportFatal } from './report';

export interface SchemaCommandOptions {
  config: string;
  json?: boolean;
}

/** `tessera schema publish`: stores the composed schema as the registry's next version (unless unchanged). */
export async function runSchemaPublish(options: SchemaCommandOptions): Promise<void> {
  try {
    const { config } = loadConfig(options.config);
    const sdl = await composeSdl(config);
    const registry = openRegistry(config.registry);
    try {
      const latest = await registry.latest();
      if (latest?.schemaHash === sha256(sdl)) {
        console.error(`tessera: schema unchanged since version ${latest.version} (${latest.publishedAt}); nothing published to ${registry.location}`);
        return;
      }
      const published = await registry.publish({ publishedAt: new Date().toISOString(), schemaHash: sha256(sdl), specHashes: await specHashes(config), sdl });
      console.error(`tessera: published schema version ${published.version} to ${registry.location}`);
    } finally {
      await registry.close();
    }
  } catch (error) {
    reportFatal(error, options.config);
  }
}

/** `tessera schema history`: one line per published version, newest last (or JSON without the SDL). */
export async function runSchemaHistory(options: SchemaCommandOptions): Promise<void> {
  try {
    const { config } = loadConfig(options.config);
    const registry = openRegistry(config.registry);
    try {
      const history = (await registry.history()).map(({ sdl: _sdl, ...entry }) => entry);
      if (options.json) process.stdout.write(`${JSON.stringify(history, null, 2)}\n`);
      else if (history.length === 0) console.log(`no schema published yet in ${registry.location}`);
      else {
        for (const entry of history) {
          const specs = Object.entries(entry.specHashes).map(([source, hash]) => `${source}@${hash.slice(0, 12)}`);
          console.log(`v${entry.version}  ${entry.publishedAt}  schema@${entry.schemaHash.slice(0, 12)}  ${specs.join(' ')}`);
        }
      }
    } finally {
      await registry.close();
    }
  } catch (error) {
    reportFatal(error, options.config);
  }
}

/** sha256 of each source's spec (or SDL file) as it reads now: which spec versions a schema came from. */
async function specHashes(config: TesseraConfig): Promise<Record<string, string>> {
  const entries = await Promise.all(
    config.sources.map(async (source): Promise<[string, string]> => {
      const location = source.kind === 'openapi' ? source.spec : source.sdl;
      if (!location) return [source.name, 'introspection'];
      const text = /^https?:\/\//.test(location) ? await (await fetch(location)).text() : await readFile(location, 'utf8');
      return [source.name, sha256(text)];
    }),
  );
  return Object.fromEntries(entries);
}
