import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AppProcess } from '../../../tools/platform/app-process.js';
import {
  request,
  startTrainer,
  trainerFolders,
  type TrainerFolders,
} from './trainer-test-kit.js';

describe('training job parameters', () => {
  let folders: TrainerFolders;
  let trainer: AppProcess;

  before(async () => {
    folders = await trainerFolders();
    const outside = join(folders.dataRoot, '..', 'outside');
    await mkdir(join(outside, 'coat'), { recursive: true });
    await writeFile(join(outside, 'coat', 'a.png'), 'not read');
    await mkdir(join(folders.dataRoot, 'empty', 'coat'), { recursive: true });
    await mkdir(join(folders.dataRoot, 'unlabelled', 'misc'), {
      recursive: true,
    });
    await writeFile(join(folders.dataRoot, 'unlabelled', 'misc', 'a.png'), '');
    await symlink(outside, join(folders.dataRoot, 'link-out'));
    trainer = await startTrainer(folders, { TRAINER_MAX_EPOCHS: '20' });
  });

  after(async () => {
    await trainer?.stop();
    await folders?.remove();
  });

  const refused: [string, object, RegExp][] = [
    ['negative epochs', { epochs: -1 }, /^epochs must not be less than 1/],
    [
      'epochs above TRAINER_MAX_EPOCHS',
      { epochs: 21 },
      /^epochs must not be greater than 20/,
    ],
    ['fractional epochs', { epochs: 1.5 }, /^epochs must be an integer/],
    [
      'an unknown architecture',
      { architecture: 'resnet-1000' },
      /^architecture must be one of .*default-cnn/,
    ],
    [
      'a path with ..',
      { dataset: { kind: 'folder', path: '../x' } },
      /^dataset\.path must not contain "\.\."/,
    ],
    [
      'an absolute path',
      { dataset: { kind: 'folder', path: '/etc' } },
      /^dataset\.path must be relative to the data root/,
    ],
    [
      'a symbolic link out of the data root',
      { dataset: { kind: 'folder', path: 'link-out' } },
      /^dataset\.path "link-out" leads outside the data root/,
    ],
    [
      'a missing folder',
      { dataset: { kind: 'folder', path: 'nowhere' } },
      /^dataset\.path "nowhere": no such folder/,
    ],
    [
      'a folder with no images',
      { dataset: { kind: 'folder', path: 'empty' } },
      /^dataset\.path "empty" holds no images/,
    ],
    [
      'a folder with no label folders',
      { dataset: { kind: 'folder', path: 'unlabelled' } },
      /^dataset\.path "unlabelled" holds no images/,
    ],
    [
      'an unknown dataset kind',
      { dataset: { kind: 'imagenet' } },
      /^dataset\.kind must be "fmnist" or "folder"/,
    ],
    [
      'a folder without its path',
      { dataset: { kind: 'folder' } },
      /^dataset\.path /,
    ],
    [
      'a dataset that is a list holding null',
      { dataset: [null] },
      /^dataset must be an object/,
    ],
    [
      'a dataset that is a list',
      { dataset: [{ kind: 'fmnist' }] },
      /^dataset must be an object/,
    ],
    [
      'a train limit beyond the split',
      { dataset: { kind: 'fmnist', trainLimit: 70_000 } },
      /^dataset\.trainLimit must not be greater than 60000/,
    ],
    [
      'a zero batch size',
      { batchSize: 0 },
      /^batchSize must not be less than 1/,
    ],
    [
      'a negative learning rate',
      { learningRate: -0.1 },
      /^learningRate must not be less than/,
    ],
    [
      'a validation split of 0.9',
      { validationSplit: 0.9 },
      /^validationSplit must not be greater than 0.5/,
    ],
    [
      'early stopping without patience',
      { earlyStopping: { minDelta: 0.01 } },
      /^earlyStopping\.patience /,
    ],
    [
      'early stopping as a list',
      { earlyStopping: [{ patience: 2 }] },
      /^earlyStopping must be an object/,
    ],
    ['a negative seed', { seed: -3 }, /^seed must not be less than 0/],
    [
      'a model name with a colon',
      { modelName: 'a:b' },
      /^modelName must start with a letter or digit/,
    ],
    ['promote as text', { promote: 'yes' }, /^promote must be a boolean/],
    [
      'an unknown parameter',
      { optimizer: 'sgd' },
      /^property optimizer should not exist/,
    ],
  ];

  for (const [what, parameters, message] of refused) {
    it(`refuses ${what} with a 400 naming the field`, async () => {
      const { status, body } = await request<{ message: string[] }>(
        trainer,
        'POST',
        '/v1/training-jobs',
        parameters,
      );
      assert.equal(status, 400);
      assert.ok(
        body.message.some((line) => message.test(line)),
        JSON.stringify(body.message),
      );
    });
  }

  // Without JSON no parser reads the body, and the job would silently get every default.
  const notJson: [string, string | Uint8Array<ArrayBuffer>][] = [
    ["text (fetch's type for a string)", JSON.stringify({ epochs: 1 })],
    [
      'no Content-Type',
      new TextEncoder().encode(JSON.stringify({ epochs: 1 })),
    ],
  ];
  for (const [what, body] of notJson) {
    it(`refuses parameters sent as ${what} with a 415 asking for JSON`, async () => {
      const response = await fetch(`${trainer.url}/v1/training-jobs`, {
        method: 'POST',
        body,
      });
      const { message } = (await response.json()) as { message: string };
      assert.equal(response.status, 415);
      assert.match(message, /send the parameters as JSON/);
    });
  }

  it('queued none of them', async () => {
    const { body } = await request<unknown[]>(
      trainer,
      'GET',
      '/v1/training-jobs',
    );
    assert.deepEqual(body, []);
  });
});
