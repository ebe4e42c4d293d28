import { Injectable } from '@nestjs/common';
import { filter, firstValueFrom, startWith, throwError, timeout } from 'rxjs';
import type { ActiveModel, ModelRecord, ModelRef } from '#fmnist';
import { ModelRegistry } from '#platform';

/** How long the registry's own consumer may take to see what this process just produced. */
const REGISTRY_ECHO_TIMEOUT_MS = 30_000;

/**
 * Publishing and promoting through the registry, each step awaited until this process's registry
 * view reflects it, so a version number is never handed out twice here and an answer to the API
 * already shows the change.
 */
@Injectable()
export class ModelReleases {
  private releasing: Promise<unknown> = Promise.resolve();

  constructor(private readonly registry: ModelRegistry) {}

  /** Publishes `draft` as the next version of its name, then promotes it when asked. */
  release(
    draft: Omit<ModelRecord, 'version'>,
    promote: boolean,
  ): Promise<ModelRef> {
    const released = this.releasing.then(async () => {
      const ref = {
        name: draft.name,
        version: (this.registry.latest(draft.name)?.version ?? 0) + 1,
      };
      await this.registry.publish({ ...draft, ...ref });
      await this.until(
        () => this.registry.find(ref) !== undefined,
        `${describe(ref)} to appear in the registry`,
      );
      if (promote) await this.promote(ref);
      return ref;
    });
    this.releasing = released.catch(() => undefined);
    return released;
  }

  /** Makes a published version the active one; the caller checks that it exists. */
  async promote(ref: ModelRef): Promise<ActiveModel> {
    const active = await this.registry.promote(ref);
    await this.until(
      () => this.registry.active?.promotedAt === active.promotedAt,
      `the promotion of ${describe(ref)} to reach the registry`,
    );
    return active;
  }

  private until(condition: () => boolean, what: string): Promise<unknown> {
    return firstValueFrom(
      this.registry.changes.pipe(
        startWith(undefined),
        filter(condition),
        timeout({
          first: REGISTRY_ECHO_TIMEOUT_MS,
          with: () =>
            throwError(() => new Error(`timed out waiting for ${what}`)),
        }),
      ),
    );
  }
}

function describe(ref: ModelRef): string {
  return `${ref.name} v${ref.version}`;
}
