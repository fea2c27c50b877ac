import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Kind, parse, visit } from 'graphql';
import { loadTrustedDocuments, TrustedDocumentsError, type TrustedDocument } from '../trusted-documents/manifest';
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
    const incomplete = documents.flatMap(undefinedFragments);
    if (incomplete.length > 0) throw new TrustedDocumentsError(`${incomplete.join('\n')}\n(a trusted document runs alone: define each fragment it spreads in the same file; nothing was written)`);
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

/** A document that spreads fragments it does not define can never be run: the gateway would refuse it every time. */
function undefinedFragments(document: TrustedDocument): string[] {
  const defined = new Set<string>();
  const spread = new Set<string>();
  visit(parse(document.body, { noLocation: true }), {
    [Kind.FRAGMENT_DEFINITION]: (node) => void defined.add(node.name.value),
    [Kind.FRAGMENT_SPREAD]: (node) => void spread.add(node.name.value),
  });
  return [...spread].filter((name) => !defined.has(name)).map((name) => `${document.source}: spreads fragment "${name}", which it does not define`);
}
