import { Injectable } from '@nestjs/common';
import { weightsChecksum, type ModelRef } from '#fmnist';
import { ModelRegistryService, type ModelDraft } from '#model-registry';

/**
 * Publishing new versions: the registry numbers each one, uniquely whatever the number of
 * trainers, and the record carries the checksum of its weights for readers to verify. Releases of
 * this trainer go one at a time, so they do not race each other for a number.
 */
@Injectable()
export class ModelReleasesService {
  private releasing: Promise<unknown> = Promise.resolve();

  constructor(private readonly registry: ModelRegistryService) {}

  /** Publishes `draft` as the next version of its name, then promotes it when asked. */
  release(
    draft: Omit<ModelDraft, 'weightsSha256'>,
    promote: boolean,
  ): Promise<ModelRef> {
    const released = this.releasing.then(async () => {
      const ref = await this.registry.publishNext({
        ...draft,
        weightsSha256: weightsChecksum(draft.artifacts.weightData),
      });
      if (promote) await this.registry.promote(ref);
      return ref;
    });
    this.releasing = released.catch(() => undefined);
    return released;
  }
}
