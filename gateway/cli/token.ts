import { mintToken } from '../auth/tokens';
import { loadConfig } from '../config/load';
import { ConfigError } from '../config/errors';
import { reportFatal, StartupError } from './report';

export interface TokenOptions {
  config: string;
  sub: string;
  role: string[];
  scope: string[];
  ttl: string;
}

/** `tessera token`: prints a bearer token that a gateway with this config accepts. */
export async function runToken(options: TokenOptions): Promise<void> {
  try {
    const { config } = loadConfig(options.config);
    const token = await mintToken(config.auth.jwt, { subject: options.sub, roles: options.role, scopes: options.scope, ttl: options.ttl });
    process.stdout.write(`${token}\n`);
  } catch (error) {
    reportFatal(error instanceof ConfigError ? error : new StartupError((error as Error).message), options.config);
  }
}
