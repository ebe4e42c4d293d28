import protos from '@tensorflow/tfjs-node/dist/proto/api_pb.js';

export type GraphDType = 'float32' | 'int32' | 'bool';
/** The types the graph holds constants of. */
type ConstantDType = 'float32' | 'int32';

/** A node's attribute value (`AttrValue`). */
export type Attr = InstanceType<typeof protos.AttrValue>;

const DTYPES: Record<GraphDType, number> = {
  float32: protos.DataType.DT_FLOAT,
  int32: protos.DataType.DT_INT32,
  bool: protos.DataType.DT_BOOL,
};

/** The graph producer version TensorFlow 2.21 writes: its ops are read as of that version. */
const PRODUCER_VERSION = 2474;

function tensorShape(dims: readonly number[]) {
  const shape = new protos.TensorShape();
  for (const size of dims) {
    const dim = new protos.TensorShape.Dim();
    dim.setSize(size);
    shape.addDim(dim);
  }
  return shape;
}

function attrValue(set: (value: Attr) => void): Attr {
  const value = new protos.AttrValue();
  set(value);
  return value;
}

/** Attribute values by kind, as op definitions name them. */
export const attr = {
  type: (dtype: GraphDType) => attrValue((a) => a.setType(DTYPES[dtype])),
  string: (value: string) =>
    attrValue((a) => a.setS(new TextEncoder().encode(value))),
  int: (value: number) => attrValue((a) => a.setI(value)),
  bool: (value: boolean) => attrValue((a) => a.setB(value)),
  ints: (values: number[]) =>
    attrValue((a) => {
      const list = new protos.AttrValue.ListValue();
      list.setIList(values);
      a.setList(list);
    }),
  /** -1 for a dimension of unknown size. */
  shape: (dims: readonly number[]) =>
    attrValue((a) => a.setShape(tensorShape(dims))),
  tensor: (dtype: ConstantDType, values: number[], dims: readonly number[]) =>
    attrValue((a) => {
      const tensor = new protos.Tensor();
      tensor.setDtype(DTYPES[dtype]);
      tensor.setTensorShape(tensorShape(dims));
      if (dtype === 'float32') tensor.setFloatValList(values);
      else tensor.setIntValList(values);
      a.setTensor(tensor);
    }),
};

interface SignatureTensor {
  tensor: string;
  dtype: GraphDType;
  shape: readonly number[];
}

/**
 * Writes a TensorFlow graph node by node and wraps it as a SavedModel with one signature, which
 * tfjs-node loads into a TensorFlow session (`tf.node.loadSavedModel`): a graph that TensorFlow
 * optimises and runs as a whole, where tfjs's eager ops each cost a native call.
 */
export class GraphBuilder {
  private readonly nodes: InstanceType<typeof protos.NodeDef>[] = [];
  private readonly inputs = new Map<string, SignatureTensor>();
  private readonly outputs = new Map<string, SignatureTensor>();
  private count = 0;

  /** Adds a node; returns the name of its first output (`name:1` names the second). */
  op(type: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    const name = `${type}_${this.count++}`;
    const node = new protos.NodeDef();
    node.setName(name);
    node.setOp(type);
    node.setInputList(inputs);
    const map = node.getAttrMap();
    for (const [key, value] of Object.entries(attrs)) map.set(key, value);
    this.nodes.push(node);
    return name;
  }

  /** A float32 op of one type parameter `T`, the most common kind. */
  float(type: string, inputs: string[], attrs: Record<string, Attr> = {}) {
    return this.op(type, inputs, { T: attr.type('float32'), ...attrs });
  }

  constant(
    values: number | number[],
    dtype: ConstantDType = 'float32',
  ): string {
    const list = typeof values === 'number' ? [values] : values;
    const dims = typeof values === 'number' ? [] : [values.length];
    return this.op('Const', [], {
      dtype: attr.type(dtype),
      value: attr.tensor(dtype, list, dims),
    });
  }

  /** The shape of a float32 tensor, as int32. */
  shape(value: string): string {
    return this.op('Shape', [value], {
      T: attr.type('float32'),
      out_type: attr.type('int32'),
    });
  }

  /** A float32 tensor reshaped (-1 for the one dimension to infer). */
  reshape(value: string, dims: number[]): string {
    return this.op('Reshape', [value, this.constant(dims, 'int32')], {
      T: attr.type('float32'),
      Tshape: attr.type('int32'),
    });
  }

  cast(value: string, from: GraphDType, to: GraphDType): string {
    return this.op('Cast', [value], {
      SrcT: attr.type(from),
      DstT: attr.type(to),
      Truncate: attr.bool(false),
    });
  }

  /** A tensor fed at each run under `key`. */
  input(key: string, dtype: GraphDType, shape: readonly number[]): string {
    const tensor = this.op('Placeholder', [], {
      dtype: attr.type(dtype),
      shape: attr.shape(shape),
    });
    this.inputs.set(key, { tensor, dtype, shape });
    return tensor;
  }

  /** A tensor fetched at each run under `key`. */
  output(
    key: string,
    tensor: string,
    dtype: GraphDType,
    shape: readonly number[],
  ) {
    this.outputs.set(key, { tensor, dtype, shape });
  }

  /** The SavedModel file (`saved_model.pb`) holding the graph under the `serve` tag. */
  savedModel(signatureName: string): Uint8Array {
    const graph = new protos.GraphDef();
    graph.setNodeList(this.nodes);
    const versions = new protos.VersionDef();
    versions.setProducer(PRODUCER_VERSION);
    graph.setVersions(versions);

    const signature = new protos.SignatureDef();
    signature.setMethodName('tensorflow/serving/predict');
    const add = (
      map: ReturnType<typeof signature.getInputsMap>,
      entries: Map<string, SignatureTensor>,
    ) => {
      for (const [key, { tensor, dtype, shape }] of entries) {
        const info = new protos.TensorInfo();
        info.setName(tensor.includes(':') ? tensor : `${tensor}:0`);
        info.setDtype(DTYPES[dtype]);
        info.setTensorShape(tensorShape(shape));
        map.set(key, info);
      }
    };
    add(signature.getInputsMap(), this.inputs);
    add(signature.getOutputsMap(), this.outputs);

    const info = new protos.MetaGraphDef.MetaInfoDef();
    info.setTagsList(['serve']);
    const metaGraph = new protos.MetaGraphDef();
    metaGraph.setMetaInfoDef(info);
    metaGraph.setGraphDef(graph);
    metaGraph.getSignatureDefMap().set(signatureName, signature);
    const savedModel = new protos.SavedModel();
    savedModel.setSavedModelSchemaVersion(1);
    savedModel.addMetaGraphs(metaGraph);
    return savedModel.serializeBinary();
  }
}
