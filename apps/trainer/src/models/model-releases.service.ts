import { Injectable } from '@nestjs/common';
import type { ModelRecord, ModelRef } from '#fmnist';
import { ModelRegistryService } from '#model-registry';

/**
 * Publishing new versions, one at a time: the registry's publish resolves once this process's
 * view has the record, so the next release numbers itself after it and a version number is
 * never handed out twice by this trainer.
 */
@Injectable()
export class ModelReleasesService {
  private releasing: Promise<unknown> = Promise.resolve();

  constructor(private readonly registry: ModelRegistryService) {}

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
      if (promote) await this.registry.promote(ref);
      return ref;
    });
    this.releasing = released.catch(() => undefined);
    return released;
  }
}
