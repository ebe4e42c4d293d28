import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodePng } from '#fmnist';
import type { ModelRegistryService } from '#model-registry';
import { officialTestImages } from '#testing/fixture-images';
import { freePort } from '#testing/free-port';
import { testBrokers } from '#testing/test-kafka';
import {
  connectRegistry,
  testModelArtifacts,
  testModelRecord,
} from '#testing/test-model';
import { waitFor } from '#testing/wait-for';

const LAUNCHER = new URL('./start.js', import.meta.url).pathname;

/** `npm start`'s launcher against the tests' broker, on ports of its own, its output collected. */
class Launcher {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(
    readonly ports: { gateway: number; classifier: number; trainer: number },
    dataDir: string,
  ) {
    this.child = spawn(process.execPath, [LAUNCHER], {
      env: {
        ...process.env,
        KAFKA_BROKERS: testBrokers(),
        GATEWAY_PORT: String(ports.gateway),
        CLASSIFIER_PORT: String(ports.classifier),
        TRAINER_PORT: String(ports.trainer),
        TRAINER_DATA_DIR: dataDir,
        TRAIN_DEFAULT_MODEL_ON_START: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        this.lines.push(...chunk.split('\n').filter(Boolean));
      });
    }
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => resolve(code)),
    );
  }

  /** The launcher's own line matching `pattern`, once it has written it. */
  async line(pattern: RegExp, timeoutMs = 120_000): Promise<RegExpExecArray> {
    let found: RegExpExecArray | null = null;
    await waitFor(async () => {
      found =
        this.lines
          .filter((line) => line.startsWith('[start]'))
          .map((line) => pattern.exec(line))
          .find(Boolean) ?? null;
      return Promise.resolve(found !== null);
    }, timeoutMs).catch(() => {
      assert.fail(
        `no line ${pattern} in:\n${this.lines.slice(-30).join('\n')}`,
      );
    });
    return found!;
  }

  stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exited;
  }

  killNow(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

const freePorts = async () => ({
  gateway: await freePort(),
  classifier: await freePort(),
  trainer: await freePort(),
});

describe('npm start supervising its apps', () => {
  let registry: ModelRegistryService;
  let dataDir: string;
  let launcher: Launcher;
  let png: Buffer;
  const modelName = `launcher-${randomUUID().slice(0, 8)}`;

  before(async () => {
    const [images, artifacts] = await Promise.all([
      officialTestImages(1),
      testModelArtifacts(),
    ]);
    png = await encodePng(images[0].pixels);
    registry = await connectRegistry();
    await registry.publish(
      testModelRecord({ name: modelName, version: 1 }, artifacts),
    );
    dataDir = await mkdtemp(join(tmpdir(), 'launcher-test-'));
    launcher = new Launcher(await freePorts(), dataDir);
    await launcher.line(/the platform is up/);
  });

  after(async () => {
    launcher?.killNow();
    await registry?.onModuleDestroy();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** One classification through the gateway: its status, or the connection error. */
  const classify = async (): Promise<number | string> => {
    const form = new FormData();
    form.append('file', new Blob([png], { type: 'image/png' }), 'item.png');
    try {
      const response = await fetch(
        `http://127.0.0.1:${launcher.ports.gateway}/v1/classifications?model=${modelName}:1`,
        { method: 'POST', body: form, signal: AbortSignal.timeout(30_000) },
      );
      await response.arrayBuffer();
      return response.status;
    } catch (error) {
      return String((error as Error).cause ?? error);
    }
  };

  it('restarts a classifier killed outright, the gateway answering all along', async () => {
    assert.equal(await classify(), 200);
    const [, pid] = await launcher.line(/classifier started \(pid (\d+)\)/);

    const outcomes: (number | string)[] = [];
    let restarted = false;
    const load = (async () => {
      // Requests keep coming while the classifier is gone and after it is back.
      for (let after = 0; after < 10;) {
        outcomes.push(await classify());
        if (restarted && outcomes.at(-1) === 200) after++;
      }
    })();
    process.kill(Number(pid), 'SIGKILL');
    await launcher.line(
      /classifier exited unexpectedly \(SIGKILL\); restarting it in 1 s/,
    );
    const [, newPid] = await launcher.line(
      /classifier is up again \(pid (\d+)\)/,
    );
    restarted = true;
    await load;

    assert.notEqual(newPid, pid);
    assert.deepEqual(
      outcomes.filter((outcome) => typeof outcome === 'string'),
      [],
      'the gateway stopped answering',
    );
    assert.ok(!launcher.lines.some((line) => /stopping everything/.test(line)));
    const trainer = await fetch(
      `http://127.0.0.1:${launcher.ports.trainer}/health`,
    );
    assert.equal(trainer.status, 200, 'the trainer went down too');
  });

  it('stops everything on SIGTERM, with success', async () => {
    assert.equal(await launcher.stop(), 0);
    await assert.rejects(
      fetch(`http://127.0.0.1:${launcher.ports.gateway}/health`),
      'the gateway outlived the launcher',
    );
  });
});

describe('npm start with an app that cannot start', () => {
  let dataDir: string;
  let launcher: Launcher;
  let occupant: Server;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'launcher-test-'));
    const ports = await freePorts();
    occupant = createServer();
    await new Promise<void>((resolve) =>
      occupant.listen(ports.classifier, '0.0.0.0', resolve),
    );
    launcher = new Launcher(ports, dataDir);
  });

  after(async () => {
    launcher?.killNow();
    occupant?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gives up after it crashed three times in a row before serving, saying why, and stops everything', async () => {
    const code = await launcher.exited;
    assert.equal(code, 1);
    await launcher.line(
      /classifier ended 3 times in a row before it served \(last: code \d+\); its output above says why; stopping everything/,
      1,
    );
    assert.equal(
      launcher.lines.filter((line) =>
        /\[start\] classifier exited unexpectedly/.test(line),
      ).length,
      2,
    );
  });
});
