import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  type GraphQLNamedType,
  type GraphQLInputObjectType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type GraphQLType,
} from 'graphql';

/**
 * Naming rules (README, "Naming rules"): raw names come from operationIds and component schema
 * names; the public schema gets predictable, idiomatic ones.
 *  - Query fields: camelCase of the operationId without a leading get/list/find/fetch/search/read verb and
 *    a trailing `ByIds` (getUser → user, listOrders → orders, getUsersByIds → users). When two
 *    operations reach the same name, the one that needed fewer rewrites keeps it and the other keeps
 *    its `ByIds` (listProducts → products, getProductsByIds → productsByIds).
 *  - Mutation fields: camelCase of the operationId (createOrder).
 *  - Types: PascalCase component names; generated names (inline enums and objects) are named after
 *    their first use, parent type + field (User.role → UserRole); request bodies `X_Input` → `XInput`.
 *  - Object and input fields: camelCase (created_at → createdAt). Arguments keep the spec's names.
 */
export interface NamingMaps {
  types: Map<string, string>;
  rootFields: { Query: Map<string, string>; Mutation: Map<string, string> };
  /** Naming-rule type name → raw field → field name (object and interface types). */
  objectFields: Map<string, Map<string, string>>;
  /** Naming-rule input type name → raw field → field name. */
  inputFields: Map<string, Map<string, string>>;
}

const VERB = /^(get|list|find|fetch|search|read)(?=[A-Z0-9])/;
const BY_IDS = /ByIds$/;

export function camelCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  if (words.length === 0) return name;
  const [first, ...rest] = words;
  const head = first.charAt(0).toLowerCase() + first.slice(1);
  return [head, ...rest.map((w) => w.charAt(0).toUpperCase() + w.slice(1))].join('').replace(/^(\d)/, '_$1');
}

