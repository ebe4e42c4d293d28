"""Schemathesis hooks for the project's APIs (loaded through SCHEMATHESIS_HOOKS).

What Schemathesis cannot make from a schema: uploads that are real images. A file field
(`format: binary`) and a raw image body get one of the images in CONTRACT_IMAGES (real PNGs and a
photo-like JPEG of the test split), so that a valid classification is classified, not refused as
"not an image". Damaged and oversized images are checked beside the runs (api-contract.e2e-spec.ts)
and in bad-uploads.e2e-spec.ts. Multipart has one part for a lone file and for an array of one;
the hooks below keep Schemathesis from treating the two differently.

And a training job or a replay created by a generated request is cancelled as soon as it is
created, so that the trainer never trains nor fills its queues (a 503) while the APIs are tested.
"""

import os
import pathlib

import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis.core.parameters import ParameterLocation
from schemathesis.transport.serialization import Binary

MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg"}

files = sorted(pathlib.Path(os.environ["CONTRACT_IMAGES"]).iterdir())
schemathesis.openapi.format(
    "binary", st.sampled_from([path.read_bytes() for path in files])
)
for suffix, media_type in MEDIA_TYPES.items():
    images = [path.read_bytes() for path in files if path.suffix == suffix]
    if images:
        schemathesis.openapi.media_type(media_type, st.sampled_from(images))


def _lone_file(case):
    """Whether the body gives one file where the schema has an array of files (`files`)."""
    return isinstance(case.body, dict) and isinstance(
        case.body.get("files"), (bytes, Binary)
    )


def _negative_body(case):
    """Whether Schemathesis meant the body to be invalid (the coverage phase negates one part)."""
    meta = case.meta
    if meta is None:
        return False
    body = meta.components.get(ParameterLocation.BODY)
    return (body or meta.generation).mode.is_negative


def _valid_upload(body):
    """A multipart upload the gateway must accept: image files in `file` and `files`, nothing else.

    In multipart one part is an array of one, so a lone file in `files` is as valid as a list.
    """
    if not isinstance(body, dict) or not body or set(body) - {"file", "files"}:
        return False
    files = body.get("files", [])
    files = files if isinstance(files, list) else [files]
    parts = files + ([body["file"]] if "file" in body else [])
    return bool(parts) and all(isinstance(part, (bytes, Binary)) for part in parts)


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """No "schema-violating request accepted" (ST201) for an upload that is valid on the wire.

    Schemathesis marks a body negative whenever it tries to negate it, also when it falls back to
    valid data, and cannot tell a lone file from a list of one: the gateway must accept those.
    """
    return not (failure.code == "ST201" and _valid_upload(case.body))


@schemathesis.hook
def before_call(context, case, kwargs):
    """A valid lone file given for `files` is sent as a list of one.

    Both are the same request on the wire, but Schemathesis' coverage phase sends the lone value
    as a part without a filename, which every multipart parser (busboy, behind multer, included)
    reads as a text field rather than a file; no browser nor curl sends an upload so. A negative
    case keeps its lone value: the gateway refuses that text field.
    """
    if _lone_file(case) and not _negative_body(case):
        case.body["files"] = [case.body["files"]]


# What a created resource costs the trainer (a training job, a replay) until it ends.
CANCELLED_ON_CREATION = ("/training-jobs", "/replays")


@schemathesis.hook
def after_call(context, case, response):
    if (
        case.method == "POST"
        and case.path.endswith(CANCELLED_ON_CREATION)
        and response.status_code == 201
    ):
        created = response.json()
        cancel = requests.post(
            f"{response.request.url.rstrip('/')}/{created['id']}/cancel", timeout=30
        )
        cancel.raise_for_status()
