/**
 * `POST /v2/models/{name}[/versions/{version}]/infer`: the protocol's image requests. `path` as
 * routePath gives it (lowercased, without query or trailing slash).
 */
const INFER_PATH = /^\/v2\/models\/[^/]+(\/versions\/[^/]+)?\/infer$/;

export function isInferRequest(
  method: string | undefined,
  path: string,
): boolean {
  return method === 'POST' && INFER_PATH.test(path);
}
