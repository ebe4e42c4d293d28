import type { Logger } from '@nestjs/common';
import type { Admin } from 'kafkajs';

/**
 * Removes a consumer group that was one process's alone, once its consumer has left it: such a
 * group has no use afterwards, and left behind it lingers in every listing of the cluster.
 */
export async function removeGroup(
  kafka: {
    admin: () => Pick<Admin, 'connect' | 'deleteGroups' | 'disconnect'>;
  },
  groupId: string,
  logger: Logger,
): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch (error) {
    logger.warn(`the group ${groupId} could not be removed: ${String(error)}`);
  } finally {
    await admin.disconnect();
  }
}
