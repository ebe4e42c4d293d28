import type * as tf from '@tensorflow/tfjs-node';
import { ForwardPass } from './graph/forward-pass.js';

/**
 * A model as the classifiers serve it: its forward pass compiled into one TensorFlow graph
 * (`ForwardPass`), run as one session call. tfjs's `predict` runs a model layer by layer, each
 * op a native call with tfjs's bookkeeping around it: measured here, 2.2 ms of CPU for one image
 * through the default architecture against 1.0 ms for the graph, and 12.5 against 5.4 ms for 64.
 * A model with a layer the graph does not have is served layer by layer, with the same answers.
 */
export class ServingModel {
  private constructor(
    /** The model itself: its weights are what the graph is fed. */
    readonly layersModel: tf.LayersModel,
    private readonly forward: ForwardPass | undefined,
    /** Why the model is served layer by layer; undefined when it runs as one graph. */
    readonly uncompiledBecause: string | undefined,
  ) {}

  static async of(model: tf.LayersModel): Promise<ServingModel> {
    try {
      return new ServingModel(
        model,
        await ForwardPass.compile(model),
        undefined,
      );
    } catch (error) {
      // A layer the graph lacks, or a graph TensorFlow would not load: tfjs still runs the model.
      return new ServingModel(
        model,
        undefined,
        error instanceof Error ? error.message : String(error),
      );
    }
  }

  /** Class probabilities, one row per image of `input` ([count, 28, 28, 1], `toInputTensor`). */
  predict(input: tf.Tensor4D): tf.Tensor2D {
    return this.forward
      ? this.forward.run(input)
      : (this.layersModel.predict(input) as tf.Tensor2D);
  }

  /** Releases the graph's session and leaves the model to whoever owns it. */
  disposeGraph(): void {
    this.forward?.dispose();
  }

  /** Releases the model's weights and its session. */
  dispose(): void {
    this.disposeGraph();
    this.layersModel.dispose();
  }
}
