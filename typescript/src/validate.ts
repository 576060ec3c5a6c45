/**
 * The runtime validator: Ajv (draft 2020-12) holding every schema file of the
 * package at its address (`BASE_URI + path`), so a relative `$ref` resolves
 * exactly as in `schema/`.
 *
 * Its errors are JSON Schema output units, (keyword, instanceLocation), the
 * same as the Python package's validator reports for the same instance.
 */

import {
  Ajv2020,
  type ErrorObject,
  type SchemaObject,
  type ValidateFunction,
} from "ajv/dist/2020.js";

import { SCHEMAS } from "./generated/schemas.js";
import { BASE_URI, schema } from "./schemas.js";

/** One reason an instance fails its schema. */
export interface SchemaError {
  /** The JSON Schema keyword that failed: `type`, `required`, `const`, `oneOf`, ... */
  readonly keyword: string;
  /** A JSON pointer to the failing value in the instance (`""` is the whole instance). */
  readonly instanceLocation: string;
  /** What is wrong, in English. */
  readonly message: string;
}

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

function validatorInstance(): Ajv2020 {
  if (ajv === undefined) {
    const created = new Ajv2020({
      // Every error, not only the first: the verdict is the full set.
      allErrors: true,
      // Refuse unknown keywords and formats rather than ignore them silently.
      strict: true,
    });
    // The files have no `$id`: each is registered at its address, which is
    // also the base its relative `$ref`s resolve against.
    for (const [path, document] of Object.entries(SCHEMAS)) {
      created.addSchema(document as SchemaObject, BASE_URI + path);
    }
    ajv = created;
  }
  return ajv;
}

/**
 * The compiled validator of the schema file at `path` (relative to `schema/`).
 *
 * @throws RangeError when no schema file has that path.
 */
export function validatorFor(path: string): ValidateFunction {
  let validate = compiled.get(path);
  if (validate === undefined) {
    schema(path); // a clear RangeError for an unknown path
    validate = validatorInstance().getSchema(BASE_URI + path);
    if (validate === undefined) {
      throw new RangeError(`schema ${path} is not registered with the validator`);
    }
    compiled.set(path, validate);
  }
  return validate;
}

/** One Ajv error as a JSON Schema output unit. */
export function toSchemaError(error: ErrorObject): SchemaError {
  // Ajv names keywords as JSON Schema does and reports `instancePath` as a
  // JSON pointer, like JSON Schema's instanceLocation; `required` is blamed
  // on the object that lacks the property (Ajv says which in `params`), as
  // JSON Schema does. Tests compare both sides on every fixture.
  return {
    keyword: error.keyword,
    instanceLocation: error.instancePath,
    message: error.message ?? `fails ${error.keyword}`,
  };
}

/**
 * Every error of `value` against the schema file at `path`; empty when it is valid.
 *
 * @throws RangeError when no schema file has that path.
 */
export function schemaErrors(path: string, value: unknown): SchemaError[] {
  const validate = validatorFor(path);
  if (validate(value)) {
    return [];
  }
  return (validate.errors ?? []).map(toSchemaError);
}
