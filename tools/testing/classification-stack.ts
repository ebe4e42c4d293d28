import { randomUUID } from 'node:crypto';
import type { ModelArtifacts } from '#fmnist';
import type { ModelRegistryService } from '#model-registry';
import type { AppProcess } from '../launcher/app-process.js';
import { startTestApp } from './test-apps.js';
import {
  connectRegistry,
  testModelArtifacts,
  testModelRecord,
} from './test-model.js';

/** A model of its own in the registry, a classifier and a gateway: what classifying suites share. */
export interface ClassificationStack {
  /** The model's name; version 1 is promoted. */
  readonly modelName: string;
  readonly artifacts: ModelArtifacts;
  readonly registry: ModelRegistryService;
  readonly classifier: AppProcess;
  readonly gateway: AppProcess;
  stop(): Promise<void>;
}

export interface ClassificationStackOptions {
  /** Start of the model's name, so that the registry tells the suites apart. */
  prefix: string;
  /** Versions of the model to publish (the same weights); 1 by default. */
  versions?: number;
  /** The gateway's environment beyond the tests' defaults. */
  gateway?: NodeJS.ProcessEnv;
  /** The classifier's, likewise. */
  classifier?: NodeJS.ProcessEnv;
  /** A broker of the suite's own (`startOwnBroker`) instead of the tests' shared one. */
  brokers?: string;
}

/** Publishes the test model and starts the apps; whatever started is stopped if the rest fails. */
export async function startClassificationStack(
  options: ClassificationStackOptions,
): Promise<ClassificationStack> {
  const modelName = `${options.prefix}-${randomUUID().slice(0, 8)}`;
  const artifacts = await testModelArtifacts();
  const registry = await connectRegistry(options.brokers);
  const env = options.brokers ? { KAFKA_BROKERS: options.brokers } : {};
  const started: AppProcess[] = [];
  const stop = async () => {
    await Promise.all(started.map((app) => app.stop()));
    await registry.onModuleDestroy();
  };
  try {
    for (let version = 1; version <= (options.versions ?? 1); version++) {
      await registry.publish(
        testModelRecord({ name: modelName, version }, artifacts),
      );
    }
    await registry.promote({ name: modelName, version: 1 });
    const track = async (starting: Promise<AppProcess>) => {
      const app = await starting;
      started.push(app);
      return app;
    };
    const [classifier, gateway] = await Promise.all([
      track(startTestApp('classifier', { ...env, ...options.classifier })),
      track(startTestApp('gateway', { ...env, ...options.gateway })),
    ]);
    return { modelName, artifacts, registry, classifier, gateway, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
