import { BadRequestException } from '@nestjs/common';
import type { Request } from 'express';

/** One image as received over HTTP, before any decoding. */
export interface Upload {
  /** The original file name, or "body" for a raw upload. */
  readonly source: string;
  readonly bytes: Buffer;
  /** The Content-Type the client declared for it. */
  readonly declaredType: string;
}

/**
 * A multipart upload holds image files only: a text field is refused (400) rather than ignored,
 * as the description says (no other property). A part without a filename is a text field to
 * multer, so an image sent without one is named as the likely mistake.
 */
export function refuseTextFields(request: Request): void {
  const [field] = Object.keys((request.body as object | undefined) ?? {});
  if (field !== undefined) {
    throw new BadRequestException(
      `unexpected text field '${field}': send images as files (a part with a filename)`,
    );
  }
}
