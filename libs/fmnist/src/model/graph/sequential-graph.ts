import type * as tf from '@tensorflow/tfjs-node';
import type { GraphBuilder } from './graph-builder.js';
import { check, layerGraph, type LayerGraph } from './layer-graphs.js';

/** A shape with -1 for the batch dimension (tfjs's null), as a graph's placeholders take it. */
export const batchShape = (shape: (number | null)[]): number[] =>
  shape.map((s) => s ?? -1);

export interface SequentialGraph {
  /** The last layer's output before its softmax. */
  logits: string;
  /** The weights, fed at each run as `w<i>` in `model.getWeights()` order, and their shapes. */
  weights: string[];
  shapes: number[][];
  /** Each layer's graph, the gradients its `backward` fills, and the index of its first weight. */
  layers: { graph: LayerGraph; gradients: string[]; first: number }[];
}

/**
 * A sequential model's layers chained in `graph` from the input `x` (`layerGraph`). Dropout
 * passes its input through unless `training`, as in Keras. A model that does not end in a softmax
 * dense layer is refused, `output` naming what needed one.
 */
export function sequentialGraph(
  graph: GraphBuilder,
  model: tf.LayersModel,
  x: string,
  options: { training: boolean; output: string },
): SequentialGraph {
  // Weight shapes are whole: only the batch dimension of activations is unknown.
  const shapes = model.weights.map((weight) => weight.shape as number[]);
  const weights = shapes.map((shape, i) =>
    graph.input(`w${i}`, 'float32', shape),
  );
  const layers: SequentialGraph['layers'] = [];
  let current = x;
  let inputShape = batchShape(model.inputs[0].shape);
  let weightCount = 0;
  model.layers.forEach((layer, index) => {
    const count = layer.weights.length;
    if (options.training || layer.getClassName() !== 'Dropout') {
      const gradients: string[] = [];
      const built = layerGraph({
        graph,
        layer,
        input: current,
        inputShape,
        weights: weights.slice(weightCount, weightCount + count),
        weightShapes: shapes.slice(weightCount, weightCount + count),
        gradients,
        first: index === 0,
        last: index === model.layers.length - 1,
      });
      layers.push({ graph: built, gradients, first: weightCount });
      current = built.output;
    }
    weightCount += count;
    inputShape = batchShape(layer.outputShape as (number | null)[]);
  });
  const last = model.layers[model.layers.length - 1];
  check(
    last?.getClassName() === 'Dense' &&
      last.getConfig().activation === 'softmax',
    last,
    `${options.output} but from a softmax dense layer last`,
  );
  check(weightCount === shapes.length, last, 'weights but in its layers');
  return { logits: current, weights, shapes, layers };
}
