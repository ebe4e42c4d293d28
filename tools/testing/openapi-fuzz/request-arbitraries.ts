import type {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  RequestBodyObject,
  SchemaObject,
} from '@nestjs/swagger';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import {
  SchemaArbitraries,
  type SchemaOrReference,
} from './schema-arbitraries.js';

/** One method on one path of a description. */
export interface Operation {
  /** "POST /v1/classifications", as reports name it. */
  readonly id: string;
  readonly method: string;
  /** The path template, `{name}` for each path parameter. */
  readonly path: string;
  readonly definition: OperationObject;
}

export interface SampleFile {
  readonly name: string;
  readonly type: string;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

export interface RequestGenerationOptions {
  /** Values that exist on the server, by parameter name, so that requests also reach past a 404. */
  knownValues?: Readonly<Record<string, readonly string[]>>;
  /** Real files for uploads; random and damaged bytes are generated besides. */
  sampleFiles?: readonly SampleFile[];
  /** Size of the bodies sent now and then to cross the server's limits (128 KiB by default). */
  oversizeBytes?: number;
}

export type FormPart =
  | { readonly name: string; readonly value: string }
  | {
      readonly name: string;
      readonly filename: string;
      readonly type: string;
      readonly bytes: Uint8Array<ArrayBuffer>;
    };

export interface BytesBody {
  readonly kind: 'bytes';
  readonly contentType?: string;
  readonly contentEncoding?: string;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/** Bytes as they are sent, or form parts that fetch encodes as multipart. */
export type FuzzBody =
  BytesBody | { readonly kind: 'form'; readonly parts: readonly FormPart[] };

export interface FuzzRequest {
  readonly method: string;
  /** Path and query string, percent-encoded as sent. */
  readonly target: string;
  readonly body?: FuzzBody;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
/** Path segments a router or a decoder may choke on, sent as they are. */
const RAW_SEGMENTS = [
  '%',
  '%zz',
  '%00',
  '%2F',
  '%2e%2e',
  '%C0%AE',
  '%E2%82',
  '..',
  '~',
  "'",
  'a%ZZb',
];
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];
const OTHER_CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'application/json',
  'image/png',
  'image/svg+xml',
  'multipart/form-data',
  'multipart/mixed; boundary=x',
  'text/html; charset=utf-8',
  'garbage',
  'a/b; c=d; ;',
];
/** Integers past 2^53 (not exact as doubles) and 2^31, negative zero, overflow to Infinity. */
const BOUNDARY_NUMERALS = [
  '9007199254740992',
  '9007199254740993',
  '2147483648',
  '4294967296',
  '-0',
  '1e309',
  '-1e309',
  '1e-400',
];

/** `value` with each run of digits (or, with none, all of it) replaced by one boundary numeral. */
function withBoundaryNumerals(
  values: fc.Arbitrary<string>,
): fc.Arbitrary<string> {
  return fc
    .tuple(values, fc.constantFrom(...BOUNDARY_NUMERALS))
    .map(([value, numeral]) =>
      /\d/.test(value) ? value.replace(/\d+/g, numeral) : numeral,
    );
}

const DEFAULT_OVERSIZE_BYTES = 128 * 1024;
const PREVIEW_CHARACTERS = 1000;
const PREVIEW_BYTES = 64;
const encoder = new TextEncoder();

export function operationsOf(document: OpenAPIObject): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({
      id: `${method.toUpperCase()} ${path}`,
      method: method.toUpperCase(),
      path,
      definition: item[method]!,
    })),
  );
}

/**
 * Requests for one operation, derived from its description alone: path parameters (known values,
 * schema values, random and malformed segments), query strings (documented parameters valid or
 * not, repeated, unknown ones, raw noise) and bodies in each declared content type and in others
 * (JSON right and wrong, multipart with real, random, damaged or no files, broken multipart,
 * oversize bodies, no body).
 */
export function requestArbitrary(
  document: OpenAPIObject,
  operation: Operation,
  options: RequestGenerationOptions = {},
): fc.Arbitrary<FuzzRequest> {
  return new RequestArbitraries(document, options).of(operation);
}

