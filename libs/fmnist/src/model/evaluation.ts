import { LABELS, NUM_CLASSES } from '../labels.js';

export interface ClassMetrics {
  readonly index: number;
  readonly slug: string;
  /** Of the items predicted as this class, the share that are. */
  readonly precision: number;
  /** Of the items of this class, the share predicted as it. */
  readonly recall: number;
  readonly f1: number;
  /** Items of this class. */
  readonly support: number;
}

export interface Evaluation {
  readonly count: number;
  readonly accuracy: number;
  readonly perClass: readonly ClassMetrics[];
  /** `confusion[actual][predicted]`: how many items of a class were predicted as each class. */
  readonly confusion: readonly (readonly number[])[];
}

/**
 * The test-set metrics of a trained model, the one declaration of them: the trainer's job
 * result and its DTO implement it, and a model record's `metrics` (ModelMetricsSchema, which
 * also reads older records lacking some fields) accepts it.
 */
export interface TestSetMetrics {
  accuracy: number;
  /** Mean cross-entropy. */
  loss?: number;
  /** In label order, each class by its slug. */
  perClass: { label: string; precision: number; recall: number; f1: number }[];
  /** `confusionMatrix[actual][predicted]`, in label order. */
  confusionMatrix: number[][];
  /** Which data the model was tested on, e.g. `fmnist:test`. */
  evaluatedOn: string;
}

/** `evaluation` as the test-set metrics of a model tested on `evaluatedOn`. */
export function testSetMetrics(
  evaluation: Evaluation,
  evaluatedOn: string,
  loss?: number,
): TestSetMetrics {
  return {
    accuracy: evaluation.accuracy,
    loss,
    perClass: evaluation.perClass.map((entry) => ({
      label: entry.slug,
      precision: entry.precision,
      recall: entry.recall,
      f1: entry.f1,
    })),
    confusionMatrix: evaluation.confusion.map((row) => [...row]),
    evaluatedOn,
  };
}

/** The index of the largest of `values` (the first, on a tie): the most probable class. */
export function argMax(
  values: ArrayLike<number>,
  from = 0,
  to = values.length,
): number {
  let best = from;
  for (let index = from + 1; index < to; index++) {
    if (values[index] > values[best]) best = index;
  }
  return best - from;
}

/** The most probable class of each row of `probabilities` (rows of 10, one per item). */
export function argMaxRows(probabilities: ArrayLike<number>): Uint8Array {
  const count = Math.floor(probabilities.length / NUM_CLASSES);
  const predicted = new Uint8Array(count);
  for (let row = 0; row < count; row++) {
    const offset = row * NUM_CLASSES;
    predicted[row] = argMax(probabilities, offset, offset + NUM_CLASSES);
  }
  return predicted;
}

/**
 * Accuracy, per-class precision, recall and F1, and the confusion matrix of predictions against
 * the true classes. A class never predicted (or never present) has precision (or recall) 0.
 */
export function evaluate(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
): Evaluation {
  if (actual.length !== predicted.length) {
    throw new RangeError(
      `${actual.length} true labels for ${predicted.length} predictions`,
    );
  }
  const confusion = Array.from({ length: NUM_CLASSES }, () =>
    new Array<number>(NUM_CLASSES).fill(0),
  );
  for (let i = 0; i < actual.length; i++) {
    confusion[actual[i]][predicted[i]]++;
  }
  const ratio = (part: number, whole: number) =>
    whole === 0 ? 0 : part / whole;
  const perClass = LABELS.map(({ index, slug }) => {
    const correct = confusion[index][index];
    const support = confusion[index].reduce((sum, n) => sum + n, 0);
    const predictedAs = confusion.reduce((sum, row) => sum + row[index], 0);
    const precision = ratio(correct, predictedAs);
    const recall = ratio(correct, support);
    const f1 = ratio(2 * precision * recall, precision + recall);
    return { index, slug, precision, recall, f1, support };
  });
  const correct = perClass.reduce(
    (sum, { index }) => sum + confusion[index][index],
    0,
  );
  return {
    count: actual.length,
    accuracy: ratio(correct, actual.length),
    perClass,
    confusion,
  };
}
