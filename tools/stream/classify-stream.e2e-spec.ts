import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { encodePng, LABELS, StreamPredictionSchema } from '#fmnist';
import type { ModelRegistryService } from '#model-registry';
import { officialTestImages } from '#testing/fixture-images';
import { photoCorpus } from '#testing/photo-corpus';
import { startTestApp, type AppProcess } from '#testing/test-apps';
import { testBrokers } from '#testing/test-kafka';
import {
  connectRegistry,
  testModelArtifacts,
  testModelRecord,
} from '#testing/test-model';

const run = promisify(execFile);
const command = new URL('./classify-stream.command.js', import.meta.url)
  .pathname;

describe('npm run classify:stream', () => {
  const runId = randomUUID().slice(0, 8);
  const topics = {
    input: `cli-e2e-${runId}.ingest`,
    output: `cli-e2e-${runId}.predictions`,
  };
  let folder: string;
  let classifier: AppProcess;
  let registry: ModelRegistryService;
  const labels = new Map<string, number>();

  before(async () => {
    const [images, artifacts] = await Promise.all([
      officialTestImages(24),
      testModelArtifacts(),
    ]);
    registry = await connectRegistry();
    await registry.publish(
      testModelRecord({ name: `cli-${runId}`, version: 1 }, artifacts),
    );
    await registry.promote({ name: `cli-${runId}`, version: 1 });
    folder = await mkdtemp(join(tmpdir(), 'classify-stream-'));
    const photos = await photoCorpus(images.slice(20));
    for (const image of images.slice(0, 20)) {
      const file = `${LABELS[image.label].slug}/${image.index}.png`;
      labels.set(file, image.label);
    }
    for (const photo of photos) {
      labels.set(
        `${LABELS[photo.label].slug}/photo-${photo.index}.${photo.format}`,
        photo.label,
      );
    }
    for (const label of new Set(
      [...labels.keys()].map((file) => file.split('/')[0]),
    )) {
      await mkdir(join(folder, label));
    }
    await Promise.all([
      ...images
        .slice(0, 20)
        .map(async (image) =>
          writeFile(
            join(folder, `${LABELS[image.label].slug}/${image.index}.png`),
            await encodePng(image.pixels),
          ),
        ),
      ...photos.map((photo) =>
        writeFile(
          join(
            folder,
            `${LABELS[photo.label].slug}/photo-${photo.index}.${photo.format}`,
          ),
          photo.bytes,
        ),
      ),
      writeFile(join(folder, 'notes.txt'), 'not an image'),
    ]);
    classifier = await startTestApp('classifier', {
      STREAM_INPUT_TOPIC: topics.input,
      STREAM_OUTPUT_TOPIC: topics.output,
      STREAM_GROUP_ID: `cli-e2e-${runId}`,
    });
  });

  after(async () => {
    await classifier?.stop();
    await registry?.onModuleDestroy();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  const classifyStream = (...args: string[]) =>
    run(process.execPath, [
      command,
      ...args,
      '--brokers',
      testBrokers(),
      '--topic',
      topics.input,
      '--predictions',
      topics.output,
      '--timeout',
      '30',
    ]);

  it('writes one JSON result per file of the folder and a summary with the accuracy', async () => {
    const out = join(folder, '..', `results-${runId}.jsonl`);
    const { stderr } = await classifyStream(
      folder,
      '--format',
      'json',
      '--out',
      out,
    );
    const rows = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            source: string;
            prediction?: unknown;
            error?: string;
          },
      );
    await rm(out);
    assert.deepEqual(
      rows.map((row) => row.source).sort(),
      [...labels.keys(), 'notes.txt'].sort(),
    );
    const refused = rows.filter((row) => row.error);
    assert.deepEqual(
      refused.map((row) => row.source),
      ['notes.txt'],
    );
    let correct = 0;
    for (const row of rows.filter((entry) => !entry.error)) {
      const prediction = StreamPredictionSchema.parse(row.prediction);
      assert.equal(prediction.source.topic, topics.input);
      if (prediction.labelIndex === labels.get(row.source)) correct++;
    }
    assert.match(
      stderr,
      new RegExp(
        `^${labels.size} of ${labels.size + 1} images classified in [\\d.]+ s \\(\\d+ images/s\\), 1 refused`,
        'm',
      ),
    );
    assert.match(stderr, /^labels: T-shirt\/top \d+, Trouser \d+/m);
    const accuracy = ((100 * correct) / labels.size).toFixed(1);
    assert.match(
      stderr,
      new RegExp(
        `^accuracy: ${accuracy}% \\(${correct} of ${labels.size} images in label folders\\)`,
        'm',
      ),
    );
  });

  it('prints CSV results on its output, a header first', async () => {
    const { stdout } = await classifyStream(
      join(folder, LABELS[labels.values().next().value ?? 0].slug),
    );
    const [header, ...lines] = stdout.trim().split('\n');
    assert.equal(header.split(',').length, 15);
    assert.ok(lines.length > 0);
    for (const line of lines) {
      const [source, label] = line.split(',');
      assert.match(source, /\.(png|jpeg|webp|gif|tiff)$/);
      assert.ok(
        LABELS.some((entry) => entry.name === label),
        line,
      );
    }
  });
});
