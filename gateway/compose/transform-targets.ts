import { isInputObjectType, isInterfaceType, isObjectType, validateSchema, type GraphQLSchema } from 'graphql';
import type { SourceTransforms } from '../config/schema';
import { CompositionError } from './errors';
import type { Subgraph } from './subgraph';
import { Subschema } from '@graphql-tools/delegate';
import { NO_TRANSFORMS, createSourceNaming } from './transforms';

/**
 * A rename or hide that names nothing is an error, not a no-op: a typo in `hide: [User.emial]`
 * would otherwise publish the field it meant to hide.
 */
export function checkTransformTargets(path: string, transforms: SourceTransforms, subgraph: Subgraph): void {
  if (!hasConfigTransforms(transforms)) return;
  // Renames are keyed by naming-rule names: check them against the schema without config renames.
  const named = new Subschema({
    schema: subgraph.schema,
    transforms: createSourceNaming(subgraph.naming, NO_TRANSFORMS).transforms({ hide: false }),
  }).transformedSchema;
  for (const type of Object.keys(transforms.rename.types)) {
    if (!named.getType(type)) throw new CompositionError(`${path}.rename.types.${type}`, missing(named, type, subgraph.name));
  }
  for (const coordinate of Object.keys(transforms.rename.fields)) {
    if (!hasCoordinate(named, coordinate)) {
      throw new CompositionError(`${path}.rename.fields[${JSON.stringify(coordinate)}]`, missing(named, coordinate, subgraph.name));
    }
  }
  // Hides use public names; check them against the schema before hiding (with the renames applied).
  const renamed = new Subschema({
    schema: subgraph.schema,
    transforms: createSourceNaming(subgraph.naming, transforms).transforms({ hide: false }),
  }).transformedSchema;
  transforms.hide.forEach((entry, i) => {
    const found = entry.includes('.') ? hasCoordinate(renamed, entry) : !!renamed.getType(entry);
    if (!found) throw new CompositionError(`${path}.hide[${i}]`, missing(renamed, entry, subgraph.name));
  });
}

/** Field names of a type that has fields (object, interface, input), or undefined. */
function fieldNamesOf(schema: GraphQLSchema, typeName: string): string[] | undefined {
  const type = schema.getType(typeName);
  return type && (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) ? Object.keys(type.getFields()) : undefined;
}

function hasCoordinate(schema: GraphQLSchema, coordinate: string): boolean {
  const [typeName, fieldName] = coordinate.split('.');
  return fieldNamesOf(schema, typeName)?.includes(fieldName) ?? false;
}

function missing(schema: GraphQLSchema, name: string, source: string): string {
  const typeName = name.split('.')[0];
  const fields = fieldNamesOf(schema, typeName);
  if (name.includes('.') && fields) return `source "${source}" has no field ${name} (${typeName} has ${fields.join(', ')})`;
  return `source "${source}" has no type ${typeName}`;
}

function hasConfigTransforms({ rename, hide }: SourceTransforms): boolean {
  return Object.keys(rename.types).length > 0 || Object.keys(rename.fields).length > 0 || hide.length > 0;
}

/**
 * Hides can leave an invalid schema (a field an interface requires); say which config entry did.
 * Naming rules alone leave a valid one, so a source without config transforms is not transformed here.
 */
export function checkPublicSchema(path: string, transforms: SourceTransforms, publicSubschema: { transformedSchema: GraphQLSchema }): void {
  if (!hasConfigTransforms(transforms)) return;
  const problems = validateSchema(publicSubschema.transformedSchema);
  if (problems.length === 0) return;
  const culprit = transforms.hide.length ? `${path}.hide` : path;
  throw new CompositionError(culprit, `the resulting schema is invalid: ${problems.map((p) => p.message).join('; ')}`);
}
