import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_TOPIC_LAYOUT, Topics } from '#fmnist';
import {
  kubeconformSetUp,
  type KubeconformSetUp,
} from '#testing/kubernetes-schemas';

const projectRoot = new URL('../../', import.meta.url).pathname;
const manifestsDir = join(projectRoot, 'deploy/kubernetes');

interface Container {
  name: string;
  command: string[];
  ports?: { name: string; containerPort: number }[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: { httpGet: { path: string; port: string } };
  livenessProbe?: { httpGet: { path: string; port: string } };
  resources?: { requests?: { cpu?: string; memory?: string } };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
}

interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: {
    template?: {
      spec: {
        securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
        containers: Container[];
      };
    };
    jobTemplate?: never;
    volumeClaimTemplates?: unknown[];
    scaleTargetRef?: { name: string };
    maxReplicaCount?: number;
    triggers?: { type: string; metadata: Record<string, string> }[];
  };
}

const run = promisify(execFile);

async function kubeconform(
  setUp: KubeconformSetUp,
  paths: string[],
): Promise<{
  valid: number;
  invalid: number;
  errors: number;
  skipped: number;
  output: string;
}> {
  const args = [
    '-strict',
    '-summary',
    '-output',
    'json',
    '-kubernetes-version',
    '1.35.0',
    ...setUp.schemaLocations.flatMap((location) => [
      '-schema-location',
      location,
    ]),
    ...paths,
  ];
  const { stdout } = await run(setUp.binary, args).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  const report = JSON.parse(stdout) as {
    summary: {
      valid: number;
      invalid: number;
      errors: number;
      skipped: number;
    };
  };
  return { ...report.summary, output: stdout };
}

