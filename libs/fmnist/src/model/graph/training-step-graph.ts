import type * as tf from '@tensorflow/tfjs-node';
import { attr, GraphBuilder } from './graph-builder.js';
import { batchShape, sequentialGraph } from './sequential-graph.js';

/** The signature a training step graph is run under. */
export const TRAINING_STEP_SIGNATURE = 'train_step';

export interface AdamConstants {
  beta1: number;
  beta2: number;
  epsilon: number;
}

/**
 * One training step of a sequential model as a TensorFlow graph: forward pass, softmax
 * cross-entropy on the (possibly smoothed) targets averaged over the batch, each layer's gradient
 * (`layerGraph`), and Adam on every weight as Keras computes it. The step is a pure function: it
 * takes the images `x`, the targets `y`, the step's bias-corrected `rate`, the weights `w<i>` (in
 * `model.getWeights()` order) and Adam's moments `m<i>`, `v<i>`, and returns the next ones under
 * the same names, with the batch's `loss` and `accuracy`. A layer the graph cannot train is refused
 * with its name.
 */
export function trainingStepGraph(
  model: tf.LayersModel,
  adam: AdamConstants,
): Uint8Array {
  const graph = new GraphBuilder();
  const x = graph.input('x', 'float32', batchShape(model.inputs[0].shape));
  const y = graph.input('y', 'float32', batchShape(model.outputs[0].shape));
  const rate = graph.input('rate', 'float32', []);
  const {
    logits,
    weights: w,
    shapes,
    layers: steps,
  } = sequentialGraph(graph, model, x, { training: true, output: 'loss' });

  const gradients: string[] = [];
  const crossEntropy = graph.float('SoftmaxCrossEntropyWithLogits', [
    logits,
    y,
  ]);
  const perImage = `${crossEntropy}:0`;
  const mean = (value: string) =>
    graph.float('Mean', [value, graph.constant([0], 'int32')], {
      keep_dims: attr.bool(false),
      Tidx: attr.type('int32'),
    });
  let gradient = graph.float('RealDiv', [
    `${crossEntropy}:1`,
    graph.cast(graph.shape(perImage), 'int32', 'float32'),
  ]);
  for (const step of [...steps].reverse()) {
    gradient = step.graph.backward(gradient);
    step.gradients.forEach((g, k) => (gradients[step.first + k] = g));
  }

  const argMax = (value: string) =>
    graph.float('ArgMax', [value, graph.constant(1, 'int32')], {
      Tidx: attr.type('int32'),
      output_type: attr.type('int32'),
    });
  const hits = graph.op('Equal', [argMax(logits), argMax(y)], {
    T: attr.type('int32'),
    incompatible_shape_error: attr.bool(true),
  });
  graph.output('loss', mean(perImage), 'float32', []);
  graph.output(
    'accuracy',
    mean(graph.cast(hits, 'bool', 'float32')),
    'float32',
    [],
  );

  addAdam(graph, adam, rate, w, gradients, shapes);
  return graph.savedModel(TRAINING_STEP_SIGNATURE);
}

/** Keras's Adam: `w - rate * m / (sqrt(v) + epsilon)`, the rate bias-corrected by the caller. */
function addAdam(
  graph: GraphBuilder,
  adam: AdamConstants,
  rate: string,
  weights: string[],
  gradients: string[],
  shapes: number[][],
) {
  const f = (type: string, inputs: string[]) => graph.float(type, inputs);
  const [beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon] = [
    adam.beta1,
    1 - adam.beta1,
    adam.beta2,
    1 - adam.beta2,
    adam.epsilon,
  ].map((value) => graph.constant(value));
  shapes.forEach((shape, i) => {
    const g = gradients[i];
    const m = graph.input(`m${i}`, 'float32', shape);
    const v = graph.input(`v${i}`, 'float32', shape);
    const nextM = f('AddV2', [
      f('Mul', [m, beta1]),
      f('Mul', [g, oneMinusBeta1]),
    ]);
    const nextV = f('AddV2', [
      f('Mul', [v, beta2]),
      f('Mul', [f('Square', [g]), oneMinusBeta2]),
    ]);
    const step = f('Mul', [
      rate,
      f('RealDiv', [nextM, f('AddV2', [f('Sqrt', [nextV]), epsilon])]),
    ]);
    graph.output(`w${i}`, f('Sub', [weights[i], step]), 'float32', shape);
    graph.output(`m${i}`, nextM, 'float32', shape);
    graph.output(`v${i}`, nextV, 'float32', shape);
  });
}
