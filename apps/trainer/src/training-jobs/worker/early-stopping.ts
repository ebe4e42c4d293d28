import * as tf from '@tensorflow/tfjs-node';

export interface EarlyStoppingOptions {
  patience: number;
  minDelta: number;
}

/**
 * Stops a training when the monitored loss has not improved by more than `minDelta` for
 * `patience` epochs, and puts back the weights of the best epoch (tfjs's own earlyStopping
 * callback cannot restore them, so a stopped model would be `patience` epochs past its best).
 */
export class EarlyStopping {
  private best = Infinity;
  private bestWeights?: tf.Tensor[];
  private epochsWithoutImprovement = 0;
  private stopped = false;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly options: EarlyStoppingOptions,
  ) {}

  get stoppedEarly(): boolean {
    return this.stopped;
  }

  /** Call at each epoch's end with the monitored loss; answers `stop` when it is time. */
  observe(loss: number): 'stop' | undefined {
    if (loss < this.best - this.options.minDelta) {
      this.best = loss;
      this.epochsWithoutImprovement = 0;
      tf.dispose(this.bestWeights);
      this.bestWeights = this.model
        .getWeights()
        .map((weight) => weight.clone());
    } else if (++this.epochsWithoutImprovement >= this.options.patience) {
      this.stopped = true;
    }
    return this.stopped ? 'stop' : undefined;
  }

  /** After training: the best epoch's weights back in the model, if training stopped early. */
  finish(): void {
    if (this.stopped && this.bestWeights)
      this.model.setWeights(this.bestWeights);
    tf.dispose(this.bestWeights);
    this.bestWeights = undefined;
  }
}
