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
  type GraphQLSchema,
} from 'graphql';
import { batchDelegateToSchema } from '@graphql-tools/batch-delegate';
import { delegateToSchema, resolveExternalValue, type Subschema } from '@graphql-tools/delegate';
import type { IResolvers } from '@graphql-tools/utils';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import type { LinkConfig } from '../config/schema';
import { createRequestState } from '../shared/request-state';
import { CompositionError } from './errors';
import { fieldError } from './field-errors';
import { matchByKey } from './match-by-key';
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
      const results = await batch.call({ ...plan.config.args, [plan.config.argument]: keys }, context, info);
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
 * Resolvers of the link fields. Batched links go through batchDelegateToSchema: one call per link
 * per level of the query. Per-key links go through a DataLoader that lives in the request's
 * context: one call per distinct key, run concurrently, nothing shared between requests.
 */
export function linkResolvers(plans: LinkPlan[], linkSubschemaOf: (subgraph: Subgraph) => Subschema): IResolvers {
  const resolvers: Record<string, Record<string, unknown>> = {};
  for (const plan of plans) {
    const subschema = linkSubschemaOf(plan.target);
    const { from } = plan.config;
    const empty = plan.many ? [] : null;
    const loaders = plan.batchField ? undefined : new PerRequestLoaders();
    const resolve: GraphQLFieldResolver<Record<string, unknown>, object> = plan.batchField
      ? (parent, _args, context, info) => {
          const key = parent[from];
          if (key === null || key === undefined) return empty;
          const value = batchDelegateToSchema({
            schema: subschema,
            operation: OperationTypeNode.QUERY,
            fieldName: plan.batchField,
            key: String(key),
            argsFromKeys: (keys) => ({ keys }),
            dataLoaderOptions: { maxBatchSize: plan.config.batchSize },
            context,
            info,
          });
          // batch-delegate takes each key's value to be one object of the named type, so a
          // one-to-many link's items would stay plain JSON: their fields then read by field name,
          // not by the response key the delegated query used (an alias, the response cache's
          // `__responseCacheId: id`), and come back null. Resolving the list as a list marks each item.
          return plan.many
            ? Promise.resolve(value).then((items) => (Array.isArray(items) ? resolveExternalValue(items, [], subschema, context, info, info.returnType) : items))
            : value;
        }
      : (parent, _args, context, info) => {
          const key = parent[from];
          if (key === null || key === undefined) return empty;
          const loader = loaders!.get(context, info.fieldNodes[0], (keys) =>
            Promise.all(
              keys.map((k) =>
                delegateToSchema({
                  schema: subschema,
                  operation: OperationTypeNode.QUERY,
                  fieldName: plan.config.query,
                  args: { ...plan.config.args, [plan.config.argument]: k },
                  context,
                  info,
                }),
              ),
            ),
          );
          return loader.load(String(key)).catch((error: unknown) => {
            throw unlocated(error);
          });
        };
    (resolvers[plan.parentType] ??= {})[plan.fieldName] = { selectionSet: `{ ${from} }`, resolve };
  }
  return resolvers as IResolvers;
}

/**
 * One link's DataLoaders: per request (keyed by the context object) and per field node, so two
 * selections of the link with different sub-selections never share a delegated query.
 */
class PerRequestLoaders {
  private readonly byContext = createRequestState<object, Map<FieldNode, DataLoader<string, unknown>>>('tessera.linkLoaders');

  get(context: object, fieldNode: FieldNode, batch: (keys: readonly string[]) => Promise<unknown[]>): DataLoader<string, unknown> {
    let loaders = this.byContext.get(context);
    if (!loaders) this.byContext.set(context, (loaders = new Map()));
    let loader = loaders.get(fieldNode);
    if (!loader) loaders.set(fieldNode, (loader = new DataLoader(batch)));
    return loader;
  }
}

/**
 * A per-key loader delegates with the resolve info of the first parent that asked for a key, so its
 * errors carry that parent's path; every parent rethrows the error without a path, and GraphQL
 * locates it at the parent's own field.
 */
function unlocated(error: unknown): unknown {
  if (!(error instanceof GraphQLError)) return error;
  return new GraphQLError(error.message, { extensions: error.extensions, originalError: error.originalError ?? undefined });
}
