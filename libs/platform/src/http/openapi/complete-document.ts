import type {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  ResponsesObject,
  SchemaObject,
} from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto.js';

const HTTP_METHODS = [
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
] as const;

export const ERROR_RESPONSE_SCHEMA: ReferenceObject = {
  $ref: `#/components/schemas/${ErrorResponseDto.name}`,
};

/**
 * What the platform answers for every operation, whatever its controller documents: the global
 * ValidationPipe's 400 (query, path and body), the body parsers' 400, 413 and 415, and the shape of
 * every error (HttpErrorFilter's `statusCode`, `message`, `error`) where a controller names only
 * the status; request bodies closed to unknown fields (the ValidationPipe's `forbidNonWhitelisted`).
 * Security requirements naming a scheme the app did not declare (the trainer without
 * TRAINER_API_KEY) are dropped with their 401, so the description says what the server does.
 */
export function completeDocument(document: OpenAPIObject): OpenAPIObject {
  const declaredSchemes = new Set(
    Object.keys(document.components?.securitySchemes ?? {}),
  );
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const parameters = [
        ...(item.parameters ?? []),
        ...(operation.parameters ?? []),
      ] as ParameterObject[];
      completeResponses(operation, parameters);
      keepDeclaredSecurity(operation, declaredSchemes);
      closeRequestSchemas(document, operation);
    }
  }
  return document;
}

/** The body's object schemas, and those they hold, refuse what they do not declare. */
function closeRequestSchemas(
  document: OpenAPIObject,
  operation: OperationObject,
): void {
  const body = operation.requestBody;
  if (!body || '$ref' in body) return;
  const seen = new Set<SchemaObject>();
  const close = (schema: SchemaObject | ReferenceObject | undefined): void => {
    const resolved = resolve(document, schema);
    if (!resolved || seen.has(resolved)) return;
    seen.add(resolved);
    if (resolved.properties) {
      resolved.additionalProperties ??= false;
      Object.values(resolved.properties).forEach(close);
    }
    close(resolved.items);
    [...(resolved.allOf ?? []), ...(resolved.oneOf ?? [])].forEach(close);
  };
  for (const media of Object.values(body.content)) close(media.schema);
}

function resolve(
  document: OpenAPIObject,
  schema: SchemaObject | ReferenceObject | undefined,
): SchemaObject | undefined {
  if (!schema || !('$ref' in schema)) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  return resolve(document, document.components?.schemas?.[name]);
}

function completeResponses(
  operation: OperationObject,
  parameters: ParameterObject[],
): void {
  const responses = operation.responses;
  const validated =
    operation.requestBody !== undefined ||
    parameters.some(
      (parameter) =>
        parameter.in !== 'path' || !isPlainString(parameter.schema),
    );
  if (validated) {
    add(
      responses,
      400,
      'A parameter or the body is invalid: the message names it',
    );
  }
  if (operation.requestBody) {
    add(responses, 413, 'The body is larger than the server accepts');
    add(responses, 415, 'A body of a media type the operation does not take');
  }
  for (const [status, response] of Object.entries(responses)) {
    if (
      Number(status) < 400 ||
      response === undefined ||
      '$ref' in response ||
      response.content
    ) {
      continue;
    }
    response.content = {
      'application/json': { schema: ERROR_RESPONSE_SCHEMA },
    };
  }
}

function add(
  responses: ResponsesObject,
  status: number,
  description: string,
): void {
  responses[status] ??= { description };
}

function isPlainString(
  schema: SchemaObject | ReferenceObject | undefined,
): boolean {
  return (
    schema !== undefined &&
    !('$ref' in schema) &&
    schema.type === 'string' &&
    schema.pattern === undefined &&
    schema.enum === undefined
  );
}

function keepDeclaredSecurity(
  operation: OperationObject,
  declaredSchemes: Set<string>,
): void {
  if (!operation.security) return;
  const kept = operation.security.filter((requirement) =>
    Object.keys(requirement).every((scheme) => declaredSchemes.has(scheme)),
  );
  if (kept.length > 0) {
    operation.security = kept;
    return;
  }
  delete operation.security;
  delete operation.responses[401];
}
