import { GraphQLError, Kind, getOperationAST, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { handleStreamOrSingleExecutionResult } from '@envelop/core';
import type { Plugin } from 'graphql-yoga';
import { fragmentsByName } from '../shared/fragments';

/**
 * Errors of delegated fields (an upstream's 404 on a root field, a missing item of a list, a
 * link's key the target does not have) reached clients with a `path` and no `locations`:
 * graphql-tools moves such an error to the gateway's path but keeps the nodes of the request it
 * sent the source (none, for our in-process sources), and graphql-js leaves an error that already
 * has a path as it is. The spec asks for `locations` wherever an error belongs to a point of the
 * document, and clients' tooling (GraphiQL, Apollo's error links) points at the field with them.
 * So an error with a path and no locations gets those of the client's fields at that path.
 */
export function useErrorLocations(): Plugin {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone(payload) {
          return handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
            if (!result.errors?.some(lacksLocations)) return;
            const errors = result.errors.map((error) => (lacksLocations(error) ? located(error, fieldNodesAt(args.document, args.operationName, error.path!)) : error));
            setResult({ ...result, errors });
          });
        },
      };
    },
  };
}

function lacksLocations(error: GraphQLError): boolean {
  return (error.path?.length ?? 0) > 0 && !error.locations?.length;
}

function located(error: GraphQLError, nodes: FieldNode[]): GraphQLError {
  if (nodes.length === 0) return error;
  return new GraphQLError(error.message, { nodes, path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions });
}

/**
 * The client's field nodes answered at a response path: each name segment is a response key
 * looked up in the selections below the previous one (through fragments), list indexes are skipped.
 * Where fragments on several types select the same key, every one of them is taken: the path alone
 * does not say which type the object had.
 */
export function fieldNodesAt(document: DocumentNode, operationName: string | null | undefined, path: ReadonlyArray<string | number>): FieldNode[] {
  const operation = getOperationAST(document, operationName);
  if (!operation) return [];
  const fragments = fragmentsByName(document);
  let selectionSets: SelectionSetNode[] = [operation.selectionSet];
  let nodes: FieldNode[] = [];
  for (const segment of path) {
    if (typeof segment === 'number') continue;
    nodes = selectionSets.flatMap((set) => fieldsWithKey(set, segment, fragments, new Set()));
    selectionSets = nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  }
  return nodes;
}

function fieldsWithKey(set: SelectionSetNode, key: string, fragments: Map<string, FragmentDefinitionNode>, spread: Set<string>): FieldNode[] {
  return set.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return (selection.alias?.value ?? selection.name.value) === key ? [selection] : [];
    if (selection.kind === Kind.INLINE_FRAGMENT) return fieldsWithKey(selection.selectionSet, key, fragments, spread);
    const fragment = fragments.get(selection.name.value);
    if (!fragment || spread.has(fragment.name.value)) return [];
    spread.add(fragment.name.value);
    return fieldsWithKey(fragment.selectionSet, key, fragments, spread);
  });
}
