import type { OpenAPIObject, SchemaObject } from '@nestjs/swagger';
import { CreateTrainingJobDto } from './dto/create-training-job.dto.js';

/**
 * The limits TrainingJobsService enforces from the configuration, in the description of a job's
 * parameters: a client learns TRAINER_MAX_EPOCHS from the schema rather than from a 400.
 */
export function documentTrainingLimits(
  document: OpenAPIObject,
  { maxEpochs }: { maxEpochs: number },
): void {
  const job = document.components?.schemas?.[CreateTrainingJobDto.name] as
    SchemaObject | undefined;
  const epochs = job?.properties?.epochs as SchemaObject | undefined;
  if (epochs) epochs.maximum = maxEpochs;
}
