import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Body,
  Controller,
  Get,
  HttpException,
  type INestApplication,
  type LoggerService,
  Post,
} from '@nestjs/common';
import { startProbeApp } from './probe-app.js';

/** What an unexpected failure knows that no client should see. */
const INTERNAL_DETAIL = 'connection to db-7.internal:5432 refused';

@Controller('probe')
class ProbeController {
  @Get('unexpected')
  unexpected(): never {
    throw new Error(INTERNAL_DETAIL);
  }

  @Get('bare-message')
  bareMessage(): never {
    throw new HttpException('slow down', 429);
  }

  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return body;
  }
}

/** Keeps what Nest logs, so the test can tell what stays on the server side. */
class RecordingLogger implements LoggerService {
  readonly errors: unknown[][] = [];
  log(): void {}
  warn(): void {}
  error(...parameters: unknown[]): void {
    this.errors.push(parameters);
  }
}

describe('the error answers of every app (platform HTTP set-up)', () => {
  let app: INestApplication;
  let url: string;
  const logger = new RecordingLogger();

  const request = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${url}${path}`, init);
    const text = await response.text();
    return {
      status: response.status,
      text,
      body: JSON.parse(text) as Record<string, unknown>,
    };
  };

  before(async () => {
    // After the platform's own logger, so that what the app logs is recorded here.
    ({ app, url } = await startProbeApp([ProbeController], (probe) =>
      probe.useLogger(logger),
    ));
  });

  after(() => app?.close());

  it('answers an unexpected exception with a generic 500, and logs it with its stack', async () => {
    const { status, text, body } = await request('/probe/unexpected');
    assert.equal(status, 500);
    assert.deepEqual(body, {
      statusCode: 500,
      message: 'Internal server error',
    });
    assert.doesNotMatch(text, /db-7|ProbeController|\.js/);
    const logged = logger.errors.flat().find((entry) => entry instanceof Error);
    assert.ok(logged instanceof Error, 'the exception was logged');
    assert.equal(logged.message, INTERNAL_DETAIL);
    assert.match(logged.stack ?? '', /ProbeController\.unexpected/);
  });

  it('names a malformed JSON body', async () => {
    const { status, body } = await request('/probe/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    });
    assert.equal(status, 400);
    assert.match(String(body.message), /^malformed JSON body: /);
  });

  it('names the size limit of a body over it', async () => {
    const { status, body } = await request('/probe/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(200_000) }),
    });
    assert.equal(status, 413);
    assert.equal(
      body.message,
      'the request body is too large: at most 102400 bytes',
    );
  });

  it('shapes every error body alike, a bare message included', async () => {
    for (const path of ['/probe/bare-message', '/probe/nowhere']) {
      const { status, body } = await request(path);
      assert.ok(status >= 400, path);
      assert.deepEqual(Object.keys(body).sort(), [
        'error',
        'message',
        'statusCode',
      ]);
      assert.equal(body.statusCode, status);
    }
  });
});
