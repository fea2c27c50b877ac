import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { Lexer, Source, TokenKind, type GraphQLError, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { LimitsConfig } from '../config/schema';
import { createOperationCost } from './cost';
import { limitError } from './limit-error';

/**
 * Every limit on what one request may ask for, checked before anything reaches an upstream:
 * batch length, size and tokens as the request is read, depth, aliases and directives during
 * validation (graphql-armor's rules), cost at execution (variables known). Each refusal is HTTP
 * 400 with the limit's config key, its value and what was found.
 *
 * Tokens are counted here rather than with graphql-armor's max-tokens plugin: that one throws from
 * inside the parser, where yoga turns it into a syntax error (200 for `application/json` clients)
 * that cannot say how many tokens were sent.
 */
export function useOperationLimits(limits: LimitsConfig): Plugin {
  const found = /limit of (\d+) exceeded, found (\d+)/;
  // armor reports through a callback; re-issue its finding as our error (status, code, config key).
  const reject =
    (limit: keyof LimitsConfig, what: string) =>
    (context: ValidationContext | null, error: GraphQLError) => {
      const [, max, value] = found.exec(error.message) ?? [];
      const ours = limitError(limit, Number(max ?? limits[limit]), Number(value ?? NaN), what);
      if (context) context.reportError(ours);
      else throw ours;
    };
  const armor = { propagateOnRejection: false, exposeLimits: true } as const;
  // Clients send the same few documents again and again (yoga caches their parse the same way):
  // lexing each one again was ~1.5% of a cached hit's CPU.
  const tokensOf = new LRUCache<string, number>({ max: 1000 });
  const operationCost = createOperationCost(limits);
  const countOnce = (query: string) => {
    let tokens = tokensOf.get(query);
    if (tokens === undefined) tokensOf.set(query, (tokens = countTokens(query, limits.maxTokens)));
    return tokens;
  };
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(maxDepthPlugin({ ...armor, n: limits.maxDepth, onReject: [reject('maxDepth', 'Depth')] }));
      // Every alias counts, `a: __typename` too (armor allows those by default): 1,600 of them cost
      // a response of 1,600 fields as much as any other alias does.
      addPlugin(maxAliasesPlugin({ ...armor, n: limits.maxAliases, allowList: [], onReject: [reject('maxAliases', 'Alias')] }));
      addPlugin(maxDirectivesPlugin({ ...armor, n: limits.maxDirectives, onReject: [reject('maxDirectives', 'Directive')] }));
    },
    onRequestParse() {
      return {
        onRequestParseDone({ requestParserResult }) {
          const operations = Array.isArray(requestParserResult) ? requestParserResult : [requestParserResult];
          if (operations.length > limits.maxBatchOperations) {
            throw limitError('maxBatchOperations', limits.maxBatchOperations, operations.length, 'Batched operations');
          }
          for (const { query } of operations) {
            const bytes = typeof query === 'string' ? Buffer.byteLength(query) : 0;
            if (bytes > limits.maxQueryBytes) throw limitError('maxQueryBytes', limits.maxQueryBytes, bytes, 'Query size (bytes)');
            const tokens = typeof query === 'string' ? countOnce(query) : 0;
            if (tokens > limits.maxTokens) throw limitError('maxTokens', limits.maxTokens, tokens, 'Token');
          }
        },
      };
    },
    onExecute({ args, setResultAndStopExecution }) {
      const cost = operationCost(args.schema, args.document, args.operationName, args.variableValues);
      if (cost > limits.maxCost) setResultAndStopExecution({ errors: [limitError('maxCost', limits.maxCost, cost, 'Cost')] });
    },
  };
}

/** Lexical tokens of a document, counting at most `stopAfter` (a bomb is not lexed to its end). */
function countTokens(query: string, stopAfter: number): number {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    while (count <= stopAfter && lexer.advance().kind !== TokenKind.EOF) count++;
  } catch {
    // A lexical error is the parser's to report, with its location.
  }
  return count;
}