export function toRequestInit(request: FuzzRequest): RequestInit {
  const { method, body } = request;
  if (!body) return { method };
  if (body.kind === 'bytes') {
    return {
      method,
      body: body.bytes,
      headers: {
        ...(body.contentType && { 'content-type': body.contentType }),
        ...(body.contentEncoding && {
          'content-encoding': body.contentEncoding,
        }),
      },
    };
  }
  const form = new FormData();
  for (const part of body.parts) {
    if ('value' in part) form.append(part.name, part.value);
    else {
      form.append(
        part.name,
        new Blob([part.bytes], { type: part.type }),
        part.filename,
      );
    }
  }
  return { method, body: form };
}

/** One line that says what was sent, for failure messages. */
export function describeRequest(request: FuzzRequest): string {
  const { method, target, body } = request;
  const line = `${method} ${target.length > 300 ? `${target.slice(0, 300)}…` : target}`;
  if (!body) return line;
  if (body.kind === 'bytes') {
    const encoding = body.contentEncoding
      ? `, Content-Encoding ${body.contentEncoding}`
      : '';
    return `${line} [${body.contentType ?? 'no Content-Type'}${encoding}, ${body.bytes.length} bytes: ${preview(body.bytes)}]`;
  }
  const parts = body.parts.map((part) =>
    'value' in part
      ? `${part.name}=${JSON.stringify(part.value.slice(0, 80))}`
      : `${part.name}=@${JSON.stringify(part.filename)} (${part.type || 'no type'}, ${part.bytes.length} bytes: ${preview(part.bytes)})`,
  );
  return `${line} [multipart: ${parts.join(', ') || 'no parts'}]`;
}

class RequestArbitraries {
  private readonly schemas: SchemaArbitraries;

  constructor(
    private readonly document: OpenAPIObject,
    private readonly options: RequestGenerationOptions,
  ) {
    this.schemas = new SchemaArbitraries(document);
  }

  of(operation: Operation): fc.Arbitrary<FuzzRequest> {
    const parameters = (operation.definition.parameters ?? []).map(
      (parameter) => this.parameter(parameter),
    );
    const inPath = parameters.filter((parameter) => parameter.in === 'path');
    const inQuery = parameters.filter((parameter) => parameter.in === 'query');
    const path = fc
      .tuple(...inPath.map((parameter) => this.segment(parameter)))
      .map((segments) =>
        inPath.reduce(
          (filled, parameter, index) =>
            filled.replace(`{${parameter.name}}`, segments[index]),
          operation.path,
        ),
      );
    return fc
      .record({
        path,
        query: this.query(inQuery),
        body: this.body(operation),
      })
      .map(({ path, query, body }) =>
        describable({ method: operation.method, target: path + query, body }),
      );
  }

  private parameter(
    parameter: ParameterObject | ReferenceObject,
  ): ParameterObject {
    if (!('$ref' in parameter)) return parameter;
    const name = parameter.$ref.replace('#/components/parameters/', '');
    return this.parameter(this.document.components!.parameters![name]);
  }

  /**
   * A parameter's value as a string: known, from its schema (right or wrong), or several; now
   * and then with its numbers (a version in `name:2`, a page number) swapped for numerals at the
   * edges of number types, which a JSON body cannot carry (1e309) or a double cannot hold exactly.
   */
  private parameterValue(parameter: ParameterObject): fc.Arbitrary<string> {
    const known = this.options.knownValues?.[parameter.name] ?? [];
    const fromSchema = this.schemas.fuzz(parameter.schema).map(asParameterText);
    const plain =
      known.length > 0
        ? fc.oneof(
            { weight: 3, arbitrary: fc.constantFrom(...known) },
            { weight: 2, arbitrary: fromSchema },
          )
        : fromSchema;
    return fc.oneof(
      { weight: 5, arbitrary: plain },
      { weight: 1, arbitrary: withBoundaryNumerals(plain) },
    );
  }

  private segment(parameter: ParameterObject): fc.Arbitrary<string> {
    return fc.oneof(
      {
        weight: 6,
        arbitrary: this.parameterValue(parameter).map(encodeSegment),
      },
      {
        weight: 1,
        arbitrary: fc
          .string({ unit: 'binary', maxLength: 40 })
          .map(encodeSegment),
      },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    );
  }

