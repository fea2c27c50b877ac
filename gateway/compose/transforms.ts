import type { Transform } from '@graphql-tools/delegate';
import {
  FilterObjectFields,
  FilterRootFields,
  FilterTypes,
  RenameInputObjectFields,
  RenameObjectFields,
  RenameRootFields,
  RenameTypes,
} from '@graphql-tools/wrap';
import type { SourceTransforms } from '../config/schema';
import type { NamingMaps } from './naming';

type RootOperation = 'Query' | 'Mutation' | 'Subscription';

/**
 * The request/response transformations of one source, as @graphql-tools/wrap transforms: the naming
 * rules merged with the config's renames into one transform per kind (each transform is one more
 * pass over every delegated request), then the config's hides. Renames are keyed by the names the
 * naming rules give; hides by the final public names. Only transforms that change something are made.
 */
/** Raw (loader) names → public names, for one source: the naming rules, then the config's renames. */
export interface Renamer {
  type(raw: string): string;
  rootField(operation: RootOperation, raw: string): string;
  /** `type` is the final public type name (what RenameObjectFields passes). */
  objectField(type: string, raw: string): string;
}

export function createRenamer(naming: NamingMaps, config: SourceTransforms): Renamer {
  // The config's field renames are keyed by naming-rule type names, but object-field renaming sees
  // final type names: keep the way back.
  const namingTypeOf = new Map<string, string>();
  for (const named of naming.types.values()) namingTypeOf.set(config.rename.types[named] ?? named, named);
  for (const [named, renamed] of Object.entries(config.rename.types)) namingTypeOf.set(renamed, named);
  return {
    type(raw) {
      const named = naming.types.get(raw) ?? raw;
      return config.rename.types[named] ?? named;
    },
    rootField(operation, raw) {
      const named = (operation === 'Subscription' ? undefined : naming.rootFields[operation].get(raw)) ?? raw;
      return config.rename.fields[`${operation}.${named}`] ?? named;
    },
    objectField(type, raw) {
      const namedType = namingTypeOf.get(type) ?? type;
      const named = naming.objectFields.get(namedType)?.get(raw) ?? raw;
      return config.rename.fields[`${namedType}.${named}`] ?? named;
    },
  };
}

/**
 * The request/response transformations of one source, as @graphql-tools/wrap transforms: the naming
 * rules merged with the config's renames into one transform per kind (each transform is one more
 * pass over every delegated request), then the config's hides. Renames are keyed by the names the
 * naming rules give; hides by the final public names. Only transforms that change something are made.
 */
export function buildTransforms(naming: NamingMaps, config: SourceTransforms, options: { hide: boolean }): Transform[] {
  const transforms: Transform[] = [];
  const renamer = createRenamer(naming, config);
  const configFieldKeys = Object.keys(config.rename.fields);
  if (naming.types.size > 0 || Object.keys(config.rename.types).length > 0) {
    transforms.push(new RenameTypes((name) => renamer.type(name), { renameBuiltins: false, renameScalars: false }));
  }
  if (naming.rootFields.Query.size || naming.rootFields.Mutation.size || configFieldKeys.some((k) => /^(Query|Mutation)\./.test(k))) {
    transforms.push(new RenameRootFields((operation: RootOperation, name: string) => renamer.rootField(operation, name)));
  }
  if (naming.objectFields.size > 0 || configFieldKeys.some((k) => !/^(Query|Mutation)\./.test(k))) {
    transforms.push(new RenameObjectFields((type: string, field: string) => renamer.objectField(type, field)));
  }
  if (naming.inputFields.size > 0) {
    transforms.push(new RenameInputObjectFields((type: string, field: string) => naming.inputFields.get(type)?.get(field) ?? field));
  }
  if (options.hide && config.hide.length > 0) {
    const hiddenTypes = new Set(config.hide.filter((entry) => !entry.includes('.')));
    const hiddenFields = new Set(config.hide.filter((entry) => entry.includes('.')));
    if (hiddenTypes.size) transforms.push(new FilterTypes((type) => !hiddenTypes.has(type.name)));
    transforms.push(new FilterRootFields((operation, field) => !hiddenFields.has(`${operation}.${field}`)));
    transforms.push(new FilterObjectFields((type, field) => !hiddenFields.has(`${type}.${field}`)));
  }
  return transforms;
}
