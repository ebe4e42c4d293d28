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
