import { LABELS, NUM_CLASSES } from '../labels.js';

/**
 * `flips[reference][candidate]`: how many inputs the reference model put in one class and the
 * candidate in another (the diagonal is where they agree). A plain matrix of counts, so tallies
 * kept apart (one per classifier replica, one per replay chunk) add up to the tally of the whole.
 */
export type FlipMatrix = number[][];

export interface ClassAgreement {
  /** The class as the reference model answered it. */
  readonly label: string;
  readonly compared: number;
  /** Of the inputs the reference put in this class, the share the candidate put there too. */
  readonly agreement: number;
}

export interface AgreementReport {
  readonly compared: number;
  /** The share of inputs both models put in the same class (0 when none were compared). */
  readonly agreement: number;
  readonly perClass: readonly ClassAgreement[];
  readonly flipMatrix: FlipMatrix;
}

export function emptyFlipMatrix(): FlipMatrix {
  return Array.from({ length: NUM_CLASSES }, () =>
    new Array<number>(NUM_CLASSES).fill(0),
  );
}

/** Counts each pair of answers, `reference[i]` against `candidate[i]`, into `flips`. */
export function countFlips(
  flips: FlipMatrix,
  reference: ArrayLike<number>,
  candidate: ArrayLike<number>,
): FlipMatrix {
  if (reference.length !== candidate.length) {
    throw new RangeError(
      `${reference.length} reference answers for ${candidate.length} candidate answers`,
    );
  }
  for (let i = 0; i < reference.length; i++) {
    flips[reference[i]][candidate[i]]++;
  }
  return flips;
}

/** The tally of everything `tallies` counted, each left as it was. */
export function mergeFlipMatrices(
  tallies: readonly (readonly (readonly number[])[])[],
): FlipMatrix {
  const merged = emptyFlipMatrix();
  for (const tally of tallies) {
    tally.forEach((row, from) =>
      row.forEach((count, to) => (merged[from][to] += count)),
    );
  }
  return merged;
}

export function agreementReport(
  flips: readonly (readonly number[])[],
): AgreementReport {
  const share = (part: number, whole: number) =>
    whole === 0 ? 0 : part / whole;
  const perClass = LABELS.map(({ index, slug }) => {
    const compared = flips[index].reduce((sum, n) => sum + n, 0);
    return {
      label: slug,
      compared,
      agreement: share(flips[index][index], compared),
    };
  });
  const compared = perClass.reduce((sum, entry) => sum + entry.compared, 0);
  const agreed = LABELS.reduce(
    (sum, { index }) => sum + flips[index][index],
    0,
  );
  return {
    compared,
    agreement: share(agreed, compared),
    perClass,
    flipMatrix: flips.map((row) => [...row]),
  };
}
