import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AppProcess } from '#testing/test-apps';
import {
  request,
  startTrainer,
  trainerFolders,
  type TrainerFolders,
} from '#testing/trainer-test-kit';

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
    await symlink(
      join(outside, 'coat'),
      join(folders.dataRoot, 'empty', 'coat', 'link-out'),
    );
    await writeFile(join(folders.dataRoot, 'a-file.png'), '');
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
      /^batchSize must not be less than 8/,
    ],
    [
      'a batch size too small to train in reasonable time',
      { batchSize: 4 },
      /^batchSize must not be less than 8/,
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
    [
      'an unknown dataset field',
      { dataset: { kind: 'fmnist', images: 5 } },
      /^dataset\.property images should not exist/,
    ],
    [
      'an unknown early-stopping field',
      { earlyStopping: { patience: 2, monitor: 'loss' } },
      /^earlyStopping\.property monitor should not exist/,
    ],
    // Wrong types: nothing is converted, and null is a value, not "use the default".
    ['epochs as text', { epochs: '5' }, /^epochs must be an integer/],
    ['epochs as NaN text', { epochs: 'NaN' }, /^epochs must be an integer/],
    ['null epochs', { epochs: null }, /^epochs must be an integer/],
    ['epochs as an array', { epochs: [5] }, /^epochs must be an integer/],
    ['epochs as an object', { epochs: {} }, /^epochs must be an integer/],
    [
      'a huge number of epochs',
      { epochs: 1e20 },
      /^epochs must not be greater than 20 \(TRAINER_MAX_EPOCHS\)/,
    ],
    [
      'batch size as text',
      { batchSize: '128' },
      /^batchSize must be an integer/,
    ],
    [
      'batch size as a boolean',
      { batchSize: true },
      /^batchSize must be an integer/,
    ],
    [
      'a huge batch size',
      { batchSize: 1e9 },
      /^batchSize must not be greater than 4096/,
    ],
    [
      'learning rate as text',
      { learningRate: '0.001' },
      /^learningRate must be a number/,
    ],
    [
      'null learning rate',
      { learningRate: null },
      /^learningRate must be a number/,
    ],
    [
      'a learning rate above 1',
      { learningRate: 2 },
      /^learningRate must not be greater than 1/,
    ],
    [
      'a negative validation split',
      { validationSplit: -0.1 },
      /^validationSplit must not be less than 0/,
    ],
    [
      'validation split as text',
      { validationSplit: 'a tenth' },
      /^validationSplit must be a number/,
    ],
    ['a fractional seed', { seed: 1.5 }, /^seed must be an integer/],
    [
      'a seed beyond 32 bits',
      { seed: 2 ** 32 },
      /^seed must not be greater than 4294967295/,
    ],
    ['seed as text', { seed: '7' }, /^seed must be an integer/],
    ['dataset as text', { dataset: 'fmnist' }, /^dataset must be an object/],
    ['null dataset', { dataset: null }, /^dataset must be an object/],
    [
      'dataset as an array',
      { dataset: [{ kind: 'fmnist' }] },
      /^dataset must be an object/,
    ],
    [
      'a zero train limit',
      { dataset: { kind: 'fmnist', trainLimit: 0 } },
      /^dataset\.trainLimit must not be less than 1/,
    ],
    [
      'train limit as text',
      { dataset: { kind: 'fmnist', trainLimit: '100' } },
      /^dataset\.trainLimit must be an integer/,
    ],
    [
      'a null train limit',
      { dataset: { kind: 'fmnist', trainLimit: null } },
      /^dataset\.trainLimit must be an integer/,
    ],
    [
      'a path that is not text',
      { dataset: { kind: 'folder', path: ['photos'] } },
      /^dataset\.path must be a string/,
    ],
    [
      'an empty path',
      { dataset: { kind: 'folder', path: '' } },
      /^dataset\.path should not be empty/,
    ],
    [
      'a test split of 0.9',
      { dataset: { kind: 'folder', path: 'empty', testSplit: 0.9 } },
      /^dataset\.testSplit must not be greater than 0.5/,
    ],
    [
      'early stopping as an array',
      { earlyStopping: [] },
      /^earlyStopping must be an object/,
    ],
    [
      'a zero patience',
      { earlyStopping: { patience: 0 } },
      /^earlyStopping\.patience must not be less than 1/,
    ],
    [
      'a negative minimum delta',
      { earlyStopping: { patience: 2, minDelta: -1 } },
      /^earlyStopping\.minDelta must not be less than 0/,
    ],
    [
      'a model name as a number',
      { modelName: 5 },
      /^modelName must be a string/,
    ],
    ['a null model name', { modelName: null }, /^modelName must be a string/],
    [
      'a model name of 101 characters',
      { modelName: 'm'.repeat(101) },
      /^modelName must be shorter than or equal to 100 characters/,
    ],
    [
      'a model name that is a path',
      { modelName: '../models' },
      /^modelName must start with a letter or digit/,
    ],
    [
      'a null architecture',
      { architecture: null },
      /^architecture must be one of/,
    ],
    ['promote as a number', { promote: 1 }, /^promote must be a boolean/],
    ['null promote', { promote: null }, /^promote must be a boolean/],
    // Paths out of the data root, beyond the plain cases above.
    [
      'a path of ".." alone',
      { dataset: { kind: 'folder', path: '..' } },
      /^dataset\.path must not contain "\.\."/,
    ],
    [
      'a path with ".." in the middle',
      { dataset: { kind: 'folder', path: 'empty/../../outside' } },
      /^dataset\.path must not contain "\.\."/,
    ],
    [
      'a path with ".." behind backslashes',
      { dataset: { kind: 'folder', path: 'empty\\..\\..\\outside' } },
      /^dataset\.path must not contain "\.\."/,
    ],
    [
      'a path through a symbolic link deeper down',
      { dataset: { kind: 'folder', path: 'empty/coat/link-out' } },
      /^dataset\.path "empty\/coat\/link-out" leads outside the data root/,
    ],
    [
      'a path to a file',
      { dataset: { kind: 'folder', path: 'a-file.png' } },
      /^dataset\.path "a-file.png" is not a folder/,
    ],
  ];

  const missing: [string, object, RegExp][] = [
    [
      'a missing folder',
      { dataset: { kind: 'folder', path: 'nowhere' } },
      /^dataset\.path "nowhere": no such folder/,
    ],
    [
      'a path with a NUL byte',
      { dataset: { kind: 'folder', path: 'empty\u0000' } },
      /^dataset\.path .*no such folder/,
    ],
  ];

  for (const [expected, cases] of [
    [400, refused],
    [404, missing],
  ] as const) {
    for (const [what, parameters, message] of cases) {
      it(`answers ${what} with a ${expected} naming the field`, async () => {
        const { status, body } = await request<{ message: string[] }>(
          trainer,
          'POST',
          '/v1/training-jobs',
          parameters,
        );
        assert.equal(status, expected);
        assert.ok(
          body.message.some((line) => message.test(line)),
          JSON.stringify(body.message),
        );
      });
    }
  }

  const post = (body: NonNullable<RequestInit['body']>, contentType?: string) =>
    fetch(`${trainer.url}/v1/training-jobs`, {
      method: 'POST',
      headers: contentType ? { 'content-type': contentType } : {},
      body,
    });

  const form = new FormData();
  form.append('epochs', '1');
  const refusedBodies: [
    string,
    NonNullable<RequestInit['body']>,
    string | undefined,
    number,
    RegExp,
  ][] = [
    [
      'malformed JSON',
      '{"epochs": 1,',
      'application/json',
      400,
      /JSON at position 13/,
    ],
    [
      'text that is not JSON',
      'epochs=1',
      'application/json',
      400,
      /not valid JSON/,
    ],
    ['a JSON null', 'null', 'application/json', 400, /not valid JSON/],
    ['a JSON string', '"fmnist"', 'application/json', 400, /not valid JSON/],
    [
      'a JSON array',
      '[{"epochs": 1}]',
      'application/json',
      400,
      /^the body must be a JSON object of job parameters$/,
    ],
    [
      'a number too large for a double',
      '{"epochs": 1e400}',
      'application/json',
      400,
      /^epochs must be an integer/,
    ],
    [
      'an infinite learning rate',
      '{"learningRate": 1e400}',
      'application/json',
      400,
      /^learningRate must be a number/,
    ],
    [
      'a __proto__ field',
      '{"__proto__": {"epochs": 1}}',
      'application/json',
      400,
      /^property __proto__ should not exist/,
    ],
    [
      'a constructor field in the dataset',
      '{"dataset": {"kind": "fmnist", "constructor": {}}}',
      'application/json',
      400,
      /^property dataset\.constructor should not exist/,
    ],
    [
      'JSON sent as text/plain',
      '{"epochs": 1}',
      'text/plain',
      415,
      /must be sent as JSON \(Content-Type: application\/json\), not as text\/plain/,
    ],
    [
      'a form',
      'epochs=1',
      'application/x-www-form-urlencoded',
      415,
      /not as application\/x-www-form-urlencoded/,
    ],
    ['a multipart form', form, undefined, 415, /not as multipart\/form-data/],
    [
      'a body without a Content-Type',
      new TextEncoder().encode('{"epochs": 1}'),
      undefined,
      415,
      /not as a body without a Content-Type/,
    ],
    [
      'a body over 100 kB',
      JSON.stringify({ modelName: 'm'.repeat(200_000) }),
      'application/json',
      413,
      /too large/,
    ],
  ];

  for (const [what, body, contentType, status, message] of refusedBodies) {
    it(`refuses ${what} with a ${status} saying so`, async () => {
      const response = await post(body, contentType);
      const answer = (await response.json()) as { message: string | string[] };
      assert.equal(response.status, status, JSON.stringify(answer));
      assert.ok(
        [answer.message].flat().some((line) => message.test(line)),
        JSON.stringify(answer.message),
      );
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
