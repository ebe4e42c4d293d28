import { ConfigService } from '@nestjs/config';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rootCertificates } from 'node:tls';
import { PlatformEnvironment } from '../config/platform.environment.js';
import { validateEnvironment } from '../config/validate-environment.js';
import { appKafkaConfig, kafkaClientConfig } from './kafka-client.config.js';

const validate = validateEnvironment(PlatformEnvironment);
const configOf = (env: Record<string, string>) =>
  kafkaClientConfig(validate({ KAFKA_BROKERS: 'kafka:9093', ...env }), 'app');

describe('the Kafka connection settings (KAFKA_SASL_*, KAFKA_SSL*)', () => {
  let folder: string;
  let caFile: string;
  const pem =
    '-----BEGIN CERTIFICATE-----\nprivate CA\n-----END CERTIFICATE-----\n';

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'kafka-ca-'));
    caFile = join(folder, 'ca.pem');
    await writeFile(caFile, pem);
  });

  after(() => rm(folder, { recursive: true, force: true }));

  it('connects in plain text without authentication by default', () => {
    const config = configOf({});
    assert.deepEqual(config.brokers, ['kafka:9093']);
    assert.equal(config.ssl, false);
    assert.equal(config.sasl, undefined);
  });

  it('authenticates with each SASL mechanism, empty variables counting as unset', () => {
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512']) {
      assert.deepEqual(
        configOf({
          KAFKA_SASL_MECHANISM: mechanism,
          KAFKA_SASL_USERNAME: 'fashion',
          KAFKA_SASL_PASSWORD: 's3cret',
        }).sasl,
        { mechanism, username: 'fashion', password: 's3cret' },
      );
    }
    assert.equal(configOf({ KAFKA_SASL_MECHANISM: '' }).sasl, undefined);
  });

  it('uses TLS, trusting a private CA as well as the system ones', () => {
    assert.equal(configOf({ KAFKA_SSL: 'true' }).ssl, true);
    const { ssl } = configOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: caFile });
    assert.deepEqual(ssl, { ca: [...rootCertificates, pem] });
  });

  it('refuses incomplete or unknown settings, naming the variable', () => {
    const refusals: [Record<string, string>, RegExp][] = [
      [
        { KAFKA_SASL_MECHANISM: 'gssapi' },
        /KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512/,
      ],
      [
        { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: 'x' },
        /KAFKA_SASL_USERNAME must be set with KAFKA_SASL_MECHANISM/,
      ],
      [
        { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'x' },
        /KAFKA_SASL_PASSWORD must be set with KAFKA_SASL_MECHANISM/,
      ],
      [{ KAFKA_SSL: 'maybe' }, /KAFKA_SSL must be true or false/],
      [
        { KAFKA_SSL_CA_FILE: caFile },
        /KAFKA_SSL_CA_FILE is set: set KAFKA_SSL=true too/,
      ],
      [
        { KAFKA_SSL: 'yes', KAFKA_SSL_CA_FILE: join(folder, 'missing.pem') },
        /KAFKA_SSL_CA_FILE .*missing\.pem cannot be read/,
      ],
    ];
    for (const [env, message] of refusals) {
      assert.throws(() => configOf(env), message, JSON.stringify(env));
    }
  });

  it("names each of an app's clients <KAFKA_CLIENT_ID_PREFIX>-<role>, on the app's connection", () => {
    const config = new ConfigService<PlatformEnvironment, true>(
      validate({
        KAFKA_BROKERS: 'kafka:9093',
        KAFKA_CLIENT_ID_PREFIX: 'shop',
        KAFKA_SSL: 'true',
      }),
    );
    const settings = appKafkaConfig(config, 'gateway');
    assert.equal(settings.clientId, 'shop-gateway');
    assert.deepEqual(settings.brokers, ['kafka:9093']);
    assert.equal(settings.ssl, true);
  });
});
