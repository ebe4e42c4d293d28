import type { INestApplication } from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import { METHODS, STATUS_CODES } from 'node:http';

/** What the Express router (the `router` package) keeps of a route registered with a method. */
interface RouteLayer {
  match(path: string): unknown;
  route?: { methods: Record<string, boolean | undefined> };
}

/**
 * Answers a request whose path has routes, none of them for its method, with 405 and `Allow`
 * listing the methods the path has (RFC 9110), instead of the router's 404; OPTIONS with 204 and
 * the same `Allow`. The table is the router's own, read at the first request (every route is
 * registered by then), so a route added anywhere is covered without a mark of its own. Paths
 * without routes (the gateway's trainer proxy, static files) pass through untouched.
 */
export function answerUnsupportedMethods(
  app: INestApplication,
): RequestHandler {
  let routes: RouteLayer[] | undefined;
  return (request, response, next) => {
    routes ??= routeLayersOf(app);
    const allowed = allowedMethods(routes, request.path);
    if (allowed.size === 0 || allowed.has(request.method)) {
      next();
      return;
    }
    respond(request, response, [...allowed, 'OPTIONS'].join(', '));
  };
}

function routeLayersOf(app: INestApplication): RouteLayer[] {
  const express = app.getHttpAdapter().getInstance() as {
    router: { stack: RouteLayer[] };
  };
  return express.router.stack.filter(isEndpoint);
}

/**
 * The methods of the routes matching `path` (HEAD with GET, as Express answers it). Routes for
 * every method are left out: Nest registers middleware bound to paths so (`forRoutes`), and no
 * controller here has an `@All()` endpoint.
 */
function allowedMethods(routes: RouteLayer[], path: string): Set<string> {
  const allowed = new Set<string>();
  for (const layer of routes) {
    if (!matches(layer, path)) continue;
    for (const method of Object.keys(layer.route!.methods)) {
      allowed.add(method.toUpperCase());
    }
  }
  if (allowed.has('GET')) allowed.add('HEAD');
  return allowed;
}

const EVERY_METHOD = METHODS.map((method) => method.toLowerCase());

function isEndpoint(layer: RouteLayer): boolean {
  const methods = layer.route?.methods;
  return (
    methods !== undefined &&
    !methods._all &&
    !EVERY_METHOD.every((method) => methods[method])
  );
}

function matches(layer: RouteLayer, path: string): boolean {
  try {
    return Boolean(layer.match(path));
  } catch {
    // A malformed escape in the path: the router answers it 400 itself.
    return false;
  }
}

function respond(request: Request, response: Response, allow: string): void {
  response.setHeader('Allow', allow);
  if (request.method === 'OPTIONS') {
    response.status(204).end();
    return;
  }
  response.status(405).json({
    statusCode: 405,
    message: `${request.method} is not allowed on ${request.path}: it answers ${allow}`,
    error: STATUS_CODES[405],
  });
}
