/** Side of the square images the models see, as in Fashion-MNIST. */
export const IMAGE_SIZE = 28;

/** Bytes of one preprocessed image: 28x28 8-bit grayscale, row-major, 0 = black background. */
export const IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE;

/** Images with their class indices, `count` of each; image i is `images[i*784 .. (i+1)*784)`. */
export interface LabelledImages {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
}
