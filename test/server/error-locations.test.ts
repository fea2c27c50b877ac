/**
 * Errors of delegated fields get the locations of the client's fields at their path
 * (gateway/server/error-locations.ts). The gateway-level assertions live with the errors they are
 * about (test/gateway/errors, test/resilience, test/inputs); here, the path → field lookup.
 */
import { parse } from 'graphql';
import { fieldNodesAt } from '../../gateway/server/error-locations';

const locationsAt = (query: string, path: Array<string | number>, operationName?: string) =>
  fieldNodesAt(parse(query), operationName, path).map((node) => node.loc && { line: node.loc.startToken.line, column: node.loc.startToken.column });

describe('fieldNodesAt', () => {
  test('a root field by its alias, a nested field below list indexes', () => {
    const query = '{ a: user(id: 1) { name } orders { items { product { title } } } }';
    expect(locationsAt(query, ['a'])).toEqual([{ line: 1, column: 3 }]);
    expect(locationsAt(query, ['user'])).toEqual([]); // answered under its alias, not its name
    expect(locationsAt(query, ['orders', 3, 'items', 0, 'product'])).toEqual([{ line: 1, column: 44 }]);
  });

  test('through named and inline fragments, every selection of the key', () => {
    const query = 'query { ...Root } fragment Root on Query { user(id: 1) { ... on User { name } } }\nquery Other { user(id: 2) { name } }';
    expect(locationsAt(query, ['user', 'name'], undefined)).toEqual([]); // two operations and none named: no operation
    expect(locationsAt(query, ['user', 'name'], 'Other')).toEqual([{ line: 2, column: 29 }]);
    const single = '{ ...F user(id: 1) { id } } fragment F on Query { user(id: 1) { id } }';
    // In the order of the selections: the spread comes first.
    expect(locationsAt(single, ['user', 'id'])).toEqual([
      { line: 1, column: 65 },
      { line: 1, column: 22 },
    ]);
  });

  test('a fragment spread twice, or spreading itself, is walked once', () => {
    const query = '{ ...F ...F } fragment F on Query { user(id: 1) { name } }';
    expect(locationsAt(query, ['user'])).toEqual([{ line: 1, column: 37 }]);
  });
});
