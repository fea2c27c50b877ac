import {
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLObjectType,
  GraphQLSchema,
  Kind,
  TypeInfo,
  getNamedType,
  isCompositeType,
  isInputObjectType,
  isInputType,
  isInterfaceType,
  isLeafType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  type ASTVisitor,
  type DocumentNode,
  type GraphQLNamedType,
  type ObjectValueNode,
  type OperationTypeNode,
  type SelectionNode,
  type SelectionSetNode,
  type TypeNode,
  type ValueNode,
} from 'graphql';
import type { SubschemaConfig, Transform } from '@graphql-tools/delegate';
import { rewireTypes, transformInputValue, visitData, type ExecutionRequest, type ExecutionResult } from '@graphql-tools/utils';
import { FilterInputObjectFields, FilterInterfaceFields, FilterObjectFields, FilterRootFields, FilterTypes } from '@graphql-tools/wrap';
import type { SourceTransforms } from '../config/schema';
import { copyWith, shallowCopy } from '../shared/copy-with';
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
  // Asked for every field of a schema (60,000 in a 12 MiB spec): a type nothing renames a field of is answered at once.
  const configRenamed = new Set(Object.keys(config.rename.fields).map((key) => key.slice(0, key.indexOf('.'))));
  const field = (fields: NamingMaps['objectFields']) => (type: string, raw: string) => {
    const namedType = namingTypeOf.get(type) ?? type;
    const named = fields.get(namedType)?.get(raw) ?? raw;
    return configRenamed.has(namedType) ? (config.rename.fields[`${namedType}.${named}`] ?? named) : named;
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
 * As @graphql-tools/wrap transforms: the renames (types, then every kind of field) in one, made
 * only when the naming rules or the config rename something; then the hides.
 */
function buildTransforms(naming: NamingMaps, config: SourceTransforms, renamer: Renamer, options: { hide: boolean }): Transform[] {
  const transforms: Transform[] = [];
  const renamesTypes = naming.types.size > 0 || Object.keys(config.rename.types).length > 0;
  const renamesFields =
    naming.objectFields.size > 0 || naming.inputFields.size > 0 || naming.rootFields.Query.size > 0 || naming.rootFields.Mutation.size > 0 || Object.keys(config.rename.fields).length > 0;
  if (renamesTypes || renamesFields) transforms.push(new RenameTypesAndFields(renamer));
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
 * Type renames (RenameTypes without scalars), root, object and interface field renames
 * (TransformCompositeFields, or RenameRootFields when only root fields are renamed) and input field
 * renames (TransformInputObjectFields) as one transform, which is what those did one after the
 * other: one rebuild of the schema instead of three mapSchema passes (each ~0.15-0.4 s on a 12 MiB
 * spec), and at most three visits of a delegated request, each made only when it can change
 * something:
 * - input fields: renamed back in the variables of a renamed input type and in object literals, the
 *   document visited with type info only when it holds an object literal (TransformInputObjectFields
 *   visited every request of a source with a renamed input field);
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
  /** Public type → public field → raw field, for the object, interface and root fields renamed. */
  private rawFields = new Map<string, Map<string, string>>();
  /** Public input type → public field → raw field, for the input fields renamed. */
  private rawInputFields = new Map<string, Map<string, string>>();
  private transformed?: GraphQLSchema;
  private rootTypes: Partial<Record<OperationTypeNode, string>> = {};
  /** Only root fields are renamed, and they can only be at the top of an operation. */
  private renamesTopFieldsOnly = false;
  private renamesTypenames = false;
  private typeInfo?: TypeInfo;

  constructor(private readonly renamer: Renamer) {}

  /**
   * Stitching gives this transform the wrapping schema graphql-tools has just built for it (a copy
   * of the source's schema whose every type is new): its types are renamed in place, and only a new
   * schema object is made over them. Given the source's own schema (a subschema's
   * `transformedSchema`, used to plan links), it renames a copy of it instead.
   */
  transformSchema(original: GraphQLSchema, subschemaConfig?: SubschemaConfig): GraphQLSchema {
    const schema = sharesNoType(original, subschemaConfig?.schema) ? original : withTypesOfItsOwn(original);
    const names = schemaNames(schema, this.renamer, (raw, name) => console.warn(`New type name ${name} for ${raw} already exists in the schema. Skip renaming.`));
    this.publicTypes = names.types;
    this.rawTypes = new Map([...names.types].map(([raw, name]) => [name, raw]));
    this.rawFields = new Map();
    this.rawInputFields = new Map();
    const rootNames = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].map((type) => type?.name);
    this.rootTypes = { query: rootNames[0], mutation: rootNames[1], subscription: rootNames[2] };
    this.renamesTypenames = [...this.publicTypes.keys()].some((raw) => isCompositeType(schema.getType(raw)));
    const fieldsReturnRootType = returnsRootType(schema);
    const transformed = this.renamedInPlace(schema, names);
    this.renamesTopFieldsOnly = [...this.rawFields.keys()].every((type) => rootNames.includes(type)) && !fieldsReturnRootType;
    this.typeInfo = this.rawFields.size > 0 || this.rawInputFields.size > 0 ? new TypeInfo(transformed) : undefined;
    this.transformed = transformed;
    return transformed;
  }

  /**
   * Renamed types and fields take their public names on the objects themselves: references to a
   * type are references to the object, so nothing else changes. mapSchema, which the wrap
   * transforms use, rebuilds every type about six times (0.39 s for the renames of the generated
   * 12 MiB spec, against 0.1 s here), and the copy is garbage once stitching copies the types.
   */
  private renamedInPlace(schema: GraphQLSchema, names: SchemaNames): GraphQLSchema {
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
      const name = names.types.get(type.name);
      // Fields first: their public names are found from the type's raw name.
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) this.renameFieldsInPlace(type, name ?? type.name, names);
      if (name === undefined) continue;
      type.name = name;
      if (type.astNode) type.astNode = { ...type.astNode, name: { ...type.astNode.name, value: name } };
    }
    return new GraphQLSchema({ ...schema.toConfig(), types: Object.values(schema.getTypeMap()) });
  }

  private renameFieldsInPlace(type: GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType, publicType: string, names: SchemaNames): void {
    // getFields() hands out the type's own field map: it is emptied and filled again in its order.
    const fields: Record<string, { name: string; astNode?: { name: { value: string } } | null }> = type.getFields();
    if (Object.keys(fields).every((raw) => names.field(type, raw) === raw)) return;
    const entries = Object.entries(fields).map(([raw, field]) => [raw, names.field(type, raw), field] as const);
    const rawNames = new Map<string, string>();
    for (const [raw] of entries) delete fields[raw];
    for (const [raw, name, field] of entries) {
      fields[name] = field;
      if (name === raw) continue;
      rawNames.set(name, raw);
      field.name = name;
      if (field.astNode) field.astNode = { ...field.astNode, name: { ...field.astNode.name, value: name } };
    }
    (isInputObjectType(type) ? this.rawInputFields : this.rawFields).set(publicType, rawNames);
  }

  transformRequest(request: ExecutionRequest): ExecutionRequest {
    let { document, variables } = request;
    // Variable types and the type info are in public names: read before any field is renamed.
    if (this.rawInputFields.size > 0) variables = this.rawVariables(document, variables);
    if (this.typeInfo) {
      const literals = this.rawInputFields.size > 0 && holdsObjectLiteral(document);
      const topOnly = this.rawFields.size > 0 && this.renamesTopFieldsOnly && onlyFieldsAtTop(document);
      const nested = this.rawFields.size > 0 && !topOnly;
      if (literals || nested) document = this.rawNamesTyped(document, this.typeInfo, literals, nested);
      // After the typed visit: it looks root fields up by their public names.
      if (topOnly) document = this.rawTopFields(document);
    }
    if (namesAnyType(document, this.rawTypes)) {
      document = visit(document, {
        [Kind.NAMED_TYPE]: (node) => {
          const raw = this.rawTypes.get(node.name.value);
          return raw === undefined ? undefined : { ...node, name: { kind: Kind.NAME, value: raw } };
        },
      });
    }
    return document === request.document && variables === request.variables ? request : copyWith(request, { document, variables });
  }

  /** The variables with the renamed input fields of their values under raw names (a copy when one is renamed). */
  private rawVariables(document: DocumentNode, variables: ExecutionRequest['variables']): ExecutionRequest['variables'] {
    if (!variables) return variables;
    let raw: Record<string, unknown> | undefined;
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      for (const { variable, type } of definition.variableDefinitions ?? []) {
        const name = variable.name.value;
        const inputType = variables[name] == null ? undefined : typeFromAST(this.transformed!, type);
        if (!isInputType(inputType) || !isInputObjectType(getNamedType(inputType))) continue;
        const values = (raw ??= shallowCopy(variables));
        values[name] = transformInputValue(inputType, variables[name], null, (objectType, value: Record<string, unknown>) => {
          const rawNames = this.rawInputFields.get(objectType.name);
          if (!rawNames) return value;
          const renamed: Record<string, unknown> = {};
          for (const key of Object.keys(value)) renamed[rawNames.get(key) ?? key] = value[key];
          return renamed;
        });
      }
    }
    return raw ?? variables;
  }

  /**
   * Object literals' renamed input fields (`literals`) and renamed output fields at any depth
   * (`fields`) by their raw names, in one visit with type info (each needs the type a node is of).
   */
  private rawNamesTyped(document: DocumentNode, typeInfo: TypeInfo, literals: boolean, fields: boolean): DocumentNode {
    const visitor: ASTVisitor = {
      [Kind.OBJECT]: {
        leave: (node: ObjectValueNode) => {
          const type = literals ? typeInfo.getInputType() : undefined;
          const rawNames = type && this.rawInputFields.get(getNamedType(type).name);
          if (!rawNames) return undefined;
          return {
            ...node,
            fields: node.fields.map((field) => {
              const raw = rawNames.get(field.name.value);
              return raw === undefined ? field : { ...field, name: { kind: Kind.NAME, value: raw } };
            }),
          };
        },
      },
      [Kind.SELECTION_SET]: {
        leave: (node: SelectionSetNode) => {
          const parentType = fields ? typeInfo.getParentType() : undefined;
          const names = parentType && this.rawFields.get(parentType.name);
          return names ? rawSelections(node, names) : undefined;
        },
      },
    };
    return visit(document, visitWithTypeInfo(typeInfo, visitor));
  }

  transformResult(result: ExecutionResult): ExecutionResult {
    if (!this.renamesTypenames) return result;
    const data = visitData(result.data, (object: Record<string, unknown> | null) => {
      const raw = object?.__typename;
      const renamed = typeof raw === 'string' ? this.publicTypes.get(raw) : undefined;
      if (renamed !== undefined) object!.__typename = renamed;
      return object;
    });
    return copyWith(result, { data });
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

/** Does an argument anywhere in the document hold an object literal (an input object written inline)? */
function holdsObjectLiteral(document: DocumentNode): boolean {
  const inValue = (value: ValueNode): boolean => value.kind === Kind.OBJECT || (value.kind === Kind.LIST && value.values.some(inValue));
  const inSelections = (selectionSet: SelectionSetNode | undefined): boolean =>
    selectionSet !== undefined &&
    selectionSet.selections.some(
      (selection) =>
        (selection.directives ?? []).some((directive) => (directive.arguments ?? []).some((argument) => inValue(argument.value))) ||
        (selection.kind === Kind.FIELD && (selection.arguments ?? []).some((argument) => inValue(argument.value))) ||
        (selection.kind !== Kind.FRAGMENT_SPREAD && inSelections(selection.selectionSet)),
    );
  return document.definitions.some((definition) => {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      return (definition.variableDefinitions ?? []).some((variable) => variable.defaultValue !== undefined && inValue(variable.defaultValue)) || inSelections(definition.selectionSet);
    }
    return definition.kind === Kind.FRAGMENT_DEFINITION && inSelections(definition.selectionSet);
  });
}

