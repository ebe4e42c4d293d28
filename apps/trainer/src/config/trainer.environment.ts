import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
} from 'class-validator';
import {
  HttpEnvironment,
  IsPort,
  isLoopbackAddress,
  parseBoolean,
} from '#platform';

/** Short keys can be guessed; a generated one costs nothing. */
const API_KEY_MIN_LENGTH = 16;

export class TrainerEnvironment extends HttpEnvironment {
  /**
   * Loopback by default: without a key the trainer's changes are open to this machine, and only a
   * key makes it safe to listen where other machines reach it (compose sets both).
   */
  @ValidateBy({
    name: 'keyOffLoopback',
    validator: {
      validate: (host: unknown, args) =>
        (args?.object as TrainerEnvironment).TRAINER_API_KEY !== null ||
        (typeof host === 'string' && isLoopbackAddress(host)),
      defaultMessage: (args) =>
        `HTTP_HOST is ${String(args?.value)}, where other machines can reach the trainer, and TRAINER_API_KEY is not set: set TRAINER_API_KEY (e.g. export TRAINER_API_KEY=$(openssl rand -hex 32)) or listen on this machine only (HTTP_HOST=127.0.0.1)`,
    },
  })
  override HTTP_HOST: string = '127.0.0.1';

  @IsPort('TRAINER_PORT')
  TRAINER_PORT: number = 3002;

  /** Folder with the four official Fashion-MNIST .gz files (Debian: dataset-fashion-mnist). */
  @IsNotEmpty({ message: 'FMNIST_DIR must not be empty' })
  FMNIST_DIR: string = '/usr/share/datasets/fashion-mnist';

  /** Image-folder datasets are named relative to this folder; nothing outside it can be read. */
  @IsNotEmpty({ message: 'TRAINER_DATA_ROOT must not be empty' })
  TRAINER_DATA_ROOT: string = '.data/datasets';

  /** Where the trainer keeps its job records, so they outlive a restart. */
  @IsNotEmpty({ message: 'TRAINER_DATA_DIR must not be empty' })
  TRAINER_DATA_DIR: string = '.data/trainer';

  @IsInt({ message: 'TRAINER_MAX_EPOCHS must be an integer' })
  @Min(1, { message: 'TRAINER_MAX_EPOCHS must be at least 1' })
  TRAINER_MAX_EPOCHS: number = 50;

  /** Trainings running at once; each one uses every core it is given. */
  @IsInt({ message: 'TRAINER_CONCURRENCY must be an integer' })
  @Min(1, { message: 'TRAINER_CONCURRENCY must be at least 1' })
  @Max(16, { message: 'TRAINER_CONCURRENCY must be at most 16' })
  TRAINER_CONCURRENCY: number = 1;

  /** Jobs waiting for a worker at most; beyond, a new job is refused with 503. */
  @IsInt({ message: 'TRAINER_MAX_QUEUED_JOBS must be an integer' })
  @Min(1, { message: 'TRAINER_MAX_QUEUED_JOBS must be at least 1' })
  TRAINER_MAX_QUEUED_JOBS: number = 20;

  /**
   * How long one job may run, from its start to its model handed over; beyond, its worker is
   * killed and the job fails saying so. 50 epochs of the whole split take about half of it.
   */
  @IsInt({ message: 'TRAINER_JOB_TIME_LIMIT_S must be an integer' })
  @Min(1, { message: 'TRAINER_JOB_TIME_LIMIT_S must be at least 1' })
  TRAINER_JOB_TIME_LIMIT_S: number = 3600;

  /** Finished jobs whose records are kept, the newest; older ones are forgotten. */
  @IsInt({ message: 'TRAINER_KEEP_FINISHED_JOBS must be an integer' })
  @Min(1, { message: 'TRAINER_KEEP_FINISHED_JOBS must be at least 1' })
  TRAINER_KEEP_FINISHED_JOBS: number = 100;

  /** Days a finished job's record is kept at most. */
  @IsInt({ message: 'TRAINER_KEEP_FINISHED_DAYS must be an integer' })
  @Min(1, { message: 'TRAINER_KEEP_FINISHED_DAYS must be at least 1' })
  TRAINER_KEEP_FINISHED_DAYS: number = 30;

  /** With an empty registry (no active model), queue a default training job at start-up. */
  @Transform(parseBoolean)
  @IsBoolean({ message: 'TRAIN_DEFAULT_MODEL_ON_START must be true or false' })
  TRAIN_DEFAULT_MODEL_ON_START: boolean = true;

  /** Name of the models the default job and jobs without a modelName publish. */
  @IsNotEmpty({ message: 'TRAINER_MODEL_NAME must not be empty' })
  TRAINER_MODEL_NAME: string = 'fashion-cnn';

  /**
   * Required on every request that changes something (jobs, promotions) when set; unset or empty
   * leaves changes open to this machine only (loopback), as on a developer's machine. Empty counts as unset so that a compose
   * file can pass the host's variable through whether it is set or not. Null, not undefined, for
   * "none": ConfigService falls back to the raw process.env (the empty string) on undefined.
   */
  @Transform(({ value }: { value: unknown }) =>
    value === '' || value === undefined ? null : value,
  )
  @IsOptional()
  @Matches(/^[!-~]*$/, {
    message:
      'TRAINER_API_KEY must be printable ASCII without spaces, as HTTP headers carry it',
  })
  @MinLength(API_KEY_MIN_LENGTH, {
    message: `TRAINER_API_KEY must be at least ${API_KEY_MIN_LENGTH} characters (e.g. openssl rand -hex 32), or unset`,
  })
  TRAINER_API_KEY: string | null = null;
}
