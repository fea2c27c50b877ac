import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { loadConfig } from '../config/load';
import type { TesseraConfig } from '../config/schema';
import { composeGateway } from '../compose/compose';
import { printComposedSchema } from '../compose/print';
import { formatWarning } from '../compose/warnings';
import { reportFatal } from './report';

export interface ComposeCommandOptions {
  config: string;
  out: string;
}

/** The public SDL of a config's sources, warnings on stderr (no upstream connection stays open). */
export async function composeSdl(config: TesseraConfig): Promise<string> {
  const { schema, close } = await composeGateway(config, { onWarning: (w) => console.error(`warning: ${formatWarning(w)}`) });
  await close();
  return printComposedSchema(schema);
}

export async function runCompose(options: ComposeCommandOptions): Promise<void> {
  try {
    const { config } = loadConfig(options.config);
    const sdl = await composeSdl(config);
    if (options.out === '-') {
      process.stdout.write(sdl);
      return;
    }
    await mkdir(dirname(options.out), { recursive: true });
    await writeFile(options.out, sdl);
    console.error(`tessera: composed schema written to ${options.out}`);
  } catch (error) {
    reportFatal(error, options.config);
  }
}
