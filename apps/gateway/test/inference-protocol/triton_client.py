"""Drives the gateway's Open Inference Protocol with Triton's own client, tritonclient[http].

Prints what the client got, as one JSON object, for inference-protocol.e2e-spec.ts to judge.
Argument: JSON with the gateway's host:port, the model's name, a file of UINT8 images (N x 784
bytes) and a JPEG file.
"""

import json
import sys

import numpy as np
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException


def main():
    args = json.loads(sys.argv[1])
    client = httpclient.InferenceServerClient(url=args["hostPort"])
    model = args["model"]
    pixels = np.fromfile(args["pixels"], dtype=np.uint8).reshape(-1, 28, 28)
    with open(args["jpeg"], "rb") as file:
        jpeg = file.read()

    def images(array, datatype, binary=True):
        tensor = httpclient.InferInput("images", list(array.shape), datatype)
        tensor.set_data_from_numpy(array, binary_data=binary)
        return tensor

    def refusal(inputs, model_name=model):
        try:
            client.infer(model_name, inputs)
            return {"status": None}
        except InferenceServerException as error:
            return {"status": error.status(), "message": error.message()}

    report = {
        "live": client.is_server_live(),
        "ready": client.is_server_ready(),
        "modelReady": client.is_model_ready(model),
        "pinnedReady": client.is_model_ready(model, "2"),
        "unknownModelReady": client.is_model_ready("no-such-model"),
        "serverMetadata": client.get_server_metadata(),
        "metadata": client.get_model_metadata(model),
        "config": client.get_model_config(model),
    }

    # What tritonclient sends by default: binary inputs, every output asked for as binary.
    result = client.infer(model, [images(pixels, "UINT8")], request_id="triton-uint8")
    report["binaryUint8"] = {
        "probabilities": result.as_numpy("probabilities").tolist(),
        "response": result.get_response(),
    }

    fp32 = pixels.reshape(-1, 784).astype(np.float32) / 255
    result = client.infer(
        model,
        [images(fp32, "FP32", binary=False)],
        outputs=[httpclient.InferRequestedOutput("probabilities", binary_data=False)],
    )
    report["jsonFp32"] = {
        "probabilities": result.as_numpy("probabilities").tolist(),
        "response": result.get_response(),
    }

    files = httpclient.InferInput("image_files", [1], "BYTES")
    files.set_data_from_numpy(np.array([jpeg], dtype=np.object_))
    result = client.infer(model, [files])
    report["jpegBytes"] = {
        "probabilities": result.as_numpy("probabilities").tolist(),
    }

    result = client.infer(
        model,
        [images(pixels, "UINT8")],
        outputs=[httpclient.InferRequestedOutput("probabilities", class_count=3)],
    )
    report["classification"] = {
        "classes": [
            [entry.decode() for entry in row]
            for row in result.as_numpy("probabilities")
        ],
    }

    result = client.infer(model, [images(pixels[:1], "UINT8")], model_version="2")
    report["pinned"] = result.get_response()["model_version"]

    wrong_byte_count = images(pixels[:1], "UINT8")
    wrong_byte_count.set_shape([2, 28, 28])
    report["refusals"] = {
        "wrongShape": refusal([images(np.zeros((1, 27, 27), np.uint8), "UINT8")]),
        "wrongDatatype": refusal([images(np.zeros((1, 28, 28), np.int32), "INT32")]),
        "wrongByteCount": refusal([wrong_byte_count]),
        "unknownModel": refusal([images(pixels[:1], "UINT8")], "no-such-model"),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
