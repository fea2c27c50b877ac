import {
  Kind,
  TypeInfo,
  getNamedType,
  isCompositeType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationTypeNode,
  type SelectionNode,
  type SelectionSetNode,
  type TypeNode,
} from 'graphql';
import type { Transform } from '@graphql-tools/delegate';
import { MapperKind, mapSchema, renameType, visitData, type ExecutionRequest, type ExecutionResult, type SchemaMapper } from '@graphql-tools/utils';
import {
  FilterInputObjectFields,
  FilterInterfaceFields,
  FilterObjectFields,
  FilterRootFields,
  FilterTypes,
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
 * As @graphql-tools/wrap transforms: types and output fields (root, object and interface) in one,
 * then input fields (each transform is one more pass over every delegated request), each made only
 * when it changes something; then the hides.
 */
function buildTransforms(naming: NamingMaps, config: SourceTransforms, renamer: Renamer, options: { hide: boolean }): Transform[] {
  const transforms: Transform[] = [];
  const configFieldKeys = Object.keys(config.rename.fields);
  const renamesFields = configFieldKeys.some((k) => !/^(Query|Mutation)\./.test(k));
  const renamesTypes = naming.types.size > 0 || Object.keys(config.rename.types).length > 0;
  const renamesOutputFields = naming.objectFields.size > 0 || naming.rootFields.Query.size > 0 || naming.rootFields.Mutation.size > 0 || configFieldKeys.length > 0;
  if (renamesTypes || renamesOutputFields) transforms.push(new RenameTypesAndFields(renamer, { fields: renamesOutputFields }));
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
 * Type renames (RenameTypes without scalars) and root, object and interface field renames
 * (TransformCompositeFields, or RenameRootFields when only root fields are renamed) as one
 * transform, which is what those did one after the other: one mapSchema pass instead of two (each
 * ~0.25 s on a 12 MiB spec), and at most two visits of a delegated request, each made only when
 * it can change something:
 * - fields: renamed back, and aliased to the public name so answers need no renaming. When only
 *   root fields are renamed and no field returns a root type (REST sources have none), they are at
 *   the top of the delegated operation, so the visit of the whole document with type info (~2.4%
 *   of the bench's Q1) is skipped;
 * - types: a delegated request names types only in variable definitions and fragments' type
 *   conditions, so those are looked at first (RenameTypes' visit was ~1.9% of the bench's Q1);
 * - answers: `__typename` values renamed, only when a renamed type is an object, interface or
 *   union (RenameTypes walked every object of every answer, ~2% of the bench's Q2).
 */
class RenameTypesAndFields implements Transform {
  /** Raw → public type names, public → raw, for the types renamed. */
  private publicTypes = new Map<string, string>();
  private rawTypes = new Map<string, string>();
  /** Public type → public field → raw field, for the fields renamed. */
  private rawFields = new Map<string, Map<string, string>>();
  private rootTypes: Partial<Record<OperationTypeNode, string>> = {};
  /** Only root fields are renamed, and they can only be at the top of an operation. */
  private renamesTopFieldsOnly = false;
  private renamesTypenames = false;
  private typeInfo?: TypeInfo;

  constructor(
    private readonly renamer: Renamer,
    private readonly options: { fields: boolean },
  ) {}

  transformSchema(schema: GraphQLSchema): GraphQLSchema {
    this.publicTypes.clear();
    this.rawTypes.clear();
    this.rawFields.clear();
    const taken = new Set(Object.keys(schema.getTypeMap()));
    const rootOperations = new Map<string, RootOperation>();
    const roots = [['Query', schema.getQueryType()], ['Mutation', schema.getMutationType()], ['Subscription', schema.getSubscriptionType()]] as const;
    for (const [operation, type] of roots) if (type) rootOperations.set(type.name, operation);
    this.rootTypes = { query: schema.getQueryType()?.name, mutation: schema.getMutationType()?.name, subscription: schema.getSubscriptionType()?.name };
    const mappers: SchemaMapper = {
      [MapperKind.TYPE]: (type) => {
        if (isScalarType(type)) return undefined;
        const name = this.renamer.type(type.name);
        if (name === type.name) return undefined;
        if (taken.has(name)) {
          // As RenameTypes does: the rename is skipped and the raw name kept.
          console.warn(`New type name ${name} for ${type.name} already exists in the schema. Skip renaming.`);
          return undefined;
        }
        taken.delete(type.name);
        taken.add(name);
        this.publicTypes.set(type.name, name);
        this.rawTypes.set(name, type.name);
        return renameType(type, name);
      },
      [MapperKind.ROOT_OBJECT]: () => undefined,
    };
    // Only when fields are renamed: a field mapper has mapSchema rebuild every type once more.
    if (this.options.fields) {
      // mapSchema maps fields after types, under the raw type names (root types keep theirs).
      mappers[MapperKind.COMPOSITE_FIELD] = (fieldConfig, fieldName, rawType) => {
        const type = this.publicTypes.get(rawType) ?? rawType;
        const operation = rootOperations.get(rawType);
        const renamed = operation ? this.renamer.rootField(operation, fieldName) : this.renamer.objectField(type, fieldName);
        if (renamed === fieldName) return undefined;
        let fields = this.rawFields.get(type);
        if (!fields) this.rawFields.set(type, (fields = new Map()));
        fields.set(renamed, fieldName);
        return [renamed, fieldConfig];
      };
    }
    const transformed = mapSchema(schema, mappers);
    this.renamesTopFieldsOnly = [...this.rawFields.keys()].every((type) => rootOperations.has(type)) && !returnsRootType(schema);
    this.renamesTypenames = [...this.publicTypes.keys()].some((raw) => isCompositeType(schema.getType(raw)));
    this.typeInfo = this.rawFields.size > 0 ? new TypeInfo(transformed) : undefined;
    return transformed;
  }

  transformRequest(request: ExecutionRequest): ExecutionRequest {
    let document = request.document;
    if (this.typeInfo) document = this.renamesTopFieldsOnly && onlyFieldsAtTop(document) ? this.rawTopFields(document) : this.rawFieldsAnywhere(document, this.typeInfo);
    if (namesAnyType(document, this.rawTypes)) {
      document = visit(document, {
        [Kind.NAMED_TYPE]: (node) => {
          const raw = this.rawTypes.get(node.name.value);
          return raw === undefined ? undefined : { ...node, name: { kind: Kind.NAME, value: raw } };
        },
      });
    }
    return document === request.document ? request : { ...request, document };
  }

  transformResult(result: ExecutionResult): ExecutionResult {
    if (!this.renamesTypenames) return result;
    const data = visitData(result.data, (object: Record<string, unknown> | null) => {
      const raw = object?.__typename;
      const renamed = typeof raw === 'string' ? this.publicTypes.get(raw) : undefined;
      if (renamed !== undefined) object!.__typename = renamed;
      return object;
    });
    return { ...result, data };
  }

  private rawTopFields(document: DocumentNode): DocumentNode {
    const definitions = document.definitions.map((definition) => {
      if (definition.kind !== Kind.OPERATION_DEFINITION) return definition;
      const root = this.rootTypes[definition.operation];
      const names = root === undefined ? undefined : this.rawFields.get(root);
      return names ? { ...definition, selectionSet: rawSelections(definition.selectionSet, names) } : definition;
    });
    return { ...document, definitions };
  }

  private rawFieldsAnywhere(document: DocumentNode, typeInfo: TypeInfo): DocumentNode {
    return visit(
      document,
      visitWithTypeInfo(typeInfo, {
        [Kind.SELECTION_SET]: {
          leave: (node) => {
            const parentType = typeInfo.getParentType();
            const names = parentType && this.rawFields.get(parentType.name);
            return names ? rawSelections(node, names) : undefined;
          },
        },
      }),
    );
  }
}

/** A selection set's renamed fields by their raw names, aliased to the public ones. */
function rawSelections(node: SelectionSetNode, rawNames: Map<string, string>): SelectionSetNode {
  const selections = node.selections.map((selection): SelectionNode => {
    const raw = selection.kind === Kind.FIELD ? rawNames.get(selection.name.value) : undefined;
    if (raw === undefined || selection.kind !== Kind.FIELD) return selection;
    return { ...selection, name: { kind: Kind.NAME, value: raw }, alias: { kind: Kind.NAME, value: selection.alias?.value ?? selection.name.value } };
  });
  return { ...node, selections };
}

function onlyFieldsAtTop(document: DocumentNode): boolean {
  return document.definitions.every((definition) => definition.kind !== Kind.OPERATION_DEFINITION || definition.selectionSet.selections.every((selection) => selection.kind === Kind.FIELD));
}

/** Does some field return a root type (a root field could then be selected below the top)? */
function returnsRootType(schema: GraphQLSchema): boolean {
  const roots = new Set<GraphQLNamedType>([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((type) => type != null));
  return Object.values(schema.getTypeMap()).some(
    (type) => (isObjectType(type) || isInterfaceType(type)) && Object.values(type.getFields()).some((field) => roots.has(getNamedType(field.type))),
  );
}

/**
 * Type name → its field names (object, interface and input types; none for the others), as a
 * source's transforms without hides publish them: what RenameTypesAndFields and the input field
 * renames make, read off the raw schema with the same renamer and the same rule for a rename onto
 * a name in use, without building the schema (a pass over a 12 MiB spec costs ~0.3 s).
 */
export function publishedNames(schema: GraphQLSchema, renamer: Renamer): Map<string, string[] | undefined> {
  const rootOperations = new Map<GraphQLNamedType, RootOperation>();
  const roots = [['Query', schema.getQueryType()], ['Mutation', schema.getMutationType()], ['Subscription', schema.getSubscriptionType()]] as const;
  for (const [operation, type] of roots) if (type) rootOperations.set(type, operation);
  const typeMap = schema.getTypeMap();
  const taken = new Set(Object.keys(typeMap));
  const names = new Map<string, string[] | undefined>();
  for (const type of Object.values(typeMap)) {
    if (type.name.startsWith('__')) continue;
    let name = type.name;
    const renamed = isScalarType(type) || rootOperations.has(type) ? name : renamer.type(name);
    if (renamed !== name && !taken.has(renamed)) {
      taken.delete(name);
      taken.add(renamed);
      name = renamed;
    }
    const operation = rootOperations.get(type);
    const fieldName = (raw: string) =>
      operation ? renamer.rootField(operation, raw) : isInputObjectType(type) ? renamer.inputField(name, raw) : renamer.objectField(name, raw);
    const fields = isObjectType(type) || isInterfaceType(type) || isInputObjectType(type) ? Object.keys(type.getFields()).map(fieldName) : undefined;
    names.set(name, fields);
  }
  return names;
}

/** Does an executable document name one of `types` (in a variable's type or a type condition)? */
export function namesAnyType(document: DocumentNode, types: ReadonlySet<string> | ReadonlyMap<string, unknown>): boolean {
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
