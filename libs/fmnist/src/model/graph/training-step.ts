import * as tf from '@tensorflow/tfjs-node';
import { loadGraphSession, type GraphSession } from './graph-session.js';
import {
  TRAINING_STEP_SIGNATURE,
  trainingStepGraph,
  type AdamConstants,
} from './training-step-graph.js';

/** Keras's Adam defaults (epsilon 1e-7, not the paper's 1e-8). */
export const KERAS_ADAM: AdamConstants = {
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-7,
};

/**
 * A model's training step compiled into one TensorFlow graph (`trainingStepGraph`), with the
 * weights and Adam's moments it carries from step to step. At the prototype's batch of 20, tfjs's
 * eager training spent most of a step in ~130 separate native calls and in kernels TensorFlow only
 * fuses or swaps for oneDNN's in a graph; here a step is one session run. The model's own weights
 * are left alone until `copyWeightsTo`.
 */
export class TrainingStep {
  private state: tf.NamedTensorMap;
  private steps = 0;

  private constructor(
    private readonly session: GraphSession,
    weights: tf.Tensor[],
    private readonly adam: AdamConstants,
  ) {
    this.state = {};
    weights.forEach((weight, i) => {
      this.state[`w${i}`] = weight;
      this.state[`m${i}`] = tf.zerosLike(weight);
      this.state[`v${i}`] = tf.zerosLike(weight);
    });
  }

  /** Builds the graph of `model`'s step, starting from its current weights. */
  static async compile(
    model: tf.LayersModel,
    adam: AdamConstants = KERAS_ADAM,
  ): Promise<TrainingStep> {
    const session = await loadGraphSession(
      trainingStepGraph(model, adam),
      TRAINING_STEP_SIGNATURE,
    );
    return new TrainingStep(
      session,
      model.getWeights().map((weight) => weight.clone()),
      adam,
    );
  }

  /** Steps taken so far. */
  get iterations(): number {
    return this.steps;
  }

  /**
   * One Adam step on a batch at `learningRate` (before Adam's bias correction, which is applied
   * here as Keras does): returns the batch's loss and accuracy before the update.
   */
  run(
    x: tf.Tensor,
    y: tf.Tensor,
    learningRate: number,
  ): { loss: number; accuracy: number } {
    const t = ++this.steps;
    const { beta1, beta2 } = this.adam;
    const rate = tf.scalar(
      (learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t),
    );
    try {
      const outputs = this.session.predict({
        ...this.state,
        x,
        y,
        rate,
      }) as tf.NamedTensorMap;
      const { loss, accuracy, ...next } = outputs;
      tf.dispose(Object.values(this.state));
      this.state = next;
      const figures = {
        loss: loss.dataSync()[0],
        accuracy: accuracy.dataSync()[0],
      };
      tf.dispose([loss, accuracy]);
      return figures;
    } finally {
      rate.dispose();
    }
  }

  /** Puts the trained weights into `model` (copies: the step keeps its own). */
  copyWeightsTo(model: tf.LayersModel): void {
    const count = Object.keys(this.state).length / 3;
    model.setWeights(
      Array.from({ length: count }, (_, i) => this.state[`w${i}`]),
    );
  }

  dispose(): void {
    tf.dispose(Object.values(this.state));
    this.state = {};
    this.session.dispose();
  }
}
