import type { Consumer } from 'kafkajs';

/** Thrown by a send while the client has no reply partition to name: answered 503. */
export class NoReplyPartitionError extends Error {
  constructor(topic: string) {
    super(`no partition of ${topic} is read by this client yet`);
    this.name = 'NoReplyPartitionError';
  }
}

/**
 * The reply partitions of one client instance, whatever the number of instances. Nest's
 * ClientKafka shares one consumer group among all instances and names as reply partition one
 * the group gave it: an instance beyond the topic's partition count gets none and can send
 * nothing. Here each instance reads the reply topics in a consumer group of its own (the group
 * always gives it every partition), names one partition chosen from its id for its replies, and
 * pauses the others, so it fetches only the replies of the few instances sharing that partition
 * (it drops theirs by correlation id). No offsets are committed: replies are read from the
 * moment the instance joins, and its group leaves nothing behind.
 */
export class InstanceReplies {
  private readonly partitions = new Map<string, number>();

  constructor(readonly instanceId: string) {}

  /** Follows `consumer`'s group membership: a partition is named only while it is assigned. */
  watch(consumer: Consumer): void {
    this.partitions.clear();
    const forget = () => this.partitions.clear();
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.partitions.clear();
      const own: { topic: string; partitions: number[] }[] = [];
      const paused: { topic: string; partitions: number[] }[] = [];
      for (const [topic, assigned] of Object.entries(
        payload.memberAssignment,
      )) {
        if (assigned.length === 0) continue;
        const sorted = [...assigned].sort((a, b) => a - b);
        const partition = sorted[hashOf(this.instanceId) % sorted.length];
        this.partitions.set(topic, partition);
        own.push({ topic, partitions: [partition] });
        paused.push({
          topic,
          partitions: sorted.filter((p) => p !== partition),
        });
      }
      // Pauses outlive a rejoin, and a grown topic may move this instance's partition.
      consumer.resume(own);
      consumer.pause(paused);
    });
    consumer.on(consumer.events.REBALANCING, forget);
    consumer.on(consumer.events.CRASH, forget);
    consumer.on(consumer.events.STOP, forget);
    consumer.on(consumer.events.DISCONNECT, forget);
  }

  /** The partition of `topic` replies to this instance go to; throws while there is none. */
  partitionOf(topic: string): number {
    const partition = this.partitions.get(topic);
    if (partition === undefined) throw new NoReplyPartitionError(topic);
    return partition;
  }

  /** Whether replies on `topic` reach this instance now. */
  receives(topic: string): boolean {
    return this.partitions.has(topic);
  }
}

/** A stable, well-spread number from the instance id (FNV-1a). */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  return hash >>> 0;
}
