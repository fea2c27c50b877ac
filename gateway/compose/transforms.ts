import {
  Kind,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  type DocumentNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationTypeNode,
  type SelectionNode,
  type SelectionSetNode,
  type TypeNode,
} from 'graphql';
import type { DelegationContext, SubschemaConfig, Transform } from '@graphql-tools/delegate';
import type { ExecutionRequest, ExecutionResult } from '@graphql-tools/utils';
import {
  FilterInputObjectFields,
  FilterInterfaceFields,
  FilterObjectFields,
  FilterRootFields,
  FilterTypes,
  RenameRootFields,
  RenameTypes,
  TransformCompositeFields,
  TransformInputObjectFields,
} from '@graphql-tools/wrap';
import type { SourceTransforms } from '../config/schema';
import type { NamingMaps } from './naming';

type RootOperation = 'Query' | 'Mutation' | 'Subscription';

/** Raw (loader) names → public names, for one source: the naming rules, then the config's renames. */
export interface Renamer {
  type(raw: string): string;
  rootField(operation: RootOperation, raw: string): string;
  /** A field of an object or interface type; `type` is its final public name (what wrap transforms pass). */
  objectField(type: string, raw: string): string;
  /** A field of an input type; `type` is its final public name. */
  inputField(type: string, raw: string): string;
}

export interface SourceNaming {
  renamer: Renamer;
  /** The wrap transforms that apply the renamer (and, with `hide`, the config's hides). */
  transforms(options: { hide: boolean }): Transform[];
}

export const NO_TRANSFORMS: SourceTransforms = { rename: { types: {}, fields: {} }, hide: [] };

/**
 * One source's naming: the naming rules merged with the config's renames. Renames are keyed by the
 * names the naming rules give; hides by the final public names.
 */
export function createSourceNaming(naming: NamingMaps, config: SourceTransforms): SourceNaming {
  // Field renames are keyed by naming-rule type names, but the transforms pass final type names.
  const namingTypeOf = new Map<string, string>();
  for (const named of naming.types.values()) namingTypeOf.set(config.rename.types[named] ?? named, named);
  for (const [named, renamed] of Object.entries(config.rename.types)) namingTypeOf.set(renamed, named);
  const field = (fields: NamingMaps['objectFields']) => (type: string, raw: string) => {
    const namedType = namingTypeOf.get(type) ?? type;
    const named = fields.get(namedType)?.get(raw) ?? raw;
    return config.rename.fields[`${namedType}.${named}`] ?? named;
  };
  const renamer: Renamer = {
    type(raw) {
      const named = naming.types.get(raw) ?? raw;
      return config.rename.types[named] ?? named;
    },
    rootField(operation, raw) {
      const named = (operation === 'Subscription' ? undefined : naming.rootFields[operation].get(raw)) ?? raw;
      return config.rename.fields[`${operation}.${named}`] ?? named;
    },
    objectField: field(naming.objectFields),
    inputField: field(naming.inputFields),
  };
  return { renamer, transforms: (options) => buildTransforms(naming, config, renamer, options) };
}

/**
 * As @graphql-tools/wrap transforms: types, then fields of output types (root, object and
 * interface in one), then input fields (each transform is one more pass over every delegated
 * request), each made only when it changes something; then the hides.
 */
function buildTransforms(naming: NamingMaps, config: SourceTransforms, renamer: Renamer, options: { hide: boolean }): Transform[] {
  const transforms: Transform[] = [];
  const configFieldKeys = Object.keys(config.rename.fields);
  const renamesFields = configFieldKeys.some((k) => !/^(Query|Mutation)\./.test(k));
  if (naming.types.size > 0 || Object.keys(config.rename.types).length > 0) {
    transforms.push(new RenameTypesAndTypenames((name) => renamer.type(name)));
  }
  const renamesRootFields = naming.rootFields.Query.size || naming.rootFields.Mutation.size || configFieldKeys.some((k) => /^(Query|Mutation)\./.test(k));
  if (naming.objectFields.size > 0 || renamesFields) {
    transforms.push(new RenameCompositeFields(renamer));
  } else if (renamesRootFields) {
    transforms.push(new RenameRootFieldsAtTop((operation, name) => renamer.rootField(operation, name)));
  }
  if (naming.inputFields.size > 0 || renamesFields) {
    // Not RenameInputObjectFields: it wraps this same transform and first makes a whole mapSchema
    // pass only to collect a reverse map that this one's own mapping already holds (~0.15 s for a
    // 12 MiB spec); requests come out the same.
    transforms.push(
      new TransformInputObjectFields((type, name, config) => {
        const renamed = renamer.inputField(type, name);
        return renamed === name ? undefined : [renamed, config];
      }),
    );
  }
  if (options.hide && config.hide.length > 0) {
    const hiddenTypes = new Set(config.hide.filter((entry) => !entry.includes('.')));
    const hiddenFields = new Set(config.hide.filter((entry) => entry.includes('.')));
    const visible = (type?: string, name?: string) => !hiddenFields.has(`${type}.${name}`);
    if (hiddenTypes.size) transforms.push(new FilterTypes((type) => !hiddenTypes.has(type.name)));
    transforms.push(new FilterRootFields(visible));
    transforms.push(new FilterObjectFields(visible));
    transforms.push(new FilterInterfaceFields(visible));
    transforms.push(new FilterInputObjectFields(visible));
  }
  return transforms;
}