function onlyFieldsAtTop(document: DocumentNode): boolean {
  return document.definitions.every((definition) => definition.kind !== Kind.OPERATION_DEFINITION || definition.selectionSet.selections.every((selection) => selection.kind === Kind.FIELD));
}

/**
 * Is every type of `schema` (introspection and built-in scalars aside) an object of its own, none
 * also a type of `source`? True of the wrapping schema graphql-tools builds (mapSchema rewires every
 * type into a new one); checked rather than assumed, as renaming a shared type would rename it in
 * the source's schema too.
 */
function sharesNoType(schema: GraphQLSchema, source: GraphQLSchema | undefined): boolean {
  if (!source || source === schema) return false;
  const sourceTypes = source.getTypeMap();
  return Object.values(schema.getTypeMap()).every((type) => type.name.startsWith('__') || isSpecifiedScalarType(type) || sourceTypes[type.name] !== type);
}

/**
 * The schema with every type rewired into a new object (introspection types and built-in scalars
 * aside, as in graphql-tools' wrapping schema), so that renaming them in place leaves `schema`
 * as it was.
 */
function withTypesOfItsOwn(schema: GraphQLSchema): GraphQLSchema {
  const own: Record<string, GraphQLNamedType> = Object.create(null);
  for (const [name, type] of Object.entries(schema.getTypeMap())) if (!name.startsWith('__') && !isSpecifiedScalarType(type)) own[name] = type;
  const { typeMap, directives } = rewireTypes(own, schema.getDirectives());
  const root = (type: GraphQLObjectType | null | undefined) => (type ? (typeMap[type.name] as GraphQLObjectType) : undefined);
  return new GraphQLSchema({
    ...schema.toConfig(),
    query: root(schema.getQueryType()),
    mutation: root(schema.getMutationType()),
    subscription: root(schema.getSubscriptionType()),
    types: Object.values(typeMap),
    directives,
  });
}

