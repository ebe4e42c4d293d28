import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  agreementReport,
  countFlips,
  emptyFlipMatrix,
  mergeFlipMatrices,
} from './agreement.js';

// The reference answered 0,0,0,1,1,9; the candidate moved one 0 to 6 and the 9 to 7.
const reference = [0, 0, 0, 1, 1, 9];
const candidate = [0, 6, 0, 1, 1, 7];

describe('agreement between two models', () => {
  const report = agreementReport(
    countFlips(emptyFlipMatrix(), reference, candidate),
  );

  it('is the share of inputs both models put in the same class', () => {
    assert.equal(report.compared, 6);
    assert.equal(report.agreement, 4 / 6);
  });

  it('is told per class of the reference answer', () => {
    assert.deepEqual(
      report.perClass
        .filter((entry) => entry.compared > 0)
        .map(({ label, compared, agreement }) => [label, compared, agreement]),
      [
        ['t-shirt-top', 3, 2 / 3],
        ['trouser', 2, 1],
        ['ankle-boot', 1, 0],
      ],
    );
  });

  it('keeps each flip, reference class as row and candidate class as column', () => {
    assert.equal(report.flipMatrix[0][6], 1);
    assert.equal(report.flipMatrix[9][7], 1);
    assert.equal(report.flipMatrix[0][0], 2);
  });

  it('adds up tallies counted apart into the tally of the whole', () => {
    const first = countFlips(
      emptyFlipMatrix(),
      reference.slice(0, 2),
      candidate.slice(0, 2),
    );
    const second = countFlips(
      emptyFlipMatrix(),
      reference.slice(2),
      candidate.slice(2),
    );
    assert.deepEqual(
      agreementReport(mergeFlipMatrices([first, second])),
      report,
    );
    assert.equal(first[0][6], 1, 'the parts are left as they were');
  });

  it('reports no agreement, not NaN, when nothing was compared', () => {
    const empty = agreementReport(emptyFlipMatrix());
    assert.equal(empty.compared, 0);
    assert.equal(empty.agreement, 0);
  });

  it('refuses answer lists of different lengths', () => {
    assert.throws(
      () => countFlips(emptyFlipMatrix(), [1, 2], [1]),
      /2 reference answers for 1 candidate answers/,
    );
  });
});
