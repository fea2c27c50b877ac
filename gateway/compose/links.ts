import DataLoader from 'dataloader';
import {
  GraphQLError,
  GraphQLID,
  OperationTypeNode,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  type FieldNode,
  type GraphQLFieldConfig,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import type { Subschema } from '@graphql-tools/delegate';
import type { IResolvers } from '@graphql-tools/utils';
import { MapperKind, mapSchema, relocatedError } from '@graphql-tools/utils';
import type { LinkConfig } from '../config/schema';
import { copyWith } from '../shared/copy-with';
import { createRequestState } from '../shared/request-state';
import { CompositionError } from './errors';
import { fieldError } from './field-errors';
import { matchByKey } from './match-by-key';
import type { Delegate } from './root-delegation';
import type { Subgraph } from './subgraph';
import type { Renamer } from './transforms';

/** A link from the config, checked against the sources and ready to wire. */
export interface LinkPlan {
  coordinate: string;
  parentType: string;
  fieldName: string;
  config: LinkConfig;
  many: boolean;
  target: Subgraph;
  /** The loader's name of the root field that resolves the link, and its public name. */
  rawQueryField: string;
  /** Set for batched links (the argument takes a list of keys): the hidden root field they call. */
  batchField?: string;
  /** Loader name of the field matched to the key in batch results. */
  rawMatchField?: string;
}

export interface PlannedSource {
  subgraph: Subgraph;
  renamer: Renamer;
  /** The source as the public schema sees it (naming rules, renames and hides applied). */
  publicSchema: GraphQLSchema;
}

const linkPath = (coordinate: string, key?: string) => `links[${JSON.stringify(coordinate)}]${key ? `.${key}` : ''}`;

/** Checks every link against the composed sources; an error names the config path to fix. */
export function planLinks(links: Record<string, LinkConfig>, sources: PlannedSource[]): LinkPlan[] {
  const publicType = (name: string) => sources.map((s) => s.publicSchema.getType(name)).find(Boolean);
  return Object.entries(links)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([coordinate, config]) => {
      const [parentType, fieldName] = coordinate.split('.');
      const parent = publicType(parentType);
      if (!parent || !isObjectType(parent)) {
        throw new CompositionError(linkPath(coordinate), `no object type ${parentType} in the composed sources`);
      }
      if (parent.getFields()[fieldName]) {
        throw new CompositionError(linkPath(coordinate), `${parentType} already has a field ${fieldName}; pick another name or hide that field`);
      }
      if (!parent.getFields()[config.from]) {
        throw new CompositionError(
          linkPath(coordinate, 'from'),
          `${parentType} has no field "${config.from}" (it has ${Object.keys(parent.getFields()).join(', ')})`,
        );
      }
      const found = findQueryField(sources, config.query);
      if (!found) throw new CompositionError(linkPath(coordinate, 'query'), `no source has a query field "${config.query}"`);
      const { owner, rawQueryField } = found;
      const queryField = owner.subgraph.schema.getQueryType()!.getFields()[rawQueryField];
      const unknownArg = Object.keys(config.args).find((name) => !queryField.args.some((arg) => arg.name === name));
      if (unknownArg) {
        throw new CompositionError(
          linkPath(coordinate, `args.${unknownArg}`),
          `${config.query} has no argument "${unknownArg}" (it has ${queryField.args.map((a) => a.name).join(', ') || 'none'})`,
        );
      }
      const argument = queryField.args.find((arg) => arg.name === config.argument);
      if (!argument) {
        throw new CompositionError(
          linkPath(coordinate, 'argument'),
          `${config.query} has no argument "${config.argument}" (it has ${queryField.args.map((a) => a.name).join(', ') || 'none'})`,
        );
      }
      const many = config.type.startsWith('[');
      const targetTypeName = config.type.replace(/[[\]]/g, '');
      const rawTarget = getNamedType(queryField.type);
      const returned = owner.renamer.type(rawTarget.name);
      if (returned !== targetTypeName) {
        throw new CompositionError(linkPath(coordinate, 'type'), `"${config.query}" returns ${returned}, but the link declares ${config.type}`);
      }
      const plan: LinkPlan = { coordinate, parentType, fieldName, config, many, target: owner.subgraph, rawQueryField };
      if (!isListInput(argument.type)) return plan;
      if (!isObjectType(rawTarget)) throw new CompositionError(linkPath(coordinate, 'type'), `${returned} is not an object type`);
      const rawMatchField = Object.keys(rawTarget.getFields()).find((raw) => owner.renamer.objectField(returned, raw) === config.matchOn);
      if (!rawMatchField) {
        throw new CompositionError(linkPath(coordinate, 'matchOn'), `${returned} has no field "${config.matchOn}" to match results to keys`);
      }
      return { ...plan, batchField: `_tessera_${parentType}_${fieldName}`, rawMatchField };
    });
}

