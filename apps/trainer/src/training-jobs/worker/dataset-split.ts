import { IMAGE_PIXELS, seededRandom, type LabelledImages } from '#fmnist';

/** The indices 0..count-1 in an order that depends only on the seed (Fisher-Yates). */
export function permutation(count: number, seed: number): Uint32Array {
  const random = seededRandom(seed);
  const order = Uint32Array.from({ length: count }, (_, index) => index);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** The images at `indices`, in that order, copied into arrays of their own. */
export function pick(
  source: LabelledImages,
  indices: ArrayLike<number>,
): LabelledImages {
  const images = new Uint8Array(indices.length * IMAGE_PIXELS);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i];
    images.set(
      source.images.subarray(from * IMAGE_PIXELS, (from + 1) * IMAGE_PIXELS),
      i * IMAGE_PIXELS,
    );
    labels[i] = source.labels[from];
  }
  return { images, labels, count: indices.length };
}

/**
 * Splits a shuffled index list: the first `fraction` (rounded, but leaving at least one item on
 * each side when there are two or more) goes to the held-out part.
 */
export function splitIndices(
  order: Uint32Array,
  fraction: number,
): { kept: Uint32Array; heldOut: Uint32Array } {
  let heldOut = Math.round(order.length * fraction);
  if (fraction > 0 && order.length >= 2) {
    heldOut = Math.min(Math.max(heldOut, 1), order.length - 1);
  }
  return {
    heldOut: order.subarray(0, heldOut),
    kept: order.subarray(heldOut),
  };
}
