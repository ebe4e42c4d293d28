import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateEnvironment } from '#platform';
import { TrainerEnvironment } from './trainer.environment.js';

const validate = validateEnvironment(TrainerEnvironment);

describe('TRAINER_API_KEY', () => {
  it('is unset by default, leaving the API open', () => {
    assert.equal(validate({}).TRAINER_API_KEY, null);
  });

  it('counts as unset when empty, as a compose file passes an unset variable', () => {
    assert.equal(validate({ TRAINER_API_KEY: '' }).TRAINER_API_KEY, null);
  });

  it('is kept exactly as given', () => {
    const key = 'k3y/With+Symbols=0123456789';
    assert.equal(validate({ TRAINER_API_KEY: key }).TRAINER_API_KEY, key);
  });

  it('refuses a key that a header could not carry: spaces, line breaks', () => {
    for (const key of ['0123456789 abcdef', '0123456789abcdef\n']) {
      assert.throws(
        () => validate({ TRAINER_API_KEY: key }),
        /TRAINER_API_KEY must be printable ASCII without spaces/,
      );
    }
  });

  it('refuses a key short enough to be guessed, naming the variable', () => {
    assert.throws(
      () => validate({ TRAINER_API_KEY: 'secret' }),
      /TRAINER_API_KEY must be at least 16 characters/,
    );
  });
});

describe('HTTP_HOST of the trainer', () => {
  it('is loopback by default', () => {
    assert.equal(validate({}).HTTP_HOST, '127.0.0.1');
  });

  it('may reach other machines only with a key, and says which variable to set', () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.2']) {
      assert.throws(
        () => validate({ HTTP_HOST: host }),
        /HTTP_HOST is .* and TRAINER_API_KEY is not set: set TRAINER_API_KEY/,
      );
    }
    assert.equal(
      validate({ HTTP_HOST: '0.0.0.0', TRAINER_API_KEY: 'k'.repeat(16) })
        .HTTP_HOST,
      '0.0.0.0',
    );
  });
});