  private query(parameters: ParameterObject[]): fc.Arbitrary<string> {
    const documented = fc.tuple(
      ...parameters.map((parameter) =>
        fc.oneof(
          { weight: 2, arbitrary: fc.constant([]) },
          {
            weight: 4,
            arbitrary: this.parameterValue(parameter).map((value) => [value]),
          },
          {
            weight: 1,
            arbitrary: fc.array(this.parameterValue(parameter), {
              minLength: 2,
              maxLength: 3,
            }),
          },
        ),
      ),
    );
    const unknown = fc.oneof(
      { weight: 3, arbitrary: fc.constant([]) },
      {
        weight: 1,
        arbitrary: fc.array(
          fc.tuple(
            fc.oneof(
              fc.constantFrom(...PROTOTYPE_KEYS, 'a[b]', 'x[]'),
              fc.string({ minLength: 1, maxLength: 12 }),
            ),
            fc.string({ maxLength: 20 }),
          ),
          { minLength: 1, maxLength: 2 },
        ),
      },
    );
    const structured = fc.tuple(documented, unknown).map(([values, extra]) => {
      const search = new URLSearchParams();
      values.forEach((repeated, index) =>
        repeated.forEach((value) =>
          search.append(parameters[index].name, value),
        ),
      );
      extra.forEach(([key, value]) => search.append(key, value));
      return search.toString();
    });
    const noise = fc.string({
      unit: fc.constantFrom('%', '&', '=', '[', ']', '+', ';', 'a', '0', 'é'),
      maxLength: 24,
    });
    return fc
      .oneof(
        { weight: 8, arbitrary: structured },
        { weight: 1, arbitrary: noise },
      )
      .map((query) => (query ? `?${query}` : ''));
  }

  private body(operation: Operation): fc.Arbitrary<FuzzBody | undefined> {
    if (operation.method === 'GET') {
      // fetch refuses a GET with a body, as most clients do.
      return fc.constant(undefined);
    }
    const none = fc.constant(undefined);
    const requestBody = this.requestBody(operation.definition.requestBody);
    if (!requestBody) {
      return fc.oneof(
        { weight: 4, arbitrary: none },
        { weight: 1, arbitrary: this.otherContentType([], undefined) },
      );
    }
    const declared = Object.entries(requestBody.content);
    const types = declared.map(([type]) => type);
    const schema = declared[0]?.[1].schema;
    return fc.oneof(
      ...declared.map(([type, media]) => ({
        weight: 8,
        arbitrary: this.bodyOfType(type, media.schema),
      })),
      { weight: 2, arbitrary: this.otherContentType(types, schema) },
      { weight: 1, arbitrary: this.encoded(types, schema) },
      { weight: 1, arbitrary: none },
      { weight: 1, arbitrary: this.oversize(types[0], schema) },
    );
  }

  private requestBody(
    body: RequestBodyObject | ReferenceObject | undefined,
  ): RequestBodyObject | undefined {
    if (!body || !('$ref' in body)) return body;
    const name = body.$ref.replace('#/components/requestBodies/', '');
    return this.requestBody(this.document.components?.requestBodies?.[name]);
  }

  private bodyOfType(
    type: string,
    schema: SchemaOrReference | undefined,
  ): fc.Arbitrary<FuzzBody> {
    if (type === 'multipart/form-data') {
      return fc.oneof(
        { weight: 4, arbitrary: this.form(schema) },
        { weight: 1, arbitrary: this.brokenMultipart(schema) },
      );
    }
    return this.bytesOfType(type, schema);
  }

  /** A body of a type other than multipart: JSON, or a file's bytes (images, anything else). */
  private bytesOfType(
    type: string,
    schema: SchemaOrReference | undefined,
  ): fc.Arbitrary<BytesBody> {
    if (/json/i.test(type)) return this.json(type, schema);
    return this.fileBytes().map((bytes) => bytesBody(type, bytes));
  }

