import {
  Agent,
  request as httpRequest,
  type ClientRequest,
  type OutgoingHttpHeaders,
} from 'node:http';
import type { AppProcess } from './test-apps.js';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A POST whose headers go at once and whose body is sent only when the caller says so: what an
 * app answers before it has read a byte of the body. Without `contentLength`, the body is chunked.
 */
export function startUpload(
  app: AppProcess,
  path: string,
  contentLength: number | undefined,
  options: {
    contentType?: string;
    headers?: OutgoingHttpHeaders;
    agent?: Agent;
  } = {},
): { request: ClientRequest; answer: Promise<Answer> } {
  const url = new URL(path, app.url);
  const request = httpRequest(url, {
    method: 'POST',
    agent: options.agent,
    headers: {
      'content-type': options.contentType ?? 'image/png',
      ...(contentLength === undefined
        ? {}
        : { 'content-length': String(contentLength) }),
      ...options.headers,
    },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    request.once('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.once('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body,
        }),
      );
    });
    request.once('error', reject);
  });
  request.flushHeaders();
  return { request, answer };
}

/**
 * Two uploads of `bytes` sent whole, one after the other, by a client of one socket: the second
 * goes on the first one's connection (`reused`) if the app kept it, or on a new one.
 */
export async function uploadTwiceOnOneConnection(
  app: AppProcess,
  path: string,
  bytes: number,
): Promise<{ status: number; connection: unknown; reused: boolean }[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const upload = async () => {
    const { request, answer } = startUpload(app, path, bytes, { agent });
    request.end(Buffer.alloc(bytes));
    const { status, headers } = await answer;
    return {
      status,
      connection: headers.connection,
      reused: request.reusedSocket,
    };
  };
  try {
    return [await upload(), await upload()];
  } finally {
    agent.destroy();
  }
}
