// The one place that imports onnx-proto (a CommonJS package generated from onnx.proto by protobufjs),
// so the rest of src/export sees plain typed names. Browser-safe: protobufjs/minimal has no node: imports.

import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type { onnx as OnnxTypes } from 'onnx-proto';

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const ATTR = onnx.AttributeProto.AttributeType;
