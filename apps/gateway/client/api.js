// Calls to the gateway (and, through it, the trainer) with failures turned into sentences.

const API_KEY_STORAGE = 'fashion-kafka.trainer-api-key';

/** The trainer's API key as the user entered it, for this tab's session only (never stored longer). */
export const trainerApiKey = {
  get: () => sessionStorage.getItem(API_KEY_STORAGE) ?? '',
  set: (key) =>
    key
      ? sessionStorage.setItem(API_KEY_STORAGE, key)
      : sessionStorage.removeItem(API_KEY_STORAGE),
};

/**
 * JSON from `path` (relative, so the page also works below a path prefix); throws an Error whose
 * message is lower-case, to be put after a colon. `withApiKey`: a change to the trainer's state,
 * which carries the trainer's API key when the user gave one.
 */
export async function api(
  path,
  { method = 'GET', json, form, withApiKey = false } = {},
) {
  const headers =
    json === undefined ? {} : { 'content-type': 'application/json' };
  const key = withApiKey ? trainerApiKey.get() : '';
  if (key) headers['x-api-key'] = key;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: json === undefined ? form : JSON.stringify(json),
    });
  } catch (error) {
    throw new Error(
      `the gateway could not be reached (${error.message}); is it running?`,
    );
  }
  const body = await response.json().catch(() => undefined);
  if (!response.ok) {
    throw new Error(describeFailure(response, body, key));
  }
  return body;
}

/** The server's own words, to follow "… could not be …: ". */
function describeFailure(response, body, key) {
  const status = `error ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  // The trainer's 401 tells an API client which headers to send; a user needs the field instead.
  if (response.status === 401) {
    return key
      ? `the trainer did not accept the API key: check the "Trainer API key" field above the job form (${status}).`
      : `the trainer asks for its API key: enter it in the "Trainer API key" field above the job form (${status}).`;
  }
  const message = Array.isArray(body?.message)
    ? body.message.join('; ')
    : body?.message;
  return message
    ? `${message} (${status}).`
    : `the request failed (${status}).`;
}
