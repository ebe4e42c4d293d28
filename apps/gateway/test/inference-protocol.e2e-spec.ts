import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodePng, LABELS } from '#fmnist';
import {
  startClassificationStack,
  type ClassificationStack,
} from '#testing/classification-stack';
import {
  officialTestImages,
  photoLikeJpeg,
  type TestImage,
} from '#testing/fixture-images';
import type { AppProcess } from '#testing/test-apps';
import { waitFor } from '#testing/wait-for';
import {
  inferenceClientsPython,
  runPythonScript,
} from '#testing/python-clients';

const SCRIPTS = 'apps/gateway/test/inference-protocol';

interface Refusal {
  status: string | number | null;
  message?: string;
}

interface TritonReport {
  live: boolean;
  ready: boolean;
  modelReady: boolean;
  pinnedReady: boolean;
  unknownModelReady: boolean;
  serverMetadata: { name: string; extensions: string[] };
  metadata: {
    name: string;
    versions: string[];
    platform: string;
    inputs: { name: string; datatype: string; shape: number[] }[];
    outputs: { name: string; datatype: string; shape: number[] }[];
  };
  config: {
    max_batch_size: number;
    input: { name: string; data_type: string; dims: number[] }[];
    output: { name: string; data_type: string; dims: number[] }[];
    dynamic_batching: object;
  };
  binaryUint8: { probabilities: number[][]; response: Record<string, unknown> };
  jsonFp32: { probabilities: number[][]; response: Record<string, unknown> };
  jpegBytes: { probabilities: number[][] };
  classification: { classes: string[][] };
  pinned: string;
  refusals: Record<
    'wrongShape' | 'wrongDatatype' | 'wrongByteCount' | 'unknownModel',
    Refusal
  >;
}

interface KserveResult {
  probabilities: number[][][] | number[][];
  id: string;
}

interface KserveReport {
  live: boolean;
  ready: boolean;
  modelReady: boolean;
  jsonUint8: KserveResult;
  binaryFp32: KserveResult;
  wrongShape: Refusal;
}

const argMax = (values: number[]) => values.indexOf(Math.max(...values));

