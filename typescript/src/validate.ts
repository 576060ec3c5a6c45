/**
 * The runtime validator: Ajv (draft 2020-12) holding every schema file of the
 * package under its `$id`, so a `$ref` resolves exactly as in `schema/`.
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
import { schema } from "./schemas.js";

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
      // `"type": ["string", "null"]` is how the schema spells an optional null.
      allowUnionTypes: true,
    });
    // The schema's `discriminator` is OpenAPI's (`propertyName` + `mapping`),
    // which Ajv's own discriminator option does not accept; to JSON Schema it
    // is an annotation, and `oneOf` alone decides validity.
    created.addKeyword({ keyword: "discriminator", schemaType: "object" });
    for (const document of Object.values(SCHEMAS)) {
      created.addSchema(document as SchemaObject);
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
    const id = schema(path)["$id"];
    validate = typeof id === "string" ? validatorInstance().getSchema(id) : undefined;
    if (validate === undefined) {
      throw new RangeError(`schema ${path} has no $id the validator knows`);
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
