import type {
  OpenAPIObject,
  ReferenceObject,
  SchemaObject,
} from '@nestjs/swagger';
import fc from 'fast-check';

export type SchemaOrReference = SchemaObject | ReferenceObject;

/** Nested objects and arrays stop growing here: a description may be recursive. */
const MAX_DEPTH = 4;
/** Keys that reach an object's prototype when code copies fields without care. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];
const NUMBER_EDGES = [
  0,
  -0,
  1,
  -1,
  1.5,
  2 ** 31,
  2 ** 53,
  2 ** 53 + 2,
  Number.EPSILON,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
];
const STRING_EDGES = [
  '',
  ' ',
  '..',
  '../../etc/passwd',
  '\u0000',
  'null',
  '%00',
  '<script>',
  // Long, yet short enough for a URL: past 16 KiB of headers Node itself answers 431.
  'x'.repeat(4000),
];

type JsonType = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null';

/**
 * Values for the schemas of one OpenAPI description, as fast-check arbitraries: `valid` gives what
 * a schema accepts (its boundaries often), `invalid` what it should refuse (wrong types, values
 * past a bound, missing required and unknown fields), `fuzz` a mix of both, mostly near-valid.
 */
export class SchemaArbitraries {
  constructor(private readonly document: OpenAPIObject) {}

  /** The schema a `$ref` (or a chain of them) points at within the description. */
  resolve(schema: SchemaOrReference | undefined): SchemaObject {
    let current = schema;
    for (let hops = 0; current && '$ref' in current; hops++) {
      const name = current.$ref.replace('#/components/schemas/', '');
      current = this.document.components?.schemas?.[name];
      if (hops > 32) throw new Error(`$ref cycle at ${name}`);
    }
    return current ?? {};
  }

  fuzz(
    schema: SchemaOrReference | undefined,
    depth = 0,
  ): fc.Arbitrary<unknown> {
    return fc.oneof(
      { weight: 3, arbitrary: this.valid(schema, depth) },
      { weight: 2, arbitrary: this.invalid(schema, depth) },
    );
  }

  valid(
    schema: SchemaOrReference | undefined,
    depth = 0,
  ): fc.Arbitrary<unknown> {
    const resolved = this.flatten(this.resolve(schema));
    const value = this.validOf(resolved, depth);
    return resolved.nullable ? fc.oneof(value, fc.constant(null)) : value;
  }

  invalid(
    schema: SchemaOrReference | undefined,
    depth = 0,
  ): fc.Arbitrary<unknown> {
    const resolved = this.flatten(this.resolve(schema));
    const variants = [
      this.wrongType(resolved),
      ...this.broken(resolved, depth),
    ];
    const possible = variants.filter(
      (variant): variant is fc.Arbitrary<unknown> => variant !== undefined,
    );
    // Nothing is invalid for a schema without a type or constraint: any value it is, then.
    return possible.length > 0
      ? fc.oneof(...possible)
      : fc.jsonValue({ maxDepth: 2 });
  }

  /** Values of the schema's type that break one of its constraints. */
  private broken(
    schema: SchemaObject,
    depth: number,
  ): (fc.Arbitrary<unknown> | undefined)[] {
    const variants = schema.oneOf ?? schema.anyOf;
    if (variants) {
      // A value that breaks one variant may fit another, unless a discriminator tells them apart.
      return variants.length === 1 || schema.discriminator
        ? variants.map((variant) => this.invalid(variant, depth + 1))
        : [];
    }
    if (schema.enum) {
      const names = schema.enum.map(String);
      return [
        fc
          .constantFrom(...names)
          .map((name) => `${name.toUpperCase()} `)
          .filter((name) => !names.includes(name)),
      ];
    }
    switch (typeOf(schema)) {
      case 'number':
        return [numbersOutside(schema)];
      case 'string':
        return [stringsOutside(schema)];
      case 'array':
        return [this.invalidArray(schema, depth)];
      case 'object':
        return [this.invalidObject(schema, depth)];
      default:
        return [];
    }
  }

  private validOf(schema: SchemaObject, depth: number): fc.Arbitrary<unknown> {
    if (schema.oneOf || schema.anyOf) {
      const variants = (schema.oneOf ?? schema.anyOf)!;
      return fc.oneof(...variants.map((variant) => this.valid(variant, depth)));
    }
    if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
    const known = [schema.example as unknown, schema.default as unknown].filter(
      (value) => value !== undefined,
    );
    const generated = this.generatedValid(schema, depth);
    return known.length > 0
      ? fc.oneof(
          { weight: 4, arbitrary: generated },
          { weight: 1, arbitrary: fc.constantFrom(...known) },
        )
      : generated;
  }

