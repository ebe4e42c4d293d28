import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Body,
  Controller,
  Get,
  type INestApplication,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiProperty,
  type OpenAPIObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { PositiveIntParam } from '#platform';
import { startProbeApp } from './probe-app.js';

class ItemDto {
  @ApiProperty()
  @IsString()
  name!: string;
}

@Controller('probe/items')
class ItemsController {
  @Get()
  list(@Query('limit') limit?: string): string[] {
    return [limit ?? 'all'];
  }

  @Post()
  create(@Body() item: ItemDto): ItemDto {
    return item;
  }

  @Get(':version')
  get(@PositiveIntParam('version') version: number): { version: number } {
    return { version };
  }
}

describe('the HTTP contract every app keeps (platform HTTP set-up)', () => {
  let app: INestApplication;
  let url: string;
  let document: OpenAPIObject;

  before(async () => {
    ({ app, url } = await startProbeApp([ItemsController]));
    document = (await (
      await fetch(`${url}/docs-json`)
    ).json()) as OpenAPIObject;
  });

  after(() => app?.close());

  it('answers a method a path does not have with 405 and the methods it has', async () => {
    for (const [method, path, allow] of [
      ['PATCH', '/probe/items', 'GET, POST, HEAD, OPTIONS'],
      ['DELETE', '/probe/items/7', 'GET, HEAD, OPTIONS'],
      ['PUT', '/health', 'GET, HEAD, OPTIONS'],
    ]) {
      const response = await fetch(`${url}${path}`, { method });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get('allow'), allow, `${method} ${path}`);
      const body = (await response.json()) as { message: string };
      assert.match(body.message, new RegExp(`^${method} is not allowed`));
    }
  });

  it('answers OPTIONS with the methods, and leaves unknown paths 404', async () => {
    const options = await fetch(`${url}/probe/items`, { method: 'OPTIONS' });
    assert.equal(options.status, 204);
    assert.equal(options.headers.get('allow'), 'GET, POST, HEAD, OPTIONS');
    const unknown = await fetch(`${url}/probe/nowhere`, { method: 'PATCH' });
    assert.equal(unknown.status, 404);
    const head = await fetch(`${url}/probe/items`, { method: 'HEAD' });
    assert.equal(head.status, 200);
  });

  it('takes positive integers only as a version, and documents exactly that', async () => {
    for (const version of [
      '0',
      '-1',
      '1.5',
      '-1.66e-228',
      '1e3',
      '9007199254740992',
      'x',
    ]) {
      const response = await fetch(`${url}/probe/items/${version}`);
      assert.equal(response.status, 400, version);
    }
    const ok = await fetch(`${url}/probe/items/9007199254740991`);
    assert.deepEqual(await ok.json(), { version: 9007199254740991 });
    const [parameter] = document.paths['/probe/items/{version}'].get!
      .parameters as { name: string; schema: SchemaObject }[];
    assert.equal(parameter.name, 'version');
    assert.deepEqual(parameter.schema, {
      type: 'integer',
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
    });
  });

  it('documents the errors the platform answers, each with the error body', () => {
    const items = document.paths['/probe/items'];
    assert.deepEqual(Object.keys(items.get!.responses).sort(), ['200', '400']);
    assert.deepEqual(Object.keys(items.post!.responses).sort(), [
      '201',
      '400',
      '413',
      '415',
    ]);
    for (const status of ['400', '413', '415']) {
      assert.deepEqual(
        (items.post!.responses[status] as { content: unknown }).content,
        {
          'application/json': {
            schema: { $ref: '#/components/schemas/ErrorResponseDto' },
          },
        },
      );
    }
    const error = document.components!.schemas!
      .ErrorResponseDto as SchemaObject;
    assert.deepEqual(
      (error.properties!.message as SchemaObject).oneOf?.map(
        (schema) => (schema as SchemaObject).type,
      ),
      ['string', 'array'],
    );
  });
});