  private json(
    type: string,
    schema: SchemaOrReference | undefined,
  ): fc.Arbitrary<BytesBody> {
    const contentType = fc.oneof(
      { weight: 4, arbitrary: fc.constant(type) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          `${type}; charset=utf-8`,
          type.toUpperCase(),
          `${type}; charset=utf-16`,
          `${type}; charset=latin1`,
          `${type}; charset`,
        ),
      },
    );
    const text = this.schemas.fuzz(schema).map(asJsonText);
    const truncated = fc
      .tuple(text, fc.nat())
      .map(([whole, cut]) => whole.slice(0, cut % Math.max(whole.length, 1)));
    const content = fc.oneof(
      { weight: 6, arbitrary: text },
      { weight: 1, arbitrary: truncated },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
    );
    return fc
      .tuple(contentType, content)
      .map(([type, text]) => bytesBody(type, encoder.encode(text)));
  }

  /** Form fields as the schema describes them, files where it says binary, sometimes more. */
  private form(
    schema: SchemaOrReference | undefined,
  ): fc.Arbitrary<Extract<FuzzBody, { kind: 'form' }>> {
    const properties = Object.entries(
      this.schemas.resolve(schema).properties ?? {},
    );
    const fields = properties.map(([name, property]) => {
      const resolved = this.schemas.resolve(property);
      if (isBinary(resolved)) {
        return fc.array(this.filePart(name), { maxLength: 1 });
      }
      if (
        resolved.type === 'array' &&
        isBinary(this.schemas.resolve(resolved.items))
      ) {
        return fc.array(this.filePart(name), { maxLength: 4 });
      }
      return fc.array(this.textPart(name, property), { maxLength: 1 });
    });
    const randomName = fc.string({ maxLength: 12 });
    const extra = fc.oneof(
      { weight: 4, arbitrary: fc.constant([]) },
      {
        weight: 1,
        arbitrary: fc.array(
          randomName.chain((name) =>
            fc.oneof(this.filePart(name), this.textPart(name, undefined)),
          ),
          { minLength: 1, maxLength: 2 },
        ),
      },
    );
    return fc
      .tuple(...fields, extra)
      .map((parts) => ({ kind: 'form' as const, parts: parts.flat() }));
  }

  private filePart(name: string): fc.Arbitrary<FormPart> {
    const samples = this.options.sampleFiles ?? [];
    return fc.record({
      name: fc.constant(name),
      filename: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.constantFrom(
            'item.png',
            ...samples.map((file) => file.name),
          ),
        },
        {
          weight: 1,
          arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }),
        },
      ),
      type: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.constantFrom(
            'image/png',
            ...samples.map((file) => file.type),
          ),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            '',
            'application/octet-stream',
            'text/plain',
            'image/x-nonsense',
          ),
        },
      ),
      bytes: this.fileBytes(),
    });
  }

  private textPart(
    name: string,
    schema: SchemaOrReference | undefined,
  ): fc.Arbitrary<FormPart> {
    return this.schemas
      .fuzz(schema)
      .map((value) => ({ name, value: asParameterText(value) }));
  }

  /** Real files, the same truncated or with a byte changed (often in the header), random bytes, none. */
  private fileBytes(): fc.Arbitrary<Uint8Array<ArrayBuffer>> {
    const samples = (this.options.sampleFiles ?? []).map((file) => file.bytes);
    const random = fc.uint8Array({ maxLength: 2048 });
    const empty = fc.constant(new Uint8Array(0));
    if (samples.length === 0) return fc.oneof(random, empty);
    const sample = fc.constantFrom(...samples);
    const truncated = fc
      .tuple(sample, fc.nat())
      .map(([bytes, cut]) => bytes.slice(0, cut % bytes.length));
    const damaged = fc
      .tuple(
        sample,
        fc.oneof(fc.nat({ max: 40 }), fc.nat()),
        fc.integer({ min: 0, max: 255 }),
      )
      .map(([bytes, at, value]) => {
        const copy = bytes.slice();
        copy[at % copy.length] = value;
        return copy;
      });
    return fc.oneof(
      { weight: 4, arbitrary: sample },
      { weight: 2, arbitrary: truncated },
      { weight: 2, arbitrary: damaged },
      { weight: 2, arbitrary: random },
      { weight: 1, arbitrary: empty },
    );
  }

  /** A multipart body cut short, without its boundary, with another boundary, or just noise. */
  private brokenMultipart(
    schema: SchemaOrReference | undefined,
  ): fc.Arbitrary<BytesBody> {
    const boundary = 'fuzz-boundary-7d1f';
    return fc
      .tuple(
        this.form(schema),
        fc.nat(),
        fc.constantFrom('cut', 'no-boundary', 'other-boundary', 'noise'),
        fc.uint8Array({ maxLength: 512 }),
      )
      .map(([form, cut, damage, noise]) => {
        const whole = serializeMultipart(form.parts, boundary);
        switch (damage) {
          case 'cut':
            return bytesBody(
              `multipart/form-data; boundary=${boundary}`,
              whole.slice(0, cut % whole.length),
            );
          case 'no-boundary':
            return bytesBody('multipart/form-data', whole);
          case 'other-boundary':
            return bytesBody('multipart/form-data; boundary=other', whole);
          default:
            return bytesBody(
              `multipart/form-data; boundary=${boundary}`,
              noise,
            );
        }
      });
  }

  /** A body the operation does not declare (or none was declared), in another or no type. */
  private otherContentType(
    declared: string[],
    schema: SchemaOrReference | undefined,
  ): fc.Arbitrary<BytesBody> {
    const types = OTHER_CONTENT_TYPES.filter(
      (type) => !declared.includes(type),
    );
    const content = fc.oneof(
      this.schemas
        .fuzz(schema)
        .map((value) => encoder.encode(asJsonText(value))),
      this.fileBytes(),
    );
    return fc
      .tuple(fc.option(fc.constantFrom(...types), { nil: undefined }), content)
      .map(([type, bytes]) => bytesBody(type, bytes));
  }

  /** A body gzipped as it says, or bytes that claim an encoding they do not have. */
  private encoded(
    declared: string[],
    schema: SchemaOrReference | undefined,
  ): fc.Arbitrary<BytesBody> {
    const plain = declared
      .filter((type) => type !== 'multipart/form-data')
      .map((type) => this.bytesOfType(type, schema));
    return fc
      .tuple(
        fc.oneof(...plain, this.otherContentType(declared, schema)),
        fc.constantFrom('gzip', 'deflate', 'br', 'x-unknown'),
        fc.boolean(),
      )
      .map(([body, encoding, honest]) => ({
        ...body,
        contentEncoding: encoding,
        bytes:
          honest && encoding === 'gzip'
            ? new Uint8Array(gzipSync(body.bytes))
            : body.bytes,
      }));
  }

  private oversize(
    type: string | undefined,
    schema: SchemaOrReference | undefined,
  ): fc.Arbitrary<FuzzBody> {
    const size = this.options.oversizeBytes ?? DEFAULT_OVERSIZE_BYTES;
    return fc.integer({ min: 0, max: 255 }).map((fill) => {
      const bytes = new Uint8Array(size).fill(fill);
      if (type !== 'multipart/form-data') return bytesBody(type, bytes);
      const [field = 'file'] = Object.keys(
        this.schemas.resolve(schema).properties ?? {},
      );
      return {
        kind: 'form' as const,
        parts: [{ name: field, filename: 'big.png', type: 'image/png', bytes }],
      };
    });
  }
}

