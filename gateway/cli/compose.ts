import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { loadConfig } from '../config/load';
import { composeGateway } from '../compose/compose';
import { printComposedSchema } from '../compose/print';
import { formatWarning } from '../compose/warnings';
import { reportFatal } from './report';

export interface ComposeCommandOptions {
  config: string;
  out: string;
}

export async function runCompose(options: ComposeCommandOptions): Promise<void> {
  try {
    const { config } = loadConfig(options.config);
    const { schema, close } = await composeGateway(config, { onWarning: (w) => console.error(`warning: ${formatWarning(w)}`) });
    await close();
    const sdl = printComposedSchema(schema);
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
