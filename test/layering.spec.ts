import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';

const projectRoot = new URL('../../', import.meta.url).pathname;

/** The `layering` entries of eslint.config.mjs, the ones `npm run lint` applies. */
async function layeringConfig(): Promise<Linter.Config[]> {
  const url = pathToFileURL(join(projectRoot, 'eslint.config.mjs')).href;
  const config = (await import(url)) as { layering: Linter.Config[] };
  return config.layering;
}

async function layeringErrors(file: string, source: string): Promise<string[]> {
  const linter = new Linter({ cwd: projectRoot });
  const messages = linter.verify(
    source,
    [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
      ...(await layeringConfig()),
    ],
    join(projectRoot, file),
  );
  return messages.map((message) => message.message);
}

describe('the layering lint rule', () => {
  const wrong: [file: string, source: string, complaint: RegExp][] = [
    [
      'apps/gateway/src/classification/example.ts',
      "import { X } from '../../../classifier/src/main.js';",
      /apps\/gateway must not import another app/,
    ],
    [
      'apps/classifier/test/example.e2e-spec.ts',
      "import { X } from '../../trainer/src/main.js';",
      /apps\/classifier must not import another app/,
    ],
    [
      'apps/trainer/src/example.ts',
      "import { X } from '../../../apps/gateway/src/main.js';",
      /apps\/trainer must not import another app/,
    ],
    [
      'libs/fmnist/src/model/example.ts',
      "import { X } from '#platform';",
      /libs\/fmnist is the framework-free domain/,
    ],
    [
      'libs/fmnist/src/image/example.ts',
      "import { X } from '../../../../tools/testing/free-port.js';",
      /libs\/fmnist is the framework-free domain/,
    ],
    [
      'libs/platform/src/kafka/example.ts',
      "import { Topics } from '#fmnist';",
      /libs\/platform is domain-free infrastructure/,
    ],
    [
      'libs/platform/src/example.ts',
      "import { ModelRegistryService } from '../../model-registry/src/index.js';",
      /libs\/platform is domain-free infrastructure/,
    ],
    [
      'libs/model-registry/src/example.ts',
      "import { X } from '../../../apps/trainer/src/main.js';",
      /a library must not import an app/,
    ],
  ];
  for (const [file, source, complaint] of wrong) {
    it(`fails ${source} in ${file}`, async () => {
      const errors = await layeringErrors(file, source);
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(errors[0], complaint);
    });
  }

  const allowed: [file: string, source: string][] = [
    ['apps/gateway/src/example.ts', "import { Topics } from '#fmnist';"],
    [
      'apps/gateway/src/example.ts',
      "import { X } from '../trainer-proxy/x.js';",
    ],
    ['apps/trainer/test/example.ts', "import { X } from '#testing/test-apps';"],
    ['libs/fmnist/src/image/example.ts', "import { X } from '../labels.js';"],
    [
      'libs/platform/src/kafka/example.ts',
      "import { X } from '../config/x.js';",
    ],
    ['libs/model-registry/src/example.ts', "import { X } from '#platform';"],
  ];
  for (const [file, source] of allowed) {
    it(`lets ${source} in ${file} through`, async () => {
      assert.deepEqual(await layeringErrors(file, source), []);
    });
  }
});