function bytesBody(
  contentType: string | undefined,
  bytes: Uint8Array<ArrayBuffer>,
): BytesBody {
  return { kind: 'bytes', contentType, bytes };
}

function isBinary(schema: SchemaObject): boolean {
  return schema.type === 'string' && schema.format === 'binary';
}

function asParameterText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return value === null || value === undefined ? '' : asJsonText(value);
}

function asJsonText(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** Percent-encodes a path segment; lone surrogates (which cannot be encoded) become U+FFFD. */
function encodeSegment(value: string): string {
  return encodeURIComponent(value.replace(/\p{Surrogate}/gu, '\uFFFD'));
}

function serializeMultipart(
  parts: readonly FormPart[],
  boundary: string,
): Uint8Array<ArrayBuffer> {
  const chunks = parts.flatMap((part) => {
    const disposition = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    return 'value' in part
      ? [encoder.encode(`${disposition}\r\n\r\n${part.value}\r\n`)]
      : [
          encoder.encode(
            `${disposition}; filename="${part.filename}"\r\nContent-Type: ${part.type}\r\n\r\n`,
          ),
          part.bytes,
          encoder.encode('\r\n'),
        ];
  });
  chunks.push(encoder.encode(`--${boundary}--\r\n`));
  return new Uint8Array(Buffer.concat(chunks));
}

/** The start of a body, enough to send it again: as text when it reads as text, else as hex. */
function preview(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.subarray(0, PREVIEW_CHARACTERS)).toString(
    'utf8',
  );
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text)) {
    return `${JSON.stringify(text)}${bytes.length > PREVIEW_CHARACTERS ? '…' : ''}`;
  }
  const hex = Buffer.from(bytes.subarray(0, PREVIEW_BYTES)).toString('hex');
  return `${hex}${bytes.length > PREVIEW_BYTES ? '…' : ''}`;
}

/** Gives the request a readable form in fast-check's counterexample reports. */
function describable(request: FuzzRequest): FuzzRequest {
  return Object.assign(request, {
    [fc.toStringMethod]: () => describeRequest(request),
  });
}
