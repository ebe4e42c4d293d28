import type { ClassificationErrorCode } from '#fmnist';

/** A request the classifier refuses, with the code the gateway maps to an HTTP status. */
export class ClassificationFailure extends Error {
  constructor(
    readonly code: ClassificationErrorCode,
    message: string,
  ) {
    super(message);
  }
}