/**
 * Root, object and interface field renames as one TransformCompositeFields, which is what
 * RenameRootFields, RenameObjectFields and RenameInterfaceFields each wrap with a filter on the
 * kind of type: one pass over the schema instead of three (each ~0.25 s on GitHub's 12 MiB REST
 * description) and one visit of every delegated request instead of up to three. The type names it
 * is given are public ones (RenameTypes runs first); root types keep theirs.
 */
class RenameCompositeFields extends TransformCompositeFields {
  /** Root type name → its operation, for the schema being transformed. */
  private readonly rootOperations: Map<string, RootOperation>;

  constructor(renamer: Renamer) {
    const rootOperations = new Map<string, RootOperation>();
    super((typeName, fieldName, fieldConfig) => {
      const operation = rootOperations.get(typeName);
      const renamed = operation ? renamer.rootField(operation, fieldName) : renamer.objectField(typeName, fieldName);
      return renamed === fieldName ? undefined : [renamed, fieldConfig];
    });
    this.rootOperations = rootOperations;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the `any`s TransformCompositeFields' own signature declares
  override transformSchema(schema: GraphQLSchema, subschemaConfig: SubschemaConfig<any, any, any, Record<string, any>>): GraphQLSchema {
    this.rootOperations.clear();
    const roots = [['Query', schema.getQueryType()], ['Mutation', schema.getMutationType()], ['Subscription', schema.getSubscriptionType()]] as const;
    for (const [operation, type] of roots) if (type) this.rootOperations.set(type.name, operation);
    return super.transformSchema(schema, subschemaConfig);
  }
}

/**
 * RenameTypes with two passes narrowed. Over results it only renames `__typename` values: it
 * walks every object of every delegated answer (~2% of the bench's Q2, 50 orders whose source
 * renames an input and an enum), so it is skipped when no renamed type is an object, interface or
 * union (the only types a `__typename` can name). Over requests it visits the whole document for
 * type names (~1.9% of the bench's Q1 CPU); a delegated request names types only in variable
 * definitions and fragments' type conditions, so those are looked at first and the visit made
 * only when one of them is a renamed type.
 */
class RenameTypesAndTypenames extends RenameTypes {
  private renamesTypenames = true;
  /** Public names of the renamed types (a superset: RenameTypes skips a rename onto a name in use). */
  private renamedTypes = new Set<string>();

