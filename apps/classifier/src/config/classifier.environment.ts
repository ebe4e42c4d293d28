import { IsNotEmpty } from 'class-validator';
import { HttpEnvironment, IsPort } from '#platform';

export class ClassifierEnvironment extends HttpEnvironment {
  /** The classifier serves Kafka; this port only carries health and metrics. */
  @IsPort('CLASSIFIER_PORT')
  CLASSIFIER_PORT: number = 3001;

  /** Replicas sharing this group split the partitions of `fashion-images` between them. */
  @IsNotEmpty({ message: 'CLASSIFIER_GROUP_ID must not be empty' })
  CLASSIFIER_GROUP_ID: string = 'fashion-classifier';
}
