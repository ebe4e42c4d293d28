// Calls to the gateway (and, through it, the trainer) with failures turned into sentences.

/**
 * JSON from `path` (relative, so the page also works below a path prefix); throws an Error whose
 * message is lower-case, to be put after a colon.
 */
export async function api(path, { method = 'GET', json, form } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: json === undefined ? {} : { 'content-type': 'application/json' },
      body: json === undefined ? form : JSON.stringify(json),
    });
  } catch (error) {
    throw new Error(
      `the gateway could not be reached (${error.message}); is it running?`,
    );
  }
  const body = await response.json().catch(() => undefined);
  if (!response.ok) {
    throw new Error(describeFailure(response, body));
  }
  return body;
}

/** The server's own words, to follow "… could not be …: ". */
function describeFailure(response, body) {
  const message = Array.isArray(body?.message)
    ? body.message.join('; ')
    : body?.message;
  const status = `error ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  return message
    ? `${message} (${status}).`
    : `the request failed (${status}).`;
}
