/** Why an input could not be turned into an image. */
export type ImageDecodeReason =
  'empty' | 'unsupported-format' | 'corrupt' | 'too-large';

/** Input that is not a decodable image of a supported format; the apps answer it with a 4xx. */
export class ImageDecodeError extends Error {
  constructor(
    readonly reason: ImageDecodeReason,
    message: string,
  ) {
    super(message);
    this.name = 'ImageDecodeError';
  }
}