  private generatedValid(
    schema: SchemaObject,
    depth: number,
  ): fc.Arbitrary<unknown> {
    switch (typeOf(schema)) {
      case 'number':
        return numbersWithin(schema);
      case 'string':
        return stringsWithin(schema);
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(this.valid(schema.items, depth + 1), {
          minLength: schema.minItems ?? 0,
          maxLength: Math.min(schema.maxItems ?? 4, 4),
        });
      case 'object':
        return this.validObject(schema, depth);
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  }

  /** Objects with any of the optional fields, or with the required ones and a single other. */
  private validObject(
    schema: SchemaObject,
    depth: number,
  ): fc.Arbitrary<Record<string, unknown>> {
    if (depth >= MAX_DEPTH) return fc.constant({});
    const properties = Object.entries(schema.properties ?? {});
    const required = schema.required ?? [];
    const recordOf = (names: string[]) =>
      fc.record(
        Object.fromEntries(
          properties
            .filter(([name]) => names.includes(name))
            .map(([name, property]) => [name, this.valid(property, depth + 1)]),
        ),
        { requiredKeys: required },
      );
    const names = properties.map(([name]) => name);
    const optional = names.filter((name) => !required.includes(name));
    const record =
      optional.length > 0
        ? fc.oneof(
            recordOf(names),
            fc
              .constantFrom(...optional)
              .chain((name) => recordOf([...required, name])),
          )
        : recordOf(names);
    const additional = schema.additionalProperties;
    if (!additional) return record;
    const values =
      additional === true
        ? fc.jsonValue({ maxDepth: 1 })
        : this.valid(additional, depth + 1);
    return fc
      .tuple(record, fc.dictionary(fc.string(), values, { maxKeys: 3 }))
      .map(([known, extra]) => ({ ...extra, ...known }));
  }

  private invalidObject(
    schema: SchemaObject,
    depth: number,
  ): fc.Arbitrary<unknown> {
    const valid = this.validObject(schema, depth);
    const names = Object.keys(schema.properties ?? {});
    const required = schema.required ?? [];
    const withExtraField = fc
      .tuple(
        valid,
        fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string()),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .filter(([, key]) => !names.includes(key))
      .map(([value, key, extra]) =>
        // fromEntries makes "__proto__" an own field, as JSON.parse would.
        Object.fromEntries([...Object.entries(value), [key, extra]]),
      );
    const variants: fc.Arbitrary<unknown>[] = [withExtraField];
    if (required.length > 0) {
      variants.push(
        fc
          .tuple(valid, fc.constantFrom(...required))
          .map(([value, missing]) =>
            Object.fromEntries(
              Object.entries(value).filter(([key]) => key !== missing),
            ),
          ),
      );
    }
    if (names.length > 0 && depth < MAX_DEPTH) {
      variants.push(
        fc
          .constantFrom(...names)
          .chain((name) =>
            fc
              .tuple(valid, this.invalid(schema.properties![name], depth + 1))
              .map(([value, broken]) => ({ ...value, [name]: broken })),
          ),
      );
    }
    return fc.oneof(...variants);
  }

  private invalidArray(
    schema: SchemaObject,
    depth: number,
  ): fc.Arbitrary<unknown> {
    const items = fc.array(
      depth < MAX_DEPTH
        ? this.invalid(schema.items, depth + 1)
        : fc.constant(null),
      { minLength: 1, maxLength: 3 },
    );
    if (schema.maxItems === undefined) return items;
    const tooMany = fc.array(this.valid(schema.items, depth + 1), {
      minLength: schema.maxItems + 1,
      maxLength: schema.maxItems + 2,
    });
    return fc.oneof(items, tooMany);
  }

  /** Any JSON value of a type the schema (or none of its variants) has. */
  private wrongType(schema: SchemaObject): fc.Arbitrary<unknown> | undefined {
    const variants = (schema.oneOf ?? schema.anyOf ?? [schema]).map((variant) =>
      this.flatten(this.resolve(variant)),
    );
    const types = variants.map(typeOf);
    if (types.includes(undefined)) return undefined;
    if (variants.some((variant) => variant.nullable)) types.push('null');
    return fc
      .jsonValue({ maxDepth: 2 })
      .filter((value) => !types.includes(jsonTypeOf(value)));
  }

  /** `allOf` folded into one schema (Nest's Swagger wraps a described `$ref` in one). */
  private flatten(schema: SchemaObject): SchemaObject {
    if (!schema.allOf) return schema;
    const { allOf, ...rest } = schema;
    return allOf
      .map((part) => this.flatten(this.resolve(part)))
      .reduce<SchemaObject>(
        (merged, part) => ({
          ...merged,
          ...part,
          properties: { ...merged.properties, ...part.properties },
          required: [...(merged.required ?? []), ...(part.required ?? [])],
        }),
        rest,
      );
  }
}

function typeOf(schema: SchemaObject): JsonType | undefined {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'integer') return 'number';
  if (type) return type as JsonType;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
}