describe('the Kubernetes manifests in deploy/kubernetes', () => {
  let workDir: string;
  let setUp: KubeconformSetUp;
  let files: string[];
  let resources: Resource[];

  const one = (kind: string, name: string): Resource => {
    const found = resources.find(
      (resource) => resource.kind === kind && resource.metadata.name === name,
    );
    assert.ok(found, `no ${kind} ${name}`);
    return found;
  };
  const workloads = () =>
    resources.filter((resource) =>
      ['Deployment', 'StatefulSet', 'Job'].includes(resource.kind),
    );

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'fashion-kubeconform-'));
    const prepared = await kubeconformSetUp(join(workDir, 'schemas'));
    assert.ok(
      prepared,
      'kubeconform or its schemas are missing: run bash tools/provision/kubernetes-tools.sh (npm test does)',
    );
    setUp = prepared;
    files = (await readdir(manifestsDir))
      .filter((file) => file.endsWith('.yaml'))
      .map((file) => join(manifestsDir, file));
    resources = (
      await Promise.all(
        files.map(async (file) =>
          parseAllDocuments(await readFile(file, 'utf8')).map(
            (document) => document.toJS() as Resource,
          ),
        ),
      )
    ).flat();
  });

  after(() => rm(workDir, { recursive: true, force: true }));

  it('are valid against the Kubernetes and KEDA schemas, none skipped', async () => {
    const summary = await kubeconform(setUp, files);
    assert.equal(summary.invalid + summary.errors, 0, summary.output);
    assert.equal(summary.skipped, 0, summary.output);
    assert.equal(summary.valid, resources.length, summary.output);
    assert.deepEqual(
      [...new Set(resources.map((resource) => resource.kind))].sort(),
      [
        'ConfigMap',
        'Deployment',
        'Job',
        'ScaledObject',
        'Secret',
        'Service',
        'StatefulSet',
        'TriggerAuthentication',
      ],
    );
  });

  it('would be refused with a mistake, in a core kind as in a KEDA one', async () => {
    const broken = join(workDir, 'broken.yaml');
    const deployment = await readFile(
      join(manifestsDir, '30-classifier.yaml'),
      'utf8',
    );
    await writeFile(broken, deployment.replace('replicas: 2', 'replicas: two'));
    assert.equal((await kubeconform(setUp, [broken])).invalid, 1);
    const scaling = await readFile(
      join(manifestsDir, '50-classifier-autoscaling.yaml'),
      'utf8',
    );
    await writeFile(
      broken,
      scaling.replace('maxReplicaCount:', 'maxReplicas:'),
    );
    assert.equal((await kubeconform(setUp, [broken])).invalid, 1);
  });

  it('run the apps and the topic set-up with the commands the image holds', () => {
    const commands = workloads().map(
      (workload) => workload.spec?.template?.spec.containers[0].command,
    );
    for (const command of commands) {
      assert.equal(command?.[0], 'node');
      const source = command?.[1]
        .replace(/^dist\//, '')
        .replace(/\.js$/, '.ts');
      assert.ok(existsSync(join(projectRoot, source ?? '')), source);
    }
    assert.equal(
      one('StatefulSet', 'fashion-trainer').spec?.volumeClaimTemplates?.length,
      1,
    );
  });

  it('run every container as non-root, with requests, and probes on the health routes', () => {
    for (const workload of workloads()) {
      const pod = workload.spec?.template?.spec;
      const name = workload.metadata.name;
      assert.equal(pod?.securityContext?.runAsNonRoot, true, name);
      assert.ok((pod?.securityContext?.runAsUser ?? 0) > 0, name);
      for (const container of pod?.containers ?? []) {
        assert.equal(
          container.securityContext?.allowPrivilegeEscalation,
          false,
          name,
        );
        assert.deepEqual(container.securityContext?.capabilities?.drop, [
          'ALL',
        ]);
        assert.ok(container.resources?.requests?.cpu, name);
        assert.ok(container.resources?.requests?.memory, name);
        if (workload.kind === 'Job') continue;
        assert.equal(
          container.readinessProbe?.httpGet.path,
          '/health/ready',
          name,
        );
        assert.equal(container.livenessProbe?.httpGet.path, '/health', name);
        // The probes' port is the one the app is told to listen on.
        const port = container.ports?.find(
          (entry) => entry.name === container.readinessProbe?.httpGet.port,
        );
        const portVariable = container.env?.find((entry) =>
          /^(GATEWAY|CLASSIFIER|TRAINER)_PORT$/.test(entry.name),
        );
        assert.equal(String(port?.containerPort), portVariable?.value, name);
      }
    }
  });

  it('take Kafka credentials and the API key from Secrets, not from the ConfigMap', () => {
    const config = one('ConfigMap', 'fashion-config').data ?? {};
    for (const key of Object.keys(config)) {
      assert.doesNotMatch(key, /PASSWORD|API_KEY|USERNAME/);
    }
    for (const workload of workloads()) {
      const sources = workload.spec?.template?.spec.containers[0].envFrom ?? [];
      assert.ok(
        sources.some(
          (source) => source.secretRef?.name === 'fashion-kafka-credentials',
        ),
        workload.metadata.name,
      );
    }
    one('Secret', 'fashion-kafka-credentials');
    one('Secret', 'fashion-trainer-api-key');
  });

  it('scale the classifiers on the lag of fashion-images, up to its partition count', () => {
    const scaled = one('ScaledObject', 'fashion-classifier');
    const classifier = one('Deployment', 'fashion-classifier');
    const partitions = Number(
      one('ConfigMap', 'fashion-config').data?.KAFKA_REQUEST_PARTITIONS,
    );
    assert.equal(partitions, DEFAULT_TOPIC_LAYOUT.imagePartitions);
    assert.equal(scaled.spec?.scaleTargetRef?.name, classifier.metadata.name);
    assert.equal(scaled.spec?.maxReplicaCount, partitions);
    const [trigger] = scaled.spec?.triggers ?? [];
    assert.equal(trigger.type, 'kafka');
    assert.equal(trigger.metadata.topic, Topics.images);
    const group = classifier.spec?.template?.spec.containers[0].env?.find(
      (entry) => entry.name === 'CLASSIFIER_GROUP_ID',
    )?.value;
    assert.equal(trigger.metadata.consumerGroup, group);
    assert.equal(
      trigger.metadata.bootstrapServers,
      one('ConfigMap', 'fashion-config').data?.KAFKA_BROKERS,
    );
  });
});
