import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Request } from 'express';
import type { AdmissionControlService } from '../admission/admission-control.service.js';
import { ClassificationController } from './classification.controller.js';
import type {
  ClassificationService,
  PreparedImage,
} from './classification.service.js';
import type { Upload } from './upload.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('ClassificationController', () => {
  it('lets go of the uploads once they are reduced to 28x28, while the reply is awaited', async () => {
    let replied: () => void = () => undefined;
    const service = {
      prepare: (uploads: Upload[]) =>
        Promise.resolve(
          uploads.map(({ source }): PreparedImage => ({
            source,
            pixels: new Uint8Array(784),
          })),
        ),
      classify: () =>
        new Promise<[]>((resolve) => (replied = () => resolve([]))),
    } as unknown as ClassificationService;
    const admission = {
      receivedAt: () => Date.now(),
    } as unknown as AdmissionControlService;
    const controller = new ClassificationController(service, admission);

    // Held by multer's `request.files` and by the handler's argument, as in a real request.
    const uploadBytes: WeakRef<Buffer>[] = [];
    const request = {
      id: 'spec',
      is: (type: string) => type === 'multipart/form-data',
    } as unknown as Request;
    const files = Array.from({ length: 4 }, (_, index) => {
      const buffer = Buffer.alloc(1024 * 1024, index);
      uploadBytes.push(new WeakRef(buffer));
      return {
        fieldname: 'files',
        originalname: `${index}.png`,
        mimetype: 'image/png',
        buffer,
      };
    }) as unknown as Express.Multer.File[];
    Object.assign(request, { files });

    const answer = controller.classify(request, {}, files);
    await nextTurn();
    gc();
    await nextTurn();
    assert.deepEqual(
      uploadBytes.map((bytes) => bytes.deref() === undefined),
      [true, true, true, true],
    );
    replied();
    assert.deepEqual(await answer, { results: [] });
  });
});