function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as JsonType;
}

/**
 * Numbers in the range: the bounds, notable numbers, integers (small ones often), and fractions
 * unless the schema says `integer` (Nest's Swagger writes `number` for an `@IsInt()` field that
 * does not say so).
 */
function numbersWithin(schema: SchemaObject): fc.Arbitrary<number> {
  const integer = schema.type === 'integer';
  const min = schema.minimum ?? -Number.MAX_VALUE;
  const max = schema.maximum ?? Number.MAX_VALUE;
  const edges = [schema.minimum, schema.maximum, ...NUMBER_EDGES].filter(
    (value): value is number =>
      value !== undefined &&
      value >= min &&
      value <= max &&
      (!integer || Number.isInteger(value)),
  );
  const variants: fc.WeightedArbitrary<number>[] = [];
  if (!integer) {
    variants.push({
      weight: 1,
      arbitrary: fc.double({ min, max, noNaN: true }),
    });
  }
  if (edges.length > 0) {
    variants.push({ weight: 2, arbitrary: fc.constantFrom(...edges) });
  }
  const [lowest, highest] = [Math.ceil(min), Math.floor(max)];
  if (lowest <= highest) {
    const from = Math.max(lowest, -1000);
    variants.push({
      weight: 3,
      arbitrary: fc.integer({ min: from, max: Math.min(highest, from + 2000) }),
    });
  }
  if (variants.length === 0) {
    throw new Error(`no integer lies between ${min} and ${max}`);
  }
  return fc.oneof(...variants);
}

function numbersOutside(
  schema: SchemaObject,
): fc.Arbitrary<number> | undefined {
  const { minimum: min, maximum: max } = schema;
  const outside = [
    ...(min === undefined
      ? []
      : [
          min - 1,
          min - Math.max(Math.abs(min) * 1e-9, 1e-9),
          -Number.MAX_VALUE,
        ]),
    ...(max === undefined
      ? []
      : [
          max + 1,
          max + Math.max(Math.abs(max) * 1e-9, 1e-9),
          Number.MAX_VALUE,
        ]),
  ];
  const fraction = (min ?? 0) + 0.5;
  if (schema.type === 'integer' && fraction <= (max ?? Infinity)) {
    outside.push(fraction);
  }
  return outside.length > 0 ? fc.constantFrom(...outside) : undefined;
}

/** Strings of the allowed length: notable ones (empty, traversal, NUL), any graphemes. */
function stringsWithin(schema: SchemaObject): fc.Arbitrary<string> {
  const [min, max] = [schema.minLength ?? 0, schema.maxLength ?? Infinity];
  const any = fc
    .string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 40) })
    .map((value) => withinLength(value, max));
  if (schema.pattern) {
    try {
      return fc.stringMatching(new RegExp(schema.pattern), {
        maxLength: schema.maxLength,
      });
    } catch {
      // A pattern fast-check cannot generate from (lookarounds, back references): any string then.
      return any;
    }
  }
  const edges = STRING_EDGES.filter(
    (edge) => edge.length >= min && edge.length <= max,
  );
  return edges.length > 0
    ? fc.oneof({ weight: 3, arbitrary: any }, fc.constantFrom(...edges))
    : any;
}

/**
 * Cut to `max` UTF-16 units, which class-validator's MaxLength counts (graphemes may take several),
 * between code points.
 */
function withinLength(value: string, max: number): string {
  let cut = '';
  for (const codePoint of value) {
    if (cut.length + codePoint.length > max) break;
    cut += codePoint;
  }
  return cut;
}

function stringsOutside(
  schema: SchemaObject,
): fc.Arbitrary<string> | undefined {
  const variants: fc.Arbitrary<string>[] = [];
  if (schema.maxLength !== undefined) {
    variants.push(
      fc.string({
        minLength: schema.maxLength + 1,
        maxLength: schema.maxLength + 8,
      }),
    );
  }
  if (schema.minLength) {
    variants.push(fc.string({ maxLength: schema.minLength - 1 }));
  }
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern);
    const candidates = [...STRING_EDGES, 'a b', '-'].filter(
      (candidate) => !pattern.test(candidate),
    );
    if (candidates.length > 0) variants.push(fc.constantFrom(...candidates));
  }
  return variants.length > 0 ? fc.oneof(...variants) : undefined;
}
