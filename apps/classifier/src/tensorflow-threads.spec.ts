import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';

const moduleUrl = new URL('./tensorflow-threads.js', import.meta.url).href;

/** TensorFlow's thread variables as a fresh process has them after importing the module. */
function threadsAfterImport(env: Record<string, string>) {
  const printed = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(moduleUrl)});
       console.log(JSON.stringify([process.env.TF_NUM_INTRAOP_THREADS, process.env.TF_NUM_INTEROP_THREADS]));`,
    ],
    {
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
    },
  );
  return JSON.parse(printed) as [string, string];
}

describe("the classifier's TensorFlow threads", () => {
  it('are one of each when the environment does not say', () => {
    assert.deepEqual(threadsAfterImport({}), ['1', '1']);
  });

  it('are what the environment says when it does', () => {
    assert.deepEqual(
      threadsAfterImport({
        TF_NUM_INTRAOP_THREADS: '0',
        TF_NUM_INTEROP_THREADS: '2',
      }),
      ['0', '2'],
    );
  });
});
