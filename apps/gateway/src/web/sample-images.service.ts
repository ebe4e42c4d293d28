import {
  Injectable,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomInt } from 'node:crypto';
import {
  encodePng,
  IMAGE_PIXELS,
  LABELS,
  loadFashionMnist,
  type LabelledImages,
} from '#fmnist';
import type { GatewayEnvironment } from '../config/gateway.environment.js';
import type { SampleDto } from './dto/sample.dto.js';

/**
 * Random images of the official test split. The split (8 MB) is read on the first request only,
 * so a gateway whose page nobody opens never pays for it.
 */
@Injectable()
export class SampleImagesService {
  private readonly logger = new Logger(SampleImagesService.name);
  private readonly dir: string;
  private split?: Promise<LabelledImages>;

  constructor(config: ConfigService<GatewayEnvironment, true>) {
    this.dir = config.get('FMNIST_DIR', { infer: true });
  }

  async pick(count: number): Promise<SampleDto[]> {
    const split = await this.load();
    const indices = new Set<number>();
    while (indices.size < Math.min(count, split.count)) {
      indices.add(randomInt(split.count));
    }
    return Promise.all(
      [...indices].map(async (index) => {
        const labelIndex = split.labels[index];
        const pixels = split.images.subarray(
          index * IMAGE_PIXELS,
          (index + 1) * IMAGE_PIXELS,
        );
        return {
          index,
          label: LABELS[labelIndex].name,
          labelIndex,
          png: (await encodePng(pixels)).toString('base64'),
        };
      }),
    );
  }

  private load(): Promise<LabelledImages> {
    this.split ??= loadFashionMnist(this.dir, 'test').catch(
      (error: unknown) => {
        // Not cached: the files may be installed while the gateway runs.
        this.split = undefined;
        // Where the files are and why they failed is for the operator, not the caller.
        this.logger.error(
          `the Fashion-MNIST test split cannot be read from FMNIST_DIR=${this.dir}: ${error instanceof Error ? error.message : String(error)}`,
        );
        throw new ServiceUnavailableException(
          'the sample images are not available on this server',
        );
      },
    );
    return this.split;
  }
}
