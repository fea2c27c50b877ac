import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { loadTrustedDocuments } from '../trusted-documents/manifest';
import { reportFatal } from './report';

export interface DocumentsManifestOptions {
  out: string;
}

/**
 * `tessera documents manifest <paths…>`: the manifest of folders of .graphql files, in the
 * graphql-codegen client preset's format (`{ "<sha256 hex of the file>": "<file text>" }`), for
 * frontends that have no codegen step. The gateway reads the folder itself just as well; the file
 * is what a frontend build ships to the gateway's deployment.
 */
export async function runDocumentsManifest(paths: string[], options: DocumentsManifestOptions): Promise<void> {
  try {
    const documents = await loadTrustedDocuments(paths);
    const manifest = `${JSON.stringify(Object.fromEntries(documents.map((document) => [document.id, document.body])), null, 2)}\n`;
    if (options.out === '-') {
      process.stdout.write(manifest);
      return;
    }
    await mkdir(dirname(options.out), { recursive: true });
    await writeFile(options.out, manifest);
    console.error(`tessera: ${documents.length} trusted documents written to ${options.out}`);
  } catch (error) {
    reportFatal(error);
  }
}
