import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import { encodePng, Topics } from '#fmnist';
import { officialTestImages } from '#testing/fixture-images';
import { metric } from '#testing/metrics';
import { postImage, startTestApp, type AppProcess } from '#testing/test-apps';
import { testBrokers } from '#testing/test-kafka';
import {
  connectRegistry,
  testModelArtifacts,
  testModelRecord,
} from '#testing/test-model';
import { waitFor } from '#testing/wait-for';

/** The classifiers' shared group: it holds their committed offsets and outlives them by design. */
const SHARED_CLASSIFIER_GROUP = 'fashion-classifier';

interface GroupMembership {
  groupId: string;
  topics: string[];
}

describe("the registry's readers: summaries everywhere, weights only where a version is served", () => {
  const run = randomUUID().slice(0, 8);
  const name = `readers-${run}`;
  const gatewayPrefix = `gw-${run}`;
  const classifierPrefix = `cl-${run}`;
  const admin = new Kafka({
    brokers: testBrokers().split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  let gateway: AppProcess;
  let classifier: AppProcess;
  let png: Buffer;

  /** The groups the broker has members of with this client-id prefix in, and what each reads. */
  async function membershipsOf(prefix: string): Promise<GroupMembership[]> {
    const groupIds = (await admin.listGroups()).groups.map(
      ({ groupId }) => groupId,
    );
    const { groups } = await admin.describeGroups(groupIds);
    return groups.flatMap(({ groupId, members }) =>
      members
        .filter((member) => member.clientId.startsWith(prefix))
        .map((member) => ({
          groupId,
          topics: Object.keys(
            AssignerProtocol.MemberAssignment.decode(member.memberAssignment)
              ?.assignment ?? {},
          ),
        })),
    );
  }

  const loads = (version: number) =>
    metric(classifier, 'classifier_model_loads_total', {
      model: name,
      version: String(version),
    });

  before(async () => {
    const artifacts = await testModelArtifacts();
    png = await encodePng((await officialTestImages(1))[0].pixels);
    const registry = await connectRegistry();
    for (const version of [1, 2, 3]) {
      await registry.publish(testModelRecord({ name, version }, artifacts));
    }
    await registry.promote({ name, version: 2 });
    await registry.onModuleDestroy();
    [classifier, gateway] = await Promise.all([
      startTestApp('classifier', {
        KAFKA_CLIENT_ID_PREFIX: classifierPrefix,
        STREAM_ENABLED: 'false',
      }),
      startTestApp('gateway', { KAFKA_CLIENT_ID_PREFIX: gatewayPrefix }),
    ]);
    await admin.connect();
  });

  after(async () => {
    await Promise.all([gateway?.stop(), classifier?.stop()]);
    await admin.disconnect();
  });

  it('lets the gateway list every version without reading any weights', async () => {
    const listed = (await (
      await fetch(`${gateway.url}/v1/models`)
    ).json()) as Record<string, unknown>[];
    const ours = listed.filter((model) => model.name === name);
    assert.deepEqual(
      ours.map((model) => model.version),
      [1, 2, 3],
    );
    for (const model of ours) {
      assert.ok(!('artifacts' in model) && !('weights' in model));
    }
    const memberships = await membershipsOf(gatewayPrefix);
    assert.ok(
      memberships.some(({ topics }) => topics.includes(Topics.models)),
      `the gateway reads no registry: ${JSON.stringify(memberships)}`,
    );
    for (const { groupId, topics } of memberships) {
      assert.ok(
        !topics.includes(Topics.modelWeights),
        `${groupId} reads ${topics.join(', ')}`,
      );
    }
  });

  it('has a classifier read the weights of the version it serves, then of a version a request names, and no other', async () => {
    await waitFor(async () => (await loads(2)) === 1);
    assert.deepEqual([await loads(1), await loads(3)], [0, 0]);
    assert.ok(
      (await membershipsOf(classifierPrefix)).some(({ topics }) =>
        topics.includes(Topics.modelWeights),
      ),
      'the classifier has no reader of the weights topic',
    );

    const response = await postImage(gateway, png, { model: `${name}:3` });
    assert.equal(response.status, 200, await response.text());
    assert.deepEqual(
      [await loads(1), await loads(2), await loads(3)],
      [0, 1, 1],
    );
  });

  it('leaves no consumer group of its own behind once the apps stop', async () => {
    const own = [
      ...(await membershipsOf(gatewayPrefix)),
      ...(await membershipsOf(classifierPrefix)),
    ]
      .map(({ groupId }) => groupId)
      .filter((groupId) => groupId !== SHARED_CLASSIFIER_GROUP);
    assert.ok(
      own.filter((groupId) => groupId.startsWith('fashion-registry-'))
        .length === 2 &&
        own.some((groupId) => groupId.startsWith('fashion-weights-')),
      `not the groups expected: ${own.join(', ')}`,
    );
    await Promise.all([gateway.stop(), classifier.stop()]);
    const left = async () => {
      const groups = new Set(
        (await admin.listGroups()).groups.map(({ groupId }) => groupId),
      );
      return own.filter((groupId) => groups.has(groupId));
    };
    await waitFor(async () => (await left()).length === 0).catch(async () =>
      assert.fail(`left behind: ${(await left()).join(', ')}`),
    );
  });
});
