import {
  getNullableType,
  isInputObjectType,
  isListType,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { fieldError } from '../compose/field-errors';
import type { Renamer } from '../compose/transforms';
import type { FieldConstraints } from './constraints';
import { createInputValidator, type Violation } from './validate';

export interface EnforceOptions {
  source: string;
  /** The source's public names, for argument paths in errors (known once the schema's naming is computed). */
  renamer: () => Renamer | undefined;
}

/**
 * Wraps each constrained root field (in place) so its arguments are checked before its resolver runs: a
 * violation fails that field alone (null plus one error), the upstream is never called, and other
 * fields of the response are unaffected. The error names the argument by its public path
 * (`createOrder.input.items[2].sku`), the constraint and the expected value.
 */
export function enforceInputConstraints(schema: GraphQLSchema, constraints: FieldConstraints, options: EnforceOptions): void {
  if (constraints.size === 0) return;
  const validate = createInputValidator(constraints);
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      const coordinate = `${root!.name}.${field.name}`;
      const resolve = field.resolve;
      if (!resolve || !constraints.has(coordinate)) continue;
      const argTypes = new Map(field.args.map((arg) => [arg.name, arg.type]));
      const operation = root!.name as 'Query' | 'Mutation';
      // In place, as graphql-tools' addResolversToSchema does with updateResolversInPlace: the
      // schema was built for this composition, and one more mapSchema pass costs a large spec ~1 s.
      field.resolve = (parent, args: Record<string, unknown>, context, info) => {
        const violation = validate(coordinate, args);
        if (violation) {
          const argument = publicPath(operation, field.name, violation, argTypes, options.renamer());
          throw fieldError(`Argument ${argument} ${violation.problem}.`, {
            code: 'BAD_USER_INPUT',
            argument,
            constraint: violation.constraint,
            expected: violation.expected,
            source: options.source,
          });
        }
        return resolve(parent, args, context, info);
      };
    }
  }
}

/** `createOrder.input.items[2].sku`, with the names the client uses (root field and input fields renamed as published). */
export function publicPath(
  operation: 'Query' | 'Mutation',
  fieldName: string,
  violation: Pick<Violation, 'path'>,
  argTypes: Map<string, GraphQLInputType>,
  renamer: Renamer | undefined,
): string {
  const [argument, ...rest] = violation.path;
  let path = `${renamer ? renamer.rootField(operation, fieldName) : fieldName}.${argument}`;
  let type = getNullableType(argTypes.get(String(argument)));
  for (const segment of rest) {
    if (typeof segment === 'number') {
      path += `[${segment}]`;
      type = isListType(type) ? getNullableType(type.ofType) : undefined;
      continue;
    }
    if (isInputObjectType(type)) {
      path += `.${renamer ? renamer.inputField(renamer.type(type.name), segment) : segment}`;
      type = getNullableType(type.getFields()[segment]?.type);
    } else {
      path += `.${segment}`;
      type = undefined;
    }
  }
  return path;
}
