import type { RequestBodyObject, SchemaObject } from '@nestjs/swagger';

const IMAGE_FILE: SchemaObject = {
  type: 'string',
  format: 'binary',
  description: 'An image file (PNG, JPEG, WebP, GIF, TIFF, AVIF)',
};

/** The raw image types taken as the whole body (anything `image/*` is tried). */
const RAW_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];

/**
 * The request body of an upload, per media type: multipart with the image in `file` (and, where
 * several are taken, `files`), one of them required, no other field; or the image itself.
 */
export function imageUploadBody({
  several,
}: {
  several: boolean;
}): RequestBodyObject {
  const fields: Record<string, SchemaObject> = { file: IMAGE_FILE };
  if (several) {
    fields.files = {
      type: 'array',
      items: IMAGE_FILE,
      minItems: 1,
      description:
        'Several images, classified together (at most MAX_IMAGES_PER_UPLOAD)',
    };
  }
  const multipart: SchemaObject = {
    type: 'object',
    properties: fields,
    additionalProperties: false,
    ...(several
      ? { anyOf: Object.keys(fields).map((name) => ({ required: [name] })) }
      : { required: ['file'] }),
  };
  return {
    required: true,
    content: {
      'multipart/form-data': {
        schema: multipart,
        // A part must declare an image type: one sent as text/plain is refused (415).
        encoding: Object.fromEntries(
          Object.keys(fields).map((name) => [name, { contentType: 'image/*' }]),
        ),
      },
      ...(several
        ? Object.fromEntries(
            RAW_IMAGE_TYPES.map((type) => [type, { schema: IMAGE_FILE }]),
          )
        : {}),
    },
  };
}
