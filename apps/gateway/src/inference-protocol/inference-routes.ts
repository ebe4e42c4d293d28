/** `POST /v2/models/{name}[/versions/{version}]/infer`: the protocol's image requests. */
const INFER_PATH = /^\/v2\/models\/[^/]+(\/versions\/[^/]+)?\/infer\/?$/;

export function isInferRequest(method: string, path: string): boolean {
  return method === 'POST' && INFER_PATH.test(path);
}