  constructor(private readonly rename: (name: string) => string) {
    super(rename, { renameBuiltins: false, renameScalars: false });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the `any`s RenameTypes' own signature declares
  override transformSchema(schema: GraphQLSchema, subschemaConfig: SubschemaConfig<any, any, any, Record<string, any>>): GraphQLSchema {
    const renamed = Object.values(schema.getTypeMap()).filter((type) => !isScalarType(type) && this.rename(type.name) !== type.name);
    this.renamesTypenames = renamed.some(isCompositeType);
    this.renamedTypes = new Set(renamed.map((type) => this.rename(type.name)));
    return super.transformSchema(schema, subschemaConfig);
  }

  override transformRequest(request: ExecutionRequest, delegationContext: DelegationContext, transformationContext: Record<string, unknown>): ExecutionRequest {
    return namesAnyType(request.document, this.renamedTypes) ? super.transformRequest(request, delegationContext, transformationContext) : request;
  }

  override transformResult(result: ExecutionResult, delegationContext: DelegationContext, transformationContext?: Record<string, unknown>): ExecutionResult {
    return this.renamesTypenames ? super.transformResult(result, delegationContext, transformationContext) : result;
  }
}

/** Does an executable document name one of `types` (in a variable's type or a type condition)? */
export function namesAnyType(document: DocumentNode, types: ReadonlySet<string>): boolean {
  if (types.size === 0) return false;
  const inType = (type: TypeNode): boolean => (type.kind === Kind.NAMED_TYPE ? types.has(type.name.value) : inType(type.type));
  const inSelections = (selectionSet: SelectionSetNode | undefined): boolean =>
    selectionSet !== undefined &&
    selectionSet.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return inSelections(selection.selectionSet);
      if (selection.kind === Kind.INLINE_FRAGMENT) return (selection.typeCondition !== undefined && types.has(selection.typeCondition.name.value)) || inSelections(selection.selectionSet);
      return false; // a spread: its fragment is a definition of the document
    });
  return document.definitions.some((definition) => {
    if (definition.kind === Kind.OPERATION_DEFINITION) return (definition.variableDefinitions ?? []).some((variable) => inType(variable.type)) || inSelections(definition.selectionSet);
    if (definition.kind === Kind.FRAGMENT_DEFINITION) return types.has(definition.typeCondition.name.value) || inSelections(definition.selectionSet);
    return false;
  });
}

/**
 * RenameRootFields whose pass over requests renames the operation's own root fields only. A
 * delegated request has its root fields at the top of its operation, so unless some field of the
 * source returns a root type (REST sources have none), the visit of the whole document with type
 * info that RenameRootFields makes for every delegation (~2.4% of the bench's Q1) finds nothing
 * more. Answers come back under the response key either way: the raw field is aliased to it.
 */
class RenameRootFieldsAtTop extends RenameRootFields {
  /** Public → raw root field names per operation; unset where the full visit is needed. */
  private rawNames?: Record<OperationTypeNode, Map<string, string>>;

  constructor(private readonly rename: (operation: RootOperation, name: string) => string) {
    super(rename);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the `any`s RenameRootFields' own signature declares
  override transformSchema(schema: GraphQLSchema, subschemaConfig: SubschemaConfig<any, any, any, Record<string, any>>): GraphQLSchema {
    const roots: Record<OperationTypeNode, GraphQLObjectType | null | undefined> = {
      query: schema.getQueryType(),
      mutation: schema.getMutationType(),
      subscription: schema.getSubscriptionType(),
    };
    const rootTypes = new Set(Object.values(roots).filter(Boolean));
    const returnsRoot = Object.values(schema.getTypeMap()).some(
      (type) => (isObjectType(type) || isInterfaceType(type)) && Object.values(type.getFields()).some((field) => rootTypes.has(getNamedType(field.type) as GraphQLObjectType)),
    );
    const rawNames = (type: GraphQLObjectType | null | undefined, operation: RootOperation) =>
      new Map(Object.keys(type?.getFields() ?? {}).map((raw) => [this.rename(operation, raw), raw]));
    this.rawNames = returnsRoot
      ? undefined
      : { query: rawNames(roots.query, 'Query'), mutation: rawNames(roots.mutation, 'Mutation'), subscription: rawNames(roots.subscription, 'Subscription') };
    return super.transformSchema(schema, subschemaConfig);
  }

  override transformRequest(request: ExecutionRequest, delegationContext: DelegationContext, transformationContext: Record<string, unknown>): ExecutionRequest {
    const rawNames = this.rawNames;
    const atTop = rawNames && request.document.definitions.every((definition) => definition.kind !== Kind.OPERATION_DEFINITION || definition.selectionSet.selections.every((selection) => selection.kind === Kind.FIELD));
    if (!rawNames || !atTop) return super.transformRequest(request, delegationContext, transformationContext);
    const definitions = request.document.definitions.map((definition) => {
      if (definition.kind !== Kind.OPERATION_DEFINITION) return definition;
      const names = rawNames[definition.operation];
      const selections = definition.selectionSet.selections.map((selection): SelectionNode => {
        if (selection.kind !== Kind.FIELD) return selection;
        const raw = names.get(selection.name.value);
        if (raw === undefined || raw === selection.name.value) return selection;
        return { ...selection, name: { kind: Kind.NAME, value: raw }, alias: { kind: Kind.NAME, value: selection.alias?.value ?? selection.name.value } };
      });
      return { ...definition, selectionSet: { ...definition.selectionSet, selections } };
    });
    return { ...request, document: { ...request.document, definitions } };
  }
}
