import type { IncomingMessage } from 'node:http';

/** Methods that never change anything; every other one may. */
export const SAFE_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'OPTIONS',
]);

/** Sec-Fetch-Site values of a request the browser made for the page's own origin, or the user. */
const SAME_ORIGIN_SITES = new Set(['same-origin', 'none']);

const single = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/**
 * Why a request that changes state looks sent by a page of another site, or undefined when it does
 * not. A browser names the page's origin in `Origin` (and, to trustworthy origins, its relation in
 * `Sec-Fetch-Site`) on every such request, `no-cors` ones included, and no page can forge either;
 * clients that are not browsers send neither and are not concerned. The app's own host is the one
 * the client addressed: `X-Forwarded-Host` when a proxy (the gateway) forwarded the request, which
 * a page cannot set on a cross-site request either. Origins allowed by CORS_ORIGINS pass.
 */
export function crossSiteProblem(
  request: IncomingMessage,
  allowedOrigins: readonly string[],
): string | undefined {
  const origin = single(request.headers.origin);
  if (origin !== undefined && allowedOrigins.includes(origin)) return undefined;
  const refusal = `this request changes state and was sent by a page of another site (${origin ? `Origin ${origin}` : 'Sec-Fetch-Site'}): refused, so that no web page can act with its visitors' access; send it from this app's own page, a non-browser client, or an origin listed in CORS_ORIGINS`;
  const site = single(request.headers['sec-fetch-site']);
  if (site !== undefined && !SAME_ORIGIN_SITES.has(site)) return refusal;
  if (origin === undefined) return undefined;
  const host =
    single(request.headers['x-forwarded-host'])?.split(',')[0].trim() ??
    request.headers.host;
  return originHost(origin) === host?.toLowerCase() ? undefined : refusal;
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 addresses. */
export function isLoopbackAddress(address: string): boolean {
  const ipv4 = address.replace(/^::ffff:/i, '');
  return /^127\.\d+\.\d+\.\d+$/.test(ipv4) || address === '::1';
}

/**
 * The address of the client a request comes from. When it arrives from this machine with an
 * `X-Forwarded-For`, a proxy on this machine (the gateway) forwarded it and the last address of
 * the list is the one that proxy saw; earlier entries are whatever the client wrote and are
 * ignored. From another machine, the header is not trusted at all.
 */
export function clientAddress(request: IncomingMessage): string {
  const peer = request.socket.remoteAddress ?? '';
  const forwarded = single(request.headers['x-forwarded-for']);
  if (!isLoopbackAddress(peer) || !forwarded) return peer;
  return forwarded.split(',').at(-1)!.trim();
}