/** The source whose public Query has `name`, and the loader's name of that field. */
function findQueryField(sources: PlannedSource[], name: string): { owner: PlannedSource; rawQueryField: string } | undefined {
  for (const owner of sources) {
    const rawQueryField = Object.keys(owner.subgraph.schema.getQueryType()?.getFields() ?? {}).find(
      (raw) => owner.renamer.rootField('Query', raw) === name,
    );
    if (rawQueryField) return { owner, rawQueryField };
  }
  return undefined;
}

function isListInput(type: GraphQLInputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/**
 * The schema that batched links delegate to (undefined when no batched link targets this source):
 * the source's in-process schema plus one hidden root field per
 * batched link, `_tessera_<Type>_<field>(keys: [ID!]!)`, that calls the batch operation once and
 * returns results matched to keys (a list per key for one-to-many links). Stitching's batch
 * delegation matches by position, which is only safe because of this field.
 */
export function withBatchFields(subgraph: Subgraph, plans: LinkPlan[]): GraphQLSchema | undefined {
  const mine = plans.filter((plan) => plan.target === subgraph && plan.batchField);
  if (mine.length === 0) return undefined;
  const base = subgraph.localSchema();
  const queryFields = base.getQueryType()!.getFields();
  const added: Record<string, GraphQLFieldConfig<unknown, unknown>> = {};
  for (const plan of mine) {
    const rawType = getNamedType(queryFields[plan.rawQueryField].type) as GraphQLObjectType;
    const batch = subgraph.batchCaller(plan.rawQueryField, plan.rawMatchField!);
    const resolve: GraphQLFieldResolver<unknown, unknown, { keys: string[] }> = async (_root, { keys }, context, info) => {
      const results = await batch.call(copyWith(plan.config.args, { [plan.config.argument]: keys }), context, info);
      const list = Array.isArray(results) ? (results as unknown[]) : [];
      return plan.many
        ? matchByKey(list, keys, batch.keyOf, { many: true })
        : matchByKey(list, keys, batch.keyOf, {
            many: false,
            missing: (key) =>
              fieldError(`${plan.target.name} has no ${plan.config.type} with ${plan.config.matchOn} ${JSON.stringify(key)}`, {
                code: 'NOT_FOUND',
                source: plan.target.name,
                key,
              }),
          });
    };
    added[plan.batchField!] = {
      type: plan.many ? new GraphQLList(new GraphQLList(rawType)) : new GraphQLList(rawType),
      args: { keys: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLID))) } },
      resolve: resolve as GraphQLFieldResolver<unknown, unknown>,
    };
  }
  return mapSchema(base, {
    [MapperKind.QUERY]: (type) => new GraphQLObjectType({ ...type.toConfig(), fields: { ...type.toConfig().fields, ...added } }),
  });
}

export function linkTypeDefs(plans: LinkPlan[]): string {
  return plans
    .map((plan) => {
      const description = plan.config.description ?? `Link: ${plan.config.query}(${plan.config.argument}: ${plan.parentType}.${plan.config.from})`;
      return `extend type ${plan.parentType} {\n  ${JSON.stringify(description)}\n  ${plan.fieldName}: ${plan.config.type}\n}`;
    })
    .join('\n');
}

/**
 * Resolvers of the link fields. Batched links delegate once per link per level of the query: the
 * keys of every parent at that level go to the hidden batch field in one call. Per-key links make
 * one call per distinct key, run concurrently. Either way the loaders live on the request's
 * context: nothing is shared between requests. Each link delegates through a delegator of its
 * own, which keeps the request its first call sent per field of the client's document
 * (./root-delegation).
 */
