import type { OpenAPIObject, SchemaObject } from '@nestjs/swagger';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SchemaArbitraries } from './schema-arbitraries.js';

/** Shapes as Nest's Swagger module writes them: $refs, a described $ref wrapped in allOf, oneOf. */
const document: OpenAPIObject = {
  openapi: '3.0.0',
  info: { title: 'shapes', version: '1' },
  paths: {},
  components: {
    schemas: {
      Limits: {
        type: 'object',
        properties: {
          patience: { type: 'number', minimum: 1 },
          share: { type: 'number', minimum: 0.05, maximum: 0.5 },
        },
        required: ['patience'],
      },
      Job: {
        type: 'object',
        properties: {
          kind: { type: 'string', enum: ['fmnist', 'folder'] },
          epochs: { type: 'integer', minimum: 1, maximum: 50 },
          name: { type: 'string', maxLength: 10 },
          tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
          promote: { type: 'boolean' },
          limits: {
            description: 'wrapped',
            allOf: [{ $ref: '#/components/schemas/Limits' }],
          },
          either: {
            oneOf: [
              { $ref: '#/components/schemas/Limits' },
              { type: 'string', enum: ['none'] },
            ],
          },
        },
        required: ['kind'],
      },
    },
  },
};
const job = { $ref: '#/components/schemas/Job' };
const arbitraries = new SchemaArbitraries(document);
const runs = { numRuns: 300, seed: 7 };

describe('values generated from OpenAPI schemas', () => {
  it('gives values the schema accepts from valid', () => {
    fc.assert(
      fc.property(arbitraries.valid(job), (value) => {
        assert.deepEqual(violations(arbitraries.resolve(job), value), []);
      }),
      runs,
    );
  });

  it('gives values the schema refuses from invalid', () => {
    fc.assert(
      fc.property(arbitraries.invalid(job), (value) => {
        assert.notDeepEqual(violations(arbitraries.resolve(job), value), []);
      }),
      runs,
    );
  });

  it('reaches the bounds, and past them', () => {
    const epochs = { type: 'integer', minimum: 1, maximum: 50 };
    const valid = fc.sample(arbitraries.valid(epochs), runs);
    const invalid = fc.sample(arbitraries.invalid(epochs), runs);
    assert.ok(valid.includes(1) && valid.includes(50));
    assert.ok(invalid.includes(0) && invalid.includes(51));
    assert.ok(invalid.includes(1.5), 'no fraction for an integer');
  });

  it('ends for a range that holds no integer', () => {
    const share = { type: 'number', minimum: 0.05, maximum: 0.5 };
    for (const value of fc.sample(arbitraries.valid(share), runs)) {
      assert.ok(
        typeof value === 'number' && value >= 0.05 && value <= 0.5,
        String(value),
      );
    }
  });

  it('sends unknown fields, prototype keys among them', () => {
    const keys = fc
      .sample(arbitraries.invalid(job), { numRuns: 2000, seed: 7 })
      .filter((value) => typeof value === 'object' && value !== null)
      .flatMap((value) => Object.keys(value));
    assert.ok(keys.includes('__proto__'));
  });
});

/** What a value breaks in a schema (the subset of JSON Schema the fixture uses). */
function violations(
  schema: SchemaObject,
  value: unknown,
  at = 'value',
): string[] {
  const resolved = arbitraries.resolve(schema.allOf ? schema.allOf[0] : schema);
  if (resolved.oneOf) {
    const fits = resolved.oneOf.some(
      (variant) =>
        violations(arbitraries.resolve(variant), value, at).length === 0,
    );
    return fits ? [] : [`${at} fits no variant`];
  }
  if (resolved.enum) {
    return resolved.enum.includes(value) ? [] : [`${at} not in the enum`];
  }
  switch (resolved.type) {
    case 'integer':
    case 'number':
      return typeof value !== 'number'
        ? [`${at} not a number`]
        : [
            ...(resolved.type === 'integer' && !Number.isInteger(value)
              ? [`${at} not an integer`]
              : []),
            ...(value < (resolved.minimum ?? -Infinity) ? [`${at} < min`] : []),
            ...(value > (resolved.maximum ?? Infinity) ? [`${at} > max`] : []),
          ];
    case 'string':
      return typeof value !== 'string'
        ? [`${at} not a string`]
        : value.length > (resolved.maxLength ?? Infinity)
          ? [`${at} too long`]
          : [];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at} not a boolean`];
    case 'array':
      return !Array.isArray(value)
        ? [`${at} not an array`]
        : [
            ...(value.length > (resolved.maxItems ?? Infinity)
              ? [`${at} has too many items`]
              : []),
            ...value.flatMap((item, index) =>
              violations(
                arbitraries.resolve(resolved.items),
                item,
                `${at}[${index}]`,
              ),
            ),
          ];
    default: {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return [`${at} not an object`];
      }
      const properties = resolved.properties ?? {};
      const fields = value as Record<string, unknown>;
      return [
        ...(resolved.required ?? [])
          .filter((name) => !(name in fields))
          .map((name) => `${at}.${name} missing`),
        ...Object.entries(fields).flatMap(([name, field]) =>
          name in properties && Object.hasOwn(properties, name)
            ? violations(
                arbitraries.resolve(properties[name]),
                field,
                `${at}.${name}`,
              )
            : [`${at}.${name} unknown`],
        ),
      ];
    }
  }
}
