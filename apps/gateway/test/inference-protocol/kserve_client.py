"""Drives the gateway's Open Inference Protocol with the kserve SDK's REST client.

Prints what the client got, as one JSON object, for inference-protocol.e2e-spec.ts to judge.
Argument: JSON with the gateway's URL, the model's name and a file of UINT8 images (N x 784 bytes).
"""

import asyncio
import json
import sys

import httpx
import numpy as np
from kserve import InferenceRESTClient, InferInput, InferRequest, RESTConfig
from kserve.protocol.infer_type import RequestedOutput


async def main():
    args = json.loads(sys.argv[1])
    url, model = args["url"], args["model"]
    pixels = np.fromfile(args["pixels"], dtype=np.uint8).reshape(-1, 28, 28)
    client = InferenceRESTClient(RESTConfig(protocol="v2", retries=0))

    def images(array, datatype, binary):
        tensor = InferInput("images", list(array.shape), datatype)
        tensor.set_data_from_numpy(array, binary_data=binary)
        return tensor

    async def infer(inputs, request_id=None, outputs=None):
        request = InferRequest(
            model, inputs, request_id=request_id, request_outputs=outputs
        )
        response = await client.infer(url, request, model_name=model)
        return {
            "probabilities": response.outputs[0].as_numpy().tolist(),
            "id": response.id,
        }

    async def refusal(inputs):
        try:
            await client.infer(url, InferRequest(model, inputs), model_name=model)
            return {"status": None}
        except httpx.HTTPStatusError as error:
            return {"status": error.response.status_code, "message": str(error)}

    try:
        report = {
            "live": await client.is_server_live(url),
            "ready": await client.is_server_ready(url),
            "modelReady": await client.is_model_ready(url, model),
            "jsonUint8": await infer(
                [images(pixels, "UINT8", binary=False)], request_id="kserve-json"
            ),
            "binaryFp32": await infer(
                [images(pixels.astype(np.float32) / 255, "FP32", binary=True)],
                outputs=[RequestedOutput("probabilities", {"binary_data": True})],
            ),
            "wrongShape": await refusal(
                [images(np.zeros((1, 784, 1, 1), np.uint8), "UINT8", binary=False)]
            ),
        }
    finally:
        await client.close()
    print(json.dumps(report))


if __name__ == "__main__":
    asyncio.run(main())