export function pascalCase(name: string): string {
  const camel = camelCase(name);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

/** Candidate public names of a Query field, best first, with how many rewrites the best needed. */
function queryFieldCandidates(raw: string): { candidates: string[]; rewrites: number } {
  const camel = camelCase(raw);
  const withoutVerb = camel.replace(VERB, '');
  const base = withoutVerb ? withoutVerb.charAt(0).toLowerCase() + withoutVerb.slice(1) : camel;
  const candidates: string[] = [];
  let rewrites = withoutVerb !== camel ? 1 : 0;
  if (BY_IDS.test(base) && base.replace(BY_IDS, '')) {
    candidates.push(base.replace(BY_IDS, ''));
    rewrites++;
  }
  candidates.push(base, camel, raw);
  return { candidates: [...new Set(candidates)], rewrites };
}

function rootFieldNames(raws: string[], isQuery: boolean): Map<string, string> {
  const taken = new Set<string>();
  const names = new Map<string, string>();
  const planned = raws
    .filter((raw) => !raw.startsWith('_'))
    .map((raw) => ({ raw, ...(isQuery ? queryFieldCandidates(raw) : { candidates: [camelCase(raw), raw], rewrites: 0 }) }))
    .sort((a, b) => a.rewrites - b.rewrites || a.raw.localeCompare(b.raw));
  for (const { raw, candidates } of planned) {
    const name = candidates.find((c) => !taken.has(c)) ?? raw;
    taken.add(name);
    if (name !== raw) names.set(raw, name);
  }
  return names;
}

function isRenameable(type: GraphQLNamedType): boolean {
  return !type.name.startsWith('__') && (isObjectType(type) || isInterfaceType(type) || isUnionType(type) || isEnumType(type) || isInputObjectType(type));
}

const normalize = (name: string) => name.replace(/[^A-Za-z0-9]/g, '').toLowerCase();

export function computeNaming(schema: GraphQLSchema, componentNames: Iterable<string>): NamingMaps {
  const components = new Set([...componentNames].map(normalize));
  const rootTypes = new Set([schema.getQueryType()?.name, schema.getMutationType()?.name].filter(Boolean));
  const query = rootFieldNames(Object.keys(schema.getQueryType()?.getFields() ?? {}), true);
  const mutation = rootFieldNames(Object.keys(schema.getMutationType()?.getFields() ?? {}), false);
  const types = new Map<string, string>();
  const taken = new Set<string>();
  const allTypes = Object.values(schema.getTypeMap())
    .filter((t) => !t.name.startsWith('__'))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const type of allTypes) if (!isRenameable(type) || rootTypes.has(type.name)) taken.add(type.name);

  const assign = (raw: string, wanted: string) => {
    const name = taken.has(wanted) ? pascalCase(raw) : wanted;
    taken.add(name);
    if (name !== raw) types.set(raw, name);
  };
  // Named component schemas first: their names are the spec author's choice.
  const generated: GraphQLNamedType[] = [];
  for (const type of allTypes) {
    if (!isRenameable(type) || rootTypes.has(type.name)) continue;
    const bodyOf = /^(.*)_Input$/.exec(type.name);
    if (isInputObjectType(type) && bodyOf && components.has(normalize(bodyOf[1]))) {
      const base = pascalCase(bodyOf[1]);
      assign(type.name, base.endsWith('Input') ? base : `${base}Input`);
    } else if (components.has(normalize(type.name))) assign(type.name, pascalCase(type.name));
    else generated.push(type);
  }
  // Generated types are named after their first use (in a deterministic walk of the schema).
  const firstUse = firstUses(schema, query, mutation, types, new Set(generated.map((type) => type.name)));
  for (const type of generated) {
    const use = firstUse.get(type.name);
    assign(type.name, use ? `${pascalCase(use)}${isInputObjectType(type) && !use.endsWith('Input') ? 'Input' : ''}` : pascalCase(type.name));
  }

  const objectFields = new Map<string, Map<string, string>>();
  const inputFields = new Map<string, Map<string, string>>();
  for (const type of allTypes) {
    const isInput = isInputObjectType(type);
    if (!(isObjectType(type) || isInterfaceType(type) || isInput) || rootTypes.has(type.name)) continue;
    const renames = new Map<string, string>();
    const fieldNames = Object.keys(type.getFields());
    for (const raw of fieldNames) {
      const name = camelCase(raw);
      if (name !== raw && !fieldNames.includes(name)) renames.set(raw, name);
    }
    if (renames.size) (isInput ? inputFields : objectFields).set(types.get(type.name) ?? type.name, renames);
  }
  return { types, rootFields: { Query: query, Mutation: mutation }, objectFields, inputFields };
}

/** For each generated type: "ParentField" of the first field (or argument) that uses it. */
function firstUses(
  schema: GraphQLSchema,
  query: Map<string, string>,
  mutation: Map<string, string>,
  named: Map<string, string>,
  generated: Set<string>,
): Map<string, string> {
  const uses = new Map<string, string>();
  // The name is made only for a first use of a generated type, not for every field of the schema.
  const note = (typeName: string, use: () => string) => {
    if (generated.has(typeName) && !uses.has(typeName)) uses.set(typeName, use());
  };
  const roots: Array<[ReturnType<GraphQLSchema['getQueryType']>, Map<string, string>]> = [
    [schema.getQueryType(), query],
    [schema.getMutationType(), mutation],
  ];
  // Object fields first (User.role → UserRole), then root field arguments (orders(status) → OrdersStatus).
  const objects = Object.values(schema.getTypeMap())
    .filter((t) => (isObjectType(t) || isInterfaceType(t) || isInputObjectType(t)) && !t.name.startsWith('__'))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const type of objects) {
    if (roots.some(([root]) => root === type)) continue;
    const parent = pascalCase(named.get(type.name) ?? type.name);
    const fields: Record<string, { name: string; type: GraphQLType }> = (type as GraphQLObjectType | GraphQLInputObjectType).getFields();
    for (const field of Object.values(fields)) {
      note(getNamedType(field.type).name, () => `${parent}${pascalCase(field.name)}`);
    }
  }
  for (const [root, names] of roots) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      const publicName = pascalCase(names.get(field.name) ?? field.name);
      for (const arg of field.args) note(getNamedType(arg.type).name, () => `${publicName}${pascalCase(arg.name)}`);
      note(getNamedType(field.type).name, () => `${publicName}Result`);
    }
  }
  return uses;
}
