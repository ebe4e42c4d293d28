import { AppProcess, type AppName } from '../launcher/app-process.js';
import { freePort } from './free-port.js';
import { testBrokers } from './test-kafka.js';
export type { AppProcess } from '../launcher/app-process.js';

const PORT_VARIABLES: Record<AppName, string> = {
  gateway: 'GATEWAY_PORT',
  classifier: 'CLASSIFIER_PORT',
  trainer: 'TRAINER_PORT',
};

/** Starts an app process on a free port against the tests' broker, its output captured. */
export async function startTestApp(
  app: AppName,
  env: NodeJS.ProcessEnv = {},
): Promise<AppProcess> {
  const port = await freePort();
  return AppProcess.start({
    app,
    port,
    env: {
      ...process.env,
      KAFKA_BROKERS: testBrokers(),
      ...env,
      [PORT_VARIABLES[app]]: String(port),
    },
    output: 'capture',
  });
}

/** POSTs one PNG to a gateway's classification endpoint, as a browser form would. */
export function postImage(
  gateway: AppProcess,
  png: Buffer,
  {
    model,
    ...init
  }: Pick<RequestInit, 'headers' | 'signal'> & {
    /** `name` or `name:version`, when not the active model. */
    model?: string;
  } = {},
): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([png], { type: 'image/png' }), 'item.png');
  const query = model ? `?model=${encodeURIComponent(model)}` : '';
  return fetch(`${gateway.url}/v1/classifications${query}`, {
    ...init,
    method: 'POST',
    body: form,
  });
}
