import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IsInt, Max, Min } from 'class-validator';
import { HttpEnvironment } from './http.environment.js';
import { validateEnvironment } from './validate-environment.js';

class ExampleEnvironment extends HttpEnvironment {
  @IsInt({ message: 'EXAMPLE_PORT must be an integer' })
  @Min(0)
  @Max(65535)
  EXAMPLE_PORT: number = 4000;
}

const validate = validateEnvironment(ExampleEnvironment);

describe('validateEnvironment', () => {
  it('applies the documented defaults when nothing is set', () => {
    const environment = validate({});
    assert.deepEqual(environment.KAFKA_BROKERS, ['localhost:9092']);
    assert.equal(environment.LOG_LEVEL, 'info');
    assert.equal(environment.HTTP_HOST, '0.0.0.0');
    assert.deepEqual(environment.CORS_ORIGINS, []);
    assert.equal(environment.EXAMPLE_PORT, 4000);
    assert.equal(environment.KAFKA_REQUEST_PARTITIONS, 4);
    assert.equal(environment.KAFKA_REPLY_PARTITIONS, 4);
    assert.equal(environment.KAFKA_REQUEST_RETENTION_MS, 24 * 3600 * 1000);
  });

  it('converts numbers and splits the lists', () => {
    const environment = validate({
      EXAMPLE_PORT: '8080',
      KAFKA_BROKERS: 'a:9092, b:9093',
      CORS_ORIGINS: 'https://shop.example, http://localhost:5173,',
    });
    assert.equal(environment.EXAMPLE_PORT, 8080);
    assert.deepEqual(environment.KAFKA_BROKERS, ['a:9092', 'b:9093']);
    assert.deepEqual(environment.CORS_ORIGINS, [
      'https://shop.example',
      'http://localhost:5173',
    ]);
  });

  it('rejects a bad value with a message naming the variable', () => {
    assert.throws(
      () => validate({ EXAMPLE_PORT: 'eighty' }),
      /EXAMPLE_PORT must be an integer/,
    );
    assert.throws(
      () => validate({ KAFKA_BROKERS: 'no-port' }),
      /KAFKA_BROKERS must be a comma-separated list/,
    );
    assert.throws(
      () => validate({ LOG_LEVEL: 'loud' }),
      /LOG_LEVEL must be one of/,
    );
    assert.throws(
      () => validate({ CORS_ORIGINS: 'https://shop.example/app' }),
      /CORS_ORIGINS must be a comma-separated list of origins/,
    );
    assert.throws(
      () => validate({ KAFKA_REQUEST_PARTITIONS: '0' }),
      /KAFKA_REQUEST_PARTITIONS must be at least 1/,
    );
    assert.throws(
      () => validate({ KAFKA_REPLY_PARTITIONS: 'four' }),
      /KAFKA_REPLY_PARTITIONS must be an integer/,
    );
  });
});
