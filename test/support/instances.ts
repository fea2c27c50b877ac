import type { SourceConfig, TesseraConfig } from '../../gateway/config/schema';

/** The config with `source` served by the given instances and its resilience settings changed. */
export function withInstances(config: TesseraConfig, source: string, urls: string[], resilience: Record<string, unknown> = {}): TesseraConfig {
  return {
    ...config,
    sources: config.sources.map((s): SourceConfig => {
      if (s.name !== source) return s;
      const merged = { ...s.resilience, ...resilience } as SourceConfig['resilience'];
      return { ...s, url: undefined, urls, resilience: merged };
    }),
  };
}
