// The compiled TensorFlow protocol buffers tfjs-node ships for reading SavedModels; the training
// graph is written with them. Declared here for the messages and fields this project sets.
declare module '@tensorflow/tfjs-node/dist/proto/api_pb.js' {
  interface Message {
    serializeBinary(): Uint8Array;
  }
  interface ProtoMap<V> {
    set(key: string, value: V): ProtoMap<V>;
  }
  class TensorShapeDim {
    setSize(size: number): void;
  }
  class TensorShape implements Message {
    static Dim: typeof TensorShapeDim;
    addDim(dim: TensorShapeDim): void;
    serializeBinary(): Uint8Array;
  }
  class Tensor implements Message {
    setDtype(dtype: number): void;
    setTensorShape(shape: TensorShape): void;
    setFloatValList(values: number[]): void;
    setIntValList(values: number[]): void;
    serializeBinary(): Uint8Array;
  }
  class AttrValueList {
    setIList(values: number[]): void;
  }
  class AttrValue implements Message {
    static ListValue: typeof AttrValueList;
    setType(dtype: number): void;
    setS(value: Uint8Array): void;
    setI(value: number): void;
    setF(value: number): void;
    setB(value: boolean): void;
    setShape(shape: TensorShape): void;
    setTensor(tensor: Tensor): void;
    setList(list: AttrValueList): void;
    serializeBinary(): Uint8Array;
  }
  class NodeDef implements Message {
    setName(name: string): void;
    setOp(op: string): void;
    setInputList(inputs: string[]): void;
    getAttrMap(): ProtoMap<AttrValue>;
    serializeBinary(): Uint8Array;
  }
  class VersionDef {
    setProducer(version: number): void;
  }
  class GraphDef implements Message {
    setNodeList(nodes: NodeDef[]): void;
    setVersions(versions: VersionDef): void;
    serializeBinary(): Uint8Array;
  }
  class TensorInfo {
    setName(name: string): void;
    setDtype(dtype: number): void;
    setTensorShape(shape: TensorShape): void;
  }
  class SignatureDef {
    getInputsMap(): ProtoMap<TensorInfo>;
    getOutputsMap(): ProtoMap<TensorInfo>;
    setMethodName(name: string): void;
  }
  class MetaInfoDef {
    setTagsList(tags: string[]): void;
  }
  class MetaGraphDef {
    static MetaInfoDef: typeof MetaInfoDef;
    setMetaInfoDef(info: MetaInfoDef): void;
    setGraphDef(graph: GraphDef): void;
    getSignatureDefMap(): ProtoMap<SignatureDef>;
  }
  class SavedModel implements Message {
    setSavedModelSchemaVersion(version: number): void;
    addMetaGraphs(graph: MetaGraphDef): void;
    serializeBinary(): Uint8Array;
  }
  const DataType: { DT_FLOAT: number; DT_INT32: number; DT_BOOL: number };
}
