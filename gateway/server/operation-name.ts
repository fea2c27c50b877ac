import { GraphQLError, Kind, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';

/**
 * A request whose `operationName` is not an operation of its document, or whose document has
 * several operations and no `operationName`, is refused naming what the document does define.
 * yoga answers both with "Could not determine what operation to execute." (its GET-mutation check
 * runs first), which leaves a frontend developer guessing. The operations of a document are
 * remembered by its text, as yoga remembers its parse: clients send the same few documents.
 */
export function useOperationNameCheck(): Plugin {
  const operationsOf = new LRUCache<string, Array<string | null>>({ max: 1000 });
  const namesIn = (query: string): Array<string | null> | undefined => {
    let names = operationsOf.get(query);
    if (names) return names;
    try {
      const document = parse(query, { noLocation: true });
      names = document.definitions.flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION ? [definition.name?.value ?? null] : []));
    } catch {
      return undefined; // a syntax error is the parser's to report, with its location
    }
    operationsOf.set(query, names);
    return names;
  };
  return {
    onParams({ params }) {
      if (typeof params.query !== 'string') return;
      const operations = namesIn(params.query);
      if (!operations) return;
      const named = operations.filter((name): name is string => name !== null);
      const listed = named.length ? named.map((name) => `"${name}"`).join(', ') : 'no named operation';
      if (params.operationName) {
        if (!named.includes(params.operationName)) throw refusal(`Unknown operation named "${params.operationName}": the document defines ${listed}`);
      } else if (operations.length > 1) {
        throw refusal(`The document has ${operations.length} operations (${listed}): send operationName to choose one`);
      }
    },
  };
}

function refusal(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
}
