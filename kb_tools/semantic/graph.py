"""Builds the ONNX graph of a sentence-transformers BERT encoder from its weights, without torch.

    input_ids, attention_mask (int64, batch x sequence)
      -> embeddings: word + token type 0 + position, LayerNorm
      -> N encoder layers: self-attention, add & LayerNorm, erf-GELU feed-forward, add & LayerNorm
      -> mean pooling over the attention mask -> L2 normalisation
      -> sentence_embedding (float32, batch x hidden)

The int8 build differs only in its linear layers: weights quantized symmetrically per output
channel to 7 bits, each layer's input quantized per run to uint8 (DynamicQuantizeLinear), the
integer product scaled back to float. 7 bits keep every pair of uint8 x int7 products inside the
int16 that CPUs without VNNI accumulate in, so no CPU saturates and the vectors are the same on all.

Every step repeats the arithmetic of transformers' BertModel and of sentence-transformers'
Pooling and Normalize modules, in the same order, so the vectors match theirs to float rounding.
The output is deterministic: the same weights always give the same bytes.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import numpy as np

_OPSET = 17  # LayerNormalization is a standard op from 17 on
_IR_VERSION = 8  # the IR version of opset 17, so older onnxruntime releases load the file too
_DTYPES = {"F32": np.float32, "I64": np.int64}
_WEIGHT_LEVELS = 63  # int8 build: weights in -63..63


def read_safetensors(data: bytes) -> dict[str, np.ndarray]:
    """The tensors of a .safetensors file (8-byte header length, JSON header, raw little-endian data)."""
    (header_len,) = struct.unpack_from("<Q", data)
    header = json.loads(data[8:8 + header_len])
    body = memoryview(data)[8 + header_len:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
        tensors[name] = np.frombuffer(body[start:end], dtype=dtype).reshape(info["shape"])
    return tensors


def build_onnx(weights: dict[str, np.ndarray], config: dict[str, Any], *, int8: bool = False) -> bytes:
    """The serialised ONNX model computing normalised, mean-pooled sentence embeddings; with `int8`,
    its linear layers run on 8-bit integers."""
    from onnx import TensorProto, helper  # needed only here, at setup time

    graph = _GraphBuilder(weights, config, int8=int8)
    hidden = graph.embeddings()
    for layer in range(config["num_hidden_layers"]):
        hidden = graph.encoder_layer(hidden, layer)
    output = graph.pooled_and_normalised(hidden)
    inputs = [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "sequence"])
              for name in ("input_ids", "attention_mask")]
    outputs = [helper.make_tensor_value_info(output, TensorProto.FLOAT, ["batch", config["hidden_size"]])]
    onnx_graph = helper.make_graph(graph.nodes, "sentence_embedding", inputs, outputs, graph.initializers)
    model = helper.make_model(onnx_graph, opset_imports=[helper.make_opsetid("", _OPSET)],
                              ir_version=_IR_VERSION, producer_name="kb_tools.semantic")
    return model.SerializeToString()


class _GraphBuilder:
    """Collects nodes and initializers; each method adds one block of the encoder."""

    def __init__(self, weights: dict[str, np.ndarray], config: dict[str, Any], *, int8: bool) -> None:
        from onnx import helper, numpy_helper

        self._helper, self._numpy_helper = helper, numpy_helper
        self.weights, self.config, self.int8 = weights, config, int8
        self._quantized_inputs: dict[str, list[str]] = {}  # query, key and value share their input's
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._names: set[str] = set()
        self._count = 0
        self.mask = self.attention_bias = ""  # set by embeddings(), used by every later block

    def embeddings(self) -> str:
        w = self.weights
        table = w["embeddings.word_embeddings.weight"]
        if self.int8:  # half the file's largest table: the model loads faster, the vectors move less than by int8
            words = self.op("Cast", self.op("Gather", self.const("word_embeddings_fp16", table.astype(np.float16)),
                                            "input_ids"), to=1)
        else:
            words = self.op("Gather", self.const("word_embeddings", table), "input_ids")
        # token_type_ids are all zeros, so the type embedding is its first row for every token.
        typed = self.op("Add", words, self.const("token_type_0", w["embeddings.token_type_embeddings.weight"][0]))
        length = self.op("Slice", self.op("Shape", "input_ids"), self.ints("one", [1]), self.ints("two", [2]))
        positions = self.op("Slice", self.const("position_embeddings", w["embeddings.position_embeddings.weight"]),
                            self.ints("zero", [0]), length, self.ints("zero", [0]))
        summed = self.op("Add", typed, positions)
        mask = self.op("Cast", "attention_mask", to=1)  # 1 = FLOAT
        self.mask = self.op("Unsqueeze", mask, self.ints("last_axis", [2]))
        # transformers' extended attention mask: 0 where attended, the lowest float32 elsewhere.
        blocked = self.op("Sub", self.scalar("one_f", 1.0), self.op("Unsqueeze", mask, self.ints("axes_1_2", [1, 2])))
        self.attention_bias = self.op("Mul", blocked, self.scalar("float_min", float(np.finfo(np.float32).min)))
        return self.layer_norm(summed, "embeddings.LayerNorm")

    def encoder_layer(self, hidden: str, layer: int) -> str:
        prefix = f"encoder.layer.{layer}."
        attended = self.linear(self.self_attention(hidden, prefix + "attention.self."),
                               prefix + "attention.output.dense")
        hidden = self.layer_norm(self.op("Add", attended, hidden), prefix + "attention.output.LayerNorm")
        inner = self.gelu(self.linear(hidden, prefix + "intermediate.dense"))
        out = self.linear(inner, prefix + "output.dense")
        return self.layer_norm(self.op("Add", out, hidden), prefix + "output.LayerNorm")

    def self_attention(self, hidden: str, prefix: str) -> str:
        heads = self.config["num_attention_heads"]
        head_size = self.config["hidden_size"] // heads
        split = self.ints("split_heads", [0, 0, heads, head_size])
        query, key, value = (self.op("Reshape", self.linear(hidden, prefix + part), split)
                             for part in ("query", "key", "value"))
        query = self.op("Transpose", query, perm=[0, 2, 1, 3])
        key = self.op("Transpose", key, perm=[0, 2, 3, 1])
        value = self.op("Transpose", value, perm=[0, 2, 1, 3])
        scores = self.op("Div", self.op("MatMul", query, key), self.scalar(f"sqrt_{head_size}", head_size ** 0.5))
        probs = self.op("Softmax", self.op("Add", scores, self.attention_bias), axis=-1)
        context = self.op("Transpose", self.op("MatMul", probs, value), perm=[0, 2, 1, 3])
        return self.op("Reshape", context, self.ints("merge_heads", [0, 0, self.config["hidden_size"]]))

    def pooled_and_normalised(self, hidden: str) -> str:
        axis = self.ints("sequence_axis", [1])
        summed = self.op("ReduceSum", self.op("Mul", hidden, self.mask), axis, keepdims=0)
        counts = self.op("Max", self.op("ReduceSum", self.mask, axis, keepdims=0), self.scalar("min_count", 1e-9))
        mean = self.op("Div", summed, counts)
        norm = self.op("Max", self.op("ReduceL2", mean, axes=[1], keepdims=1), self.scalar("min_norm", 1e-12))
        return self.op("Div", mean, norm, output="sentence_embedding")

    def linear(self, x: str, name: str) -> str:
        # torch stores Linear weights as (out, in); MatMul wants (in, out).
        weight = np.ascontiguousarray(self.weights[name + ".weight"].T)
        product = (self.int8_matmul(x, weight, name) if self.int8
                   else self.op("MatMul", x, self.const(name + ".weight", weight)))
        return self.op("Add", product, self.const(name + ".bias", self.weights[name + ".bias"]))

    def int8_matmul(self, x: str, weight: np.ndarray, name: str) -> str:
        scale = np.abs(weight).max(axis=0) / _WEIGHT_LEVELS  # one per output channel
        scale = np.where(scale > 0, scale, 1).astype(np.float32)
        quantized = np.clip(np.rint(weight / scale), -_WEIGHT_LEVELS, _WEIGHT_LEVELS).astype(np.int8)
        x_quantized, x_scale, x_zero_point = self.quantized_input(x)
        product = self.op("MatMulInteger", x_quantized, self.const(name + ".weight_quantized", quantized),
                          x_zero_point, self.const(name + ".weight_zero_point", np.zeros(len(scale), np.int8)))
        # The order onnxruntime fuses into one DynamicQuantizeMatMul: Cast, then Mul by both scales.
        scales = self.op("Mul", x_scale, self.const(name + ".weight_scale", scale))
        return self.op("Mul", self.op("Cast", product, to=1), scales)

    def quantized_input(self, x: str) -> list[str]:
        """`x` as uint8, its scale and zero point (over the whole run), made once per input."""
        if x not in self._quantized_inputs:
            self._quantized_inputs[x] = [f"{x}_quantized", f"{x}_scale", f"{x}_zero_point"]
            self.node("DynamicQuantizeLinear", [x], self._quantized_inputs[x])
        return self._quantized_inputs[x]

    def layer_norm(self, x: str, name: str) -> str:
        return self.op("LayerNormalization", x, self.const(name + ".weight", self.weights[name + ".weight"]),
                       self.const(name + ".bias", self.weights[name + ".bias"]),
                       axis=-1, epsilon=self.config["layer_norm_eps"])

    def gelu(self, x: str) -> str:
        # The exact (erf) GELU of BertModel, written as onnxruntime's GELU fusion expects it.
        erf = self.op("Erf", self.op("Div", x, self.scalar("sqrt_2", 2 ** 0.5)))
        return self.op("Mul", self.op("Mul", x, self.op("Add", erf, self.scalar("one_f", 1.0))),
                       self.scalar("half", 0.5))

    def op(self, op_type: str, *inputs: str, output: str | None = None, **attributes: Any) -> str:
        output = output or f"{op_type.lower()}_{self._count + 1}"
        self.node(op_type, list(inputs), [output], **attributes)
        return output

    def node(self, op_type: str, inputs: list[str], outputs: list[str], **attributes: Any) -> None:
        self._count += 1
        self.nodes.append(self._helper.make_node(op_type, inputs, outputs, name=f"n{self._count}", **attributes))

    def const(self, name: str, value: np.ndarray) -> str:
        if name not in self._names:
            self._names.add(name)
            self.initializers.append(self._numpy_helper.from_array(np.asarray(value), name))
        return name

    def scalar(self, name: str, value: float) -> str:
        return self.const(name, np.array(value, dtype=np.float32))

    def ints(self, name: str, values: list[int]) -> str:
        return self.const(name, np.array(values, dtype=np.int64))