/** Does some field return a root type (a root field could then be selected below the top)? */
function returnsRootType(schema: GraphQLSchema): boolean {
  const roots = new Set<GraphQLNamedType>([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((type) => type != null));
  return Object.values(schema.getTypeMap()).some(
    (type) => (isObjectType(type) || isInterfaceType(type)) && Object.values(type.getFields()).some((field) => roots.has(getNamedType(field.type))),
  );
}

/** What a source's renamer makes of one schema's names. */
interface SchemaNames {
  /** Raw → public, for the types renamed. */
  types: Map<string, string>;
  /** A field's public name, from its raw type and raw name. */
  field(type: GraphQLNamedType, raw: string): string;
}

/**
 * The renames a renamer makes on a schema, as RenameTypes and the field transforms made them:
 * scalars and root types keep their names, and a rename onto a name in use is skipped (`onTaken`),
 * leaf types decided first as mapSchema ordered them; a field is named under its type's public
 * name, a root field by its operation.
 */
function schemaNames(schema: GraphQLSchema, renamer: Renamer, onTaken?: (raw: string, name: string) => void): SchemaNames {
  const operations = new Map<GraphQLNamedType, RootOperation>();
  const roots = [['Query', schema.getQueryType()], ['Mutation', schema.getMutationType()], ['Subscription', schema.getSubscriptionType()]] as const;
  for (const [operation, type] of roots) if (type) operations.set(type, operation);
  const typeMap = schema.getTypeMap();
  const taken = new Set(Object.keys(typeMap));
  const renamable = Object.values(typeMap).filter((type) => !type.name.startsWith('__') && !isScalarType(type) && !operations.has(type));
  const types = new Map<string, string>();
  for (const type of [...renamable.filter(isLeafType), ...renamable.filter((type) => !isLeafType(type))]) {
    const name = renamer.type(type.name);
    if (name === type.name) continue;
    if (taken.has(name)) {
      onTaken?.(type.name, name);
      continue;
    }
    taken.delete(type.name);
    taken.add(name);
    types.set(type.name, name);
  }
  return {
    types,
    field(type, raw) {
      const operation = operations.get(type);
      if (operation) return renamer.rootField(operation, raw);
      const name = types.get(type.name) ?? type.name;
      return isInputObjectType(type) ? renamer.inputField(name, raw) : renamer.objectField(name, raw);
    },
  };
}

/**
 * Type name → its field names (object, interface and input types; none for the others), as a
 * source's transforms without hides publish them, without building the schema (a pass over a
 * 12 MiB spec costs ~0.3 s).
 */
export function publishedNames(schema: GraphQLSchema, renamer: Renamer): Map<string, string[] | undefined> {
  const names = schemaNames(schema, renamer);
  const published = new Map<string, string[] | undefined>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    const fields = isObjectType(type) || isInterfaceType(type) || isInputObjectType(type) ? Object.keys(type.getFields()).map((raw) => names.field(type, raw)) : undefined;
    published.set(names.types.get(type.name) ?? type.name, fields);
  }
  return published;
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
