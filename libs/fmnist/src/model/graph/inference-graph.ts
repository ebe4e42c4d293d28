import type * as tf from '@tensorflow/tfjs-node';
import { GraphBuilder } from './graph-builder.js';
import { batchShape, sequentialGraph } from './sequential-graph.js';

/** The signature a model's forward pass is run under. */
export const INFERENCE_SIGNATURE = 'serving_default';

/**
 * The forward pass of a sequential model as a TensorFlow graph: it takes the images `x` and the
 * weights `w<i>` (in `model.getWeights()` order) and returns the class `probabilities`. Dropout
 * passes its input through, as Keras does outside training. A layer the graph does not have, or a
 * model that does not end in a softmax dense layer, is refused with the layer's name.
 */
export function inferenceGraph(model: tf.LayersModel): Uint8Array {
  const graph = new GraphBuilder();
  const x = graph.input('x', 'float32', batchShape(model.inputs[0].shape));
  const { logits } = sequentialGraph(graph, model, x, {
    training: false,
    output: 'probabilities',
  });
  // The last layer's graph leaves its softmax out (the training loss takes logits).
  graph.output(
    'probabilities',
    graph.float('Softmax', [logits]),
    'float32',
    batchShape(model.outputs[0].shape),
  );
  return graph.savedModel(INFERENCE_SIGNATURE);
}