export function linkResolvers(plans: LinkPlan[], linkSubschemaOf: (subgraph: Subgraph) => Subschema, delegator: () => Delegate): IResolvers {
  const resolvers: Record<string, Record<string, unknown>> = {};
  for (const plan of plans) {
    const subschema = linkSubschemaOf(plan.target);
    const { from } = plan.config;
    const empty = plan.many ? [] : null;
    const loaders = new PerRequestLoaders(plan.batchField ? { maxBatchSize: plan.config.batchSize } : {});
    const delegate = delegator();
    // What one loader's batch of keys becomes: one call of the hidden batch field, or one call per key.
    const load = (keys: readonly string[], context: Record<string, unknown>, info: GraphQLResolveInfo): Promise<unknown[]> =>
      plan.batchField
        ? delegateBatch(delegate, subschema, plan, keys, context, info)
        : Promise.all(
            keys.map((key) =>
              delegate({
                subschemaConfig: subschema,
                operation: OperationTypeNode.QUERY,
                fieldName: plan.config.query,
                args: copyWith(plan.config.args, { [plan.config.argument]: key }),
                context,
                info,
              }),
            ),
          );
    const resolve: GraphQLFieldResolver<Record<string, unknown>, Record<string, unknown>> = (parent, _args, context, info) => {
      const key = parent[from];
      if (key === null || key === undefined) return empty;
      const loader = loaders.get(context, info.fieldNodes[0], (keys) => load(keys, context, info));
      return loader.load(String(key)).catch((error: unknown) => {
        throw unlocated(error);
      });
    };
    (resolvers[plan.parentType] ??= {})[plan.fieldName] = { selectionSet: `{ ${from} }`, resolve };
  }
  return resolvers as IResolvers;
}

/**
 * One call of a batched link's hidden field for every key of a level, split back into one value
 * per key (the field answers in key order, see withBatchFields). It delegates with the resolve info
 * of the first parent that asked, so an error the field located at one of its items
 * ([batchField, i, ...]) is moved to that parent's link field ([batchField, ...]) and GraphQL
 * places it under the parent that asked for key i.
 *
 * This is what @graphql-tools/batch-delegate does, with its loaders kept where ours are: its
 * loader map is a WeakMap keyed by the context, whose values V8's scavenger keeps alive (see
 * ../shared/request-state), so each Q2/Q3 request outlived its young generation. A one-to-many
 * link's values are also resolved as the lists they are, where batch-delegate takes each to be one
 * object and leaves its items plain JSON.
 */
function delegateBatch(
  delegate: Delegate,
  subschema: Subschema,
  plan: LinkPlan,
  keys: readonly string[],
  context: Record<string, unknown>,
  info: GraphQLResolveInfo,
): Promise<unknown[]> {
  const batchField = plan.batchField!;
  const named = getNamedType(info.returnType);
  return Promise.resolve()
    .then(() =>
      delegate({
        subschemaConfig: subschema,
        operation: OperationTypeNode.QUERY,
        fieldName: batchField,
        args: { keys },
        returnType: new GraphQLList(plan.many ? new GraphQLList(named) : named),
        onLocatedError: (error) => {
          const [field, index, ...rest] = error.path ?? [];
          return field === batchField && typeof index === 'number' ? relocatedError(error, [batchField, ...rest]) : error;
        },
        context,
        info,
      }),
    )
    .then((values: unknown) => (Array.isArray(values) ? keys.map((_, i) => values[i] ?? null) : keys.map(() => values)))
    .catch((error: unknown) => keys.map(() => error));
}

/**
 * One link's DataLoaders: per request (keyed by the context object) and per field node, so two
 * selections of the link with different sub-selections never share a delegated query.
 */
class PerRequestLoaders {
  private readonly byContext = createRequestState<object, Map<FieldNode, DataLoader<string, unknown>>>('tessera.linkLoaders');

  constructor(private readonly options: DataLoader.Options<string, unknown> = {}) {}

  get(context: object, fieldNode: FieldNode, batch: (keys: readonly string[]) => Promise<unknown[]>): DataLoader<string, unknown> {
    let loaders = this.byContext.get(context);
    if (!loaders) this.byContext.set(context, (loaders = new Map()));
    let loader = loaders.get(fieldNode);
    if (!loader) loaders.set(fieldNode, (loader = new DataLoader(batch, this.options)));
    return loader;
  }
}

/**
 * A link's loader delegates with the resolve info of the first parent that asked, so its errors
 * carry that parent's path, or (a batch's, moved from the delegated request) no locations at all;
 * every parent rethrows the error without either, and GraphQL places it at the parent's own field
 * with that field's locations in the client's document.
 */
function unlocated(error: unknown): unknown {
  if (!(error instanceof GraphQLError)) return error;
  return new GraphQLError(error.message, { extensions: error.extensions, originalError: error.originalError ?? undefined });
}
