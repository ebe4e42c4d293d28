import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClassificationErrorCode, ImageDecodeError } from '#fmnist';
import { classificationError, uploadError } from './classification.errors.js';

describe('errors of a classification, as clients see them', () => {
  it("keep the classifier's exception text out of a 502", () => {
    for (const code of [
      ClassificationErrorCode.internal,
      ClassificationErrorCode.invalidRequest,
    ]) {
      const failure = classificationError(
        {
          code,
          message:
            'TypeError: x is undefined at /app/dist/apps/classifier/src/main.js:1',
        },
        1000,
      );
      assert.equal(failure.getStatus(), 502);
      assert.equal(
        failure.message,
        'the classifier could not process this request; retry later',
      );
    }
  });

  it("keep the codec's text out of a 422", () => {
    const failure = uploadError(
      'shirt.gif',
      new ImageDecodeError(
        'corrupt',
        'the image cannot be decoded: gifload_buffer: no frames in GIF',
      ),
    );
    assert.equal(failure.getStatus(), 422);
    assert.equal(
      failure.message,
      'shirt.gif: the image cannot be decoded: it is corrupt or truncated',
    );
  });
});
