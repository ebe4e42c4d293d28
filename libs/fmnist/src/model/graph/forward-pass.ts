import type * as tf from '@tensorflow/tfjs-node';
import { loadGraphSession, type GraphSession } from './graph-session.js';
import { INFERENCE_SIGNATURE, inferenceGraph } from './inference-graph.js';

/**
 * A model's forward pass as one TensorFlow graph (`inferenceGraph`) in a session of its own, fed
 * the model's weights as they are at each run: training may go on changing them. The model itself
 * is left to its owner.
 */
export class ForwardPass {
  private constructor(
    private readonly model: tf.LayersModel,
    private readonly session: GraphSession,
  ) {}

  /** Throws, naming the layer, for a model the graph cannot run. */
  static async compile(model: tf.LayersModel): Promise<ForwardPass> {
    return new ForwardPass(
      model,
      await loadGraphSession(inferenceGraph(model), INFERENCE_SIGNATURE),
    );
  }

  /** Class probabilities, one row per image of `input` ([count, 28, 28, 1], `toInputTensor`). */
  run(input: tf.Tensor4D): tf.Tensor2D {
    const feed: tf.NamedTensorMap = { x: input };
    this.model.getWeights().forEach((weight, i) => (feed[`w${i}`] = weight));
    const { probabilities } = this.session.predict(feed) as tf.NamedTensorMap;
    return probabilities as tf.Tensor2D;
  }

  /** Releases the session. */
  dispose(): void {
    this.session.dispose();
  }
}