describe('the Open Inference Protocol on the gateway, driven by tritonclient and the kserve SDK', () => {
  let stack: ClassificationStack;
  let images: TestImage[];
  let jpeg: Buffer;
  let folder: string;
  let triton: TritonReport;
  let kserve: KserveReport;

  before(async () => {
    let python: string;
    [stack, images, python] = await Promise.all([
      startClassificationStack({
        prefix: 'oip',
        versions: 2,
        // Its per-request line ('classified') is a debug one.
        classifier: { LOG_LEVEL: 'debug' },
      }),
      officialTestImages(4),
      inferenceClientsPython(),
    ]);
    folder = await mkdtemp(join(tmpdir(), 'oip-'));
    jpeg = await photoLikeJpeg(images[0].pixels);
    const pixels = join(folder, 'images.u8');
    await writeFile(pixels, Buffer.concat(images.map((image) => image.pixels)));
    await writeFile(join(folder, 'item.jpg'), jpeg);
    const { gateway, modelName } = stack;
    [triton, kserve] = await Promise.all([
      runPythonScript<TritonReport>(python, `${SCRIPTS}/triton_client.py`, {
        hostPort: new URL(gateway.url).host,
        model: modelName,
        pixels,
        jpeg: join(folder, 'item.jpg'),
      }),
      runPythonScript<KserveReport>(python, `${SCRIPTS}/kserve_client.py`, {
        url: gateway.url,
        model: modelName,
        pixels,
      }),
    ]);
  });

  after(async () => {
    await stack?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  /** What /v1/classifications says of the same images, for comparison. */
  const v1Labels = async (
    files: { name: string; bytes: Buffer; type: string }[],
  ) => {
    const form = new FormData();
    for (const { name, bytes, type } of files) {
      form.append('files', new Blob([new Uint8Array(bytes)], { type }), name);
    }
    const response = await fetch(`${stack.gateway.url}/v1/classifications`, {
      method: 'POST',
      body: form,
    });
    assert.equal(response.status, 200);
    const { results } = (await response.json()) as {
      results: { labelIndex: number; probabilities: Record<string, number> }[];
    };
    return results;
  };

  it('tritonclient finds the server live and ready, and the model ready in any registered version', () => {
    assert.equal(triton.live, true);
    assert.equal(triton.ready, true);
    assert.equal(triton.modelReady, true);
    assert.equal(triton.pinnedReady, true);
    assert.equal(triton.unknownModelReady, false);
    assert.deepEqual(triton.serverMetadata.extensions.sort(), [
      'binary_tensor_data',
      'classification',
      'model_configuration',
    ]);
  });

  it("gives the model's metadata and Triton configuration: the registry's versions, tensors with a batch dimension", () => {
    assert.equal(triton.metadata.name, stack.modelName);
    assert.deepEqual(triton.metadata.versions, ['1', '2']);
    assert.deepEqual(triton.metadata.inputs, [
      { name: 'images', datatype: 'UINT8', shape: [-1, 28, 28] },
      { name: 'image_files', datatype: 'BYTES', shape: [-1] },
    ]);
    assert.deepEqual(triton.metadata.outputs, [
      { name: 'probabilities', datatype: 'FP32', shape: [-1, 10] },
    ]);
    assert.equal(triton.config.max_batch_size, 32);
    assert.deepEqual(
      triton.config.input.map(({ name, data_type, dims }) => [
        name,
        data_type,
        dims,
      ]),
      [
        ['images', 'TYPE_UINT8', [28, 28]],
        ['image_files', 'TYPE_STRING', [1]],
      ],
    );
    assert.deepEqual(triton.config.output[0].dims, [10]);
    assert.ok(triton.config.dynamic_batching);
  });

  it('classifies binary UINT8 images as /v1/classifications does, through Kafka', async () => {
    const { probabilities, response } = triton.binaryUint8;
    assert.equal(probabilities.length, images.length);
    const v1 = await v1Labels(
      await Promise.all(
        images.map(async (image) => ({
          name: `${image.index}.png`,
          type: 'image/png',
          bytes: await encodePng(image.pixels),
        })),
      ),
    );
    probabilities.forEach((row, index) => {
      assert.equal(row.length, 10);
      assert.ok(Math.abs(row.reduce((sum, p) => sum + p, 0) - 1) < 1e-4);
      assert.equal(argMax(row), v1[index].labelIndex);
      LABELS.forEach((label) =>
        assert.ok(
          Math.abs(row[label.index] - v1[index].probabilities[label.name]) <
            1e-5,
        ),
      );
    });
    assert.equal(response.model_name, stack.modelName);
    assert.equal(
      response.model_version,
      '2',
      "the newest version, as /v1's model=name",
    );
    assert.equal(response.id, 'triton-uint8');
  });

  it('takes JSON FP32 [N, 784] (pixel / 255) and answers the same probabilities in JSON', () => {
    assert.equal(triton.jsonFp32.probabilities.length, images.length);
    triton.jsonFp32.probabilities.forEach((row, index) =>
      row.forEach((p, label) =>
        assert.ok(
          Math.abs(p - triton.binaryUint8.probabilities[index][label]) < 1e-6,
        ),
      ),
    );
  });

  it('takes a JPEG as BYTES, preprocessed as an upload: the label agrees with /v1/classifications', async () => {
    const [v1] = await v1Labels([
      { name: 'item.jpg', type: 'image/jpeg', bytes: jpeg },
    ]);
    const [row] = triton.jpegBytes.probabilities;
    assert.equal(argMax(row), v1.labelIndex);
    LABELS.forEach((label) =>
      assert.ok(
        Math.abs(row[label.index] - v1.probabilities[label.name]) < 1e-5,
      ),
    );
  });

  it('answers the classification extension as "<score>:<index>:<label>", most probable first', () => {
    const { classes } = triton.classification;
    assert.equal(classes.length, images.length);
    classes.forEach((top, index) => {
      assert.equal(top.length, 3);
      const parsed = top.map((entry) => entry.split(':'));
      const probabilities = triton.binaryUint8.probabilities[index];
      const best = argMax(probabilities);
      assert.deepEqual(parsed[0].slice(1), [String(best), LABELS[best].name]);
      assert.ok(Math.abs(Number(parsed[0][0]) - probabilities[best]) < 1e-6);
      const scores = parsed.map(([score]) => Number(score));
      assert.deepEqual(
        scores,
        [...scores].sort((a, b) => b - a),
      );
    });
  });

  it('serves a pinned version', () => {
    assert.equal(triton.pinned, '2');
  });

  it('refuses bad tensors with a 400 naming the problem, and an unknown model with a 404', () => {
    const { wrongShape, wrongDatatype, wrongByteCount, unknownModel } =
      triton.refusals;
    assert.equal(wrongShape.status, '400');
    assert.match(wrongShape.message ?? '', /shape \[1, 27, 27\]/);
    assert.equal(wrongDatatype.status, '400');
    assert.match(wrongDatatype.message ?? '', /datatype INT32/);
    assert.equal(wrongByteCount.status, '400');
    assert.match(
      wrongByteCount.message ?? '',
      /784 bytes of binary data.*1568 bytes/,
    );
    assert.equal(unknownModel.status, '404');
    assert.match(unknownModel.message ?? '', /unknown model 'no-such-model'/);
  });

  it("answers curl's JSON: a base64 file as BYTES, the classification extension, the id echoed", async () => {
    const response = await fetch(
      `${stack.gateway.url}/v2/models/${stack.modelName}/infer`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id: 'curl-1',
          inputs: [
            {
              name: 'image_files',
              datatype: 'BYTES',
              shape: [1],
              data: [jpeg.toString('base64')],
            },
          ],
          outputs: [
            { name: 'probabilities', parameters: { classification: 1 } },
          ],
        }),
      },
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-request-id'), 'curl-1');
    const body = (await response.json()) as {
      id: string;
      outputs: {
        name: string;
        datatype: string;
        shape: number[];
        data: string[];
      }[];
    };
    assert.equal(body.id, 'curl-1');
    const [output] = body.outputs;
    assert.deepEqual(
      { ...output, data: undefined },
      {
        name: 'probabilities',
        datatype: 'BYTES',
        shape: [1, 1],
        data: undefined,
      },
    );
    const best = argMax(triton.jpegBytes.probabilities[0]);
    assert.match(
      output.data[0],
      new RegExp(`^[01]\\.\\d{6}:${best}:${LABELS[best].name}$`),
    );
  });

  it('answers an error as {"error": ...}, typed application/json', async () => {
    const response = await fetch(
      `${stack.gateway.url}/v2/models/${stack.modelName}/versions/7/infer`,
      { method: 'POST', body: '{"inputs": []}' },
    );
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('content-type'), 'application/json');
    const body = (await response.json()) as { error: string };
    assert.equal(body.error, `model '${stack.modelName}' has no version 7`);
  });

  it('the kserve SDK finds it live and ready, and infers with JSON UINT8 and binary FP32 tensors', () => {
    assert.equal(kserve.live, true);
    assert.equal(kserve.ready, true);
    assert.equal(kserve.modelReady, true);
    for (const result of [kserve.jsonUint8, kserve.binaryFp32]) {
      const rows = result.probabilities.flat().length / 10;
      assert.equal(rows, images.length);
      const flat = result.probabilities.flat(2);
      flat.forEach((p, index) =>
        assert.ok(
          Math.abs(
            p -
              triton.binaryUint8.probabilities[Math.floor(index / 10)][
                index % 10
              ],
          ) < 1e-6,
        ),
      );
    }
    assert.equal(kserve.jsonUint8.id, 'kserve-json');
    assert.equal(kserve.wrongShape.status, 400);
    assert.match(kserve.wrongShape.message ?? '', /shape \[1, 784, 1, 1\]/);
  });

  it("uses the request's id as the request id in the logs of the gateway and the classifier", async () => {
    const logged = (app: AppProcess) =>
      app.output
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .some((entry) => entry.requestId === 'triton-uint8');
    // Log lines are written asynchronously: give them a moment to arrive.
    await waitFor(() =>
      Promise.resolve(logged(stack.gateway) && logged(stack.classifier)),
    );
  });
});
