import { IsInt, IsNotEmpty, Max, Min } from 'class-validator';
import { HttpEnvironment } from '#platform';

export class TrainerEnvironment extends HttpEnvironment {
  @IsInt({ message: 'TRAINER_PORT must be an integer' })
  @Min(0)
  @Max(65535)
  TRAINER_PORT: number = 3002;

  /** Folder with the four official Fashion-MNIST .gz files (Debian: dataset-fashion-mnist). */
  @IsNotEmpty({ message: 'FMNIST_DIR must not be empty' })
  FMNIST_DIR: string = '/usr/share/datasets/fashion-mnist';
}
