import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { encodePng, LABELS, MAX_INPUT_PIXELS } from '#fmnist';
import {
  startClassificationStack,
  type ClassificationStack,
} from '#testing/classification-stack';
import {
  animatedGif,
  officialTestImages,
  photoLike,
  photoLikeJpeg,
  pngDeclaring,
  type TestImage,
} from '#testing/fixture-images';
import { waitFor } from '#testing/wait-for';

const MAX_UPLOAD_BYTES = 256 * 1024;
const MAX_IMAGES_PER_UPLOAD = 8;
const MAX_REQUEST_PIXELS = 500_000;

interface Answer {
  status: number;
  /** The error's message, as JSON (it may be a list). */
  message: string;
  labelIndex?: number;
}

describe('uploads out of the ordinary, on the gateway, Kafka and a classifier', () => {
  let stack: ClassificationStack;
  let images: TestImage[];

  const send = async (
    body: RequestInit['body'],
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const response = await fetch(`${stack.gateway.url}/v1/classifications`, {
      method: 'POST',
      body,
      headers,
    });
    const answer = (await response.json()) as {
      message?: unknown;
      results?: { labelIndex: number }[];
    };
    return {
      status: response.status,
      message: JSON.stringify(answer.message),
      labelIndex: answer.results?.[0].labelIndex,
    };
  };
  const formWith = (
    field: string,
    bytes: Uint8Array | string,
    type: string,
    name = 'upload.png',
  ) => {
    const form = new FormData();
    form.append(field, new Blob([bytes], { type }), name);
    return form;
  };
  const sendFile = (bytes: Uint8Array | string, type: string, name?: string) =>
    send(formWith('file', bytes, type, name));
  /** A multipart body written by hand, as a broken client would send it. */
  const sendMultipart = (boundary: string, body: string) =>
    send(body, { 'content-type': `multipart/form-data; boundary=${boundary}` });
  const itemWithLabel = (slug: string) =>
    images.find((image) => LABELS[image.label].slug === slug) ?? images[0];

  before(async () => {
    [stack, images] = await Promise.all([
      startClassificationStack({
        prefix: 'uploads',
        gateway: {
          MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
          MAX_IMAGES_PER_UPLOAD: String(MAX_IMAGES_PER_UPLOAD),
          MAX_REQUEST_PIXELS: String(MAX_REQUEST_PIXELS),
        },
      }),
      officialTestImages(64),
    ]);
  });

  after(() => stack?.stop());

  describe('refuses a bad upload with a 4xx that names the problem', () => {
    it('an empty file: 400', async () => {
      const { status, message } = await sendFile(
        new Uint8Array(0),
        'image/png',
      );
      assert.equal(status, 400);
      assert.match(message, /empty/);
    });

    it('a text file named .png: 415', async () => {
      const { status, message } = await sendFile(
        'just some words, not pixels',
        'image/png',
      );
      assert.equal(status, 415);
      assert.match(message, /upload\.png/);
    });

    it('a file declared as text: 415', async () => {
      const { status, message } = await sendFile(
        'hello',
        'text/plain',
        'notes.txt',
      );
      assert.equal(status, 415);
      assert.match(message, /not an image/);
    });

    it('an SVG, refused on purpose (scripts, external references): 415', async () => {
      const svg =
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">' +
        '<script>alert(1)</script><image href="file:///etc/passwd" width="64" height="64"/></svg>';
      const { status, message } = await sendFile(
        svg,
        'image/svg+xml',
        'drawing.svg',
      );
      assert.equal(status, 415);
      assert.match(message, /drawing\.svg: .*SVG .*refused/);
    });

    it('a truncated PNG: 422', async () => {
      const png = await encodePng(images[3].pixels);
      const { status, message } = await sendFile(
        png.subarray(0, png.length / 2),
        'image/png',
      );
      assert.equal(status, 422);
      assert.equal(
        JSON.parse(message),
        'upload.png: the image cannot be decoded: it is corrupt or truncated',
      );
    });

    it('a truncated JPEG: 422', async () => {
      const jpeg = await photoLikeJpeg(images[3].pixels);
      const { status, message } = await sendFile(
        jpeg.subarray(0, jpeg.length / 2),
        'image/jpeg',
        'photo.jpg',
      );
      assert.equal(status, 422);
      assert.equal(
        JSON.parse(message),
        'photo.jpg: the image cannot be decoded: it is corrupt or truncated',
      );
      // The codec's words are in the log, with the request's id, for operators; the log line
      // may reach the gateway's output a moment after the answer.
      const logged = () =>
        stack.gateway.output.find((line) =>
          line.includes('photo.jpg: the image cannot be decoded: '),
        );
      await waitFor(() => Promise.resolve(logged() !== undefined));
      assert.match(logged() ?? '', /"requestId":"[^"]+".*(jpeg|vips)/i);
    });

    it('a decompression bomb, a small PNG declaring 100000x100000 pixels: 413 naming the pixel limit', async () => {
      const bomb = await pngDeclaring(100_000, 100_000);
      assert.ok(bomb.length < 1024, 'the bomb itself is small');
      const { status, message } = await sendFile(bomb, 'image/png', 'bomb.png');
      assert.equal(status, 413);
      assert.match(
        message,
        new RegExp(`bomb\\.png: .*${MAX_INPUT_PIXELS / 1_000_000} megapixels`),
      );
      // Refused from its header: had the gateway allocated 10 gigapixels, it would be gone.
      const health = await fetch(`${stack.gateway.url}/health`);
      assert.equal(health.status, 200);
    });

    it('eight small PNGs of 7000x7000 black pixels in one request: 413 naming the pixel limit', async () => {
      // Each once cost the gateway 0.85 s of CPU to decode; now refused from their headers.
      const black = await sharp({
        create: { width: 7000, height: 7000, channels: 3, background: '#000' },
      })
        .png({ compressionLevel: 9 })
        .toBuffer();
      assert.ok(black.length < MAX_UPLOAD_BYTES, `${black.length} bytes`);
      const form = new FormData();
      for (let index = 0; index < MAX_IMAGES_PER_UPLOAD; index++) {
        form.append(
          'files',
          new Blob([black], { type: 'image/png' }),
          `black-${index}.png`,
        );
      }
      const { status, message } = await send(form);
      assert.equal(status, 413);
      assert.match(
        message,
        new RegExp(
          `black-\\d\\.png: .*7000x7000 pixels, more than the ${MAX_INPUT_PIXELS / 1_000_000} megapixels`,
        ),
      );
    });

    it('images that hold more pixels together than MAX_REQUEST_PIXELS: 413 naming the limit', async () => {
      const photo = await photoLikeJpeg(images[0].pixels);
      const formOf = (count: number) => {
        const form = new FormData();
        for (let index = 0; index < count; index++) {
          form.append(
            'files',
            new Blob([photo], { type: 'image/jpeg' }),
            `${index}.jpg`,
          );
        }
        return form;
      };
      // 300x400 each: four hold 480,000 pixels, five 600,000.
      assert.equal((await send(formOf(4))).status, 200);
      const { status, message } = await send(formOf(5));
      assert.equal(status, 413);
      assert.match(
        message,
        /0\.6 megapixels together, more than the 0\.5 accepted in one request/,
      );
    });

    it('a file over the size limit: 413 naming the limit', async () => {
      const { status, message } = await sendFile(
        new Uint8Array(MAX_UPLOAD_BYTES + 1),
        'image/png',
        'huge.png',
      );
      assert.equal(status, 413);
      assert.match(
        message,
        new RegExp(
          `huge\\.png is too large: at most ${MAX_UPLOAD_BYTES} bytes`,
        ),
      );
    });

    it('a raw image body over the size limit: 413 naming the limit', async () => {
      const { status, message } = await send(
        new Uint8Array(MAX_UPLOAD_BYTES + 1),
        { 'content-type': 'image/png' },
      );
      assert.equal(status, 413);
      assert.match(message, new RegExp(`at most ${MAX_UPLOAD_BYTES} bytes`));
    });

    it('more images than allowed: 400 naming the limit', async () => {
      const form = new FormData();
      const png = await encodePng(images[0].pixels);
      for (let index = 0; index <= MAX_IMAGES_PER_UPLOAD; index++)
        form.append(
          'files',
          new Blob([png], { type: 'image/png' }),
          `${index}.png`,
        );
      const { status, message } = await send(form);
      assert.equal(status, 400);
      assert.match(
        message,
        new RegExp(`at most ${MAX_IMAGES_PER_UPLOAD} images per request`),
      );
    });

    it('the wrong field name: 400', async () => {
      const { status, message } = await send(
        formWith('image', await encodePng(images[0].pixels), 'image/png'),
      );
      assert.equal(status, 400);
      assert.match(message, /unexpected file field 'image'/);
    });

    it('a text field, alone or beside an image: 400 naming it', async () => {
      const alone = new FormData();
      alone.append('comment', 'no image here');
      const beside = formWith(
        'file',
        await encodePng(images[0].pixels),
        'image/png',
      );
      beside.append('files', 'an image sent without a filename');
      for (const [form, field] of [
        [alone, 'comment'],
        [beside, 'files'],
      ] as const) {
        const { status, message } = await send(form);
        assert.equal(status, 400);
        assert.match(message, new RegExp(`unexpected text field '${field}'`));
      }
    });

    it('a multipart body whose parts do not use the declared boundary: 400', async () => {
      const { status, message } = await sendMultipart(
        'declared',
        '--other\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n' +
          'Content-Type: image/png\r\n\r\npixels\r\n--other--\r\n',
      );
      assert.equal(status, 400);
      assert.match(message, /multipart/i);
    });

    it('a multipart body cut off in the middle of a part: 400', async () => {
      const { status, message } = await sendMultipart(
        'cut',
        '--cut\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n' +
          'Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n half of it',
      );
      assert.equal(status, 400);
      assert.match(message, /multipart/i);
    });

    it('a multipart body without a boundary: 400', async () => {
      const { status, message } = await send('file=shirt.png', {
        'content-type': 'multipart/form-data',
      });
      assert.equal(status, 400);
      assert.match(message, /multipart.*boundary/i);
    });

    it('a body that is neither multipart nor an image: 415', async () => {
      const { status, message } = await send('{"image": "?"}', {
        'content-type': 'application/json',
      });
      assert.equal(status, 415);
      assert.match(message, /multipart\/form-data/);
    });
  });

  describe('classifies unusual but legitimate images like their plain equivalents', () => {
    it('a 16-bit PNG, like the 8-bit one', async () => {
      const item = itemWithLabel('trouser');
      const eightBit = await photoLike(item.pixels).png().toBuffer();
      const sixteenBit = await photoLike(item.pixels)
        .toColourspace('rgb16')
        .png()
        .toBuffer();
      assert.equal((await sharp(sixteenBit).metadata()).depth, 'ushort');
      const plain = await sendFile(eightBit, 'image/png', 'plain.png');
      const deep = await sendFile(sixteenBit, 'image/png', 'deep.png');
      assert.equal(plain.status, 200, plain.message);
      assert.equal(deep.status, 200, deep.message);
      assert.equal(deep.labelIndex, plain.labelIndex);
    });

    it('a CMYK JPEG, like the RGB one', async () => {
      const item = itemWithLabel('sneaker');
      const rgb = await photoLike(item.pixels).jpeg({ quality: 90 }).toBuffer();
      const cmyk = await photoLike(item.pixels)
        .toColourspace('cmyk')
        .jpeg({ quality: 90 })
        .toBuffer();
      assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
      const plain = await sendFile(rgb, 'image/jpeg', 'rgb.jpg');
      const print = await sendFile(cmyk, 'image/jpeg', 'cmyk.jpg');
      assert.equal(plain.status, 200, plain.message);
      assert.equal(print.status, 200, print.message);
      assert.equal(print.labelIndex, plain.labelIndex);
    });

    it('an animated GIF, by its first frame', async () => {
      const first = itemWithLabel('ankle-boot');
      const second = itemWithLabel('trouser');
      const gif = await animatedGif([first.pixels, second.pixels]);
      assert.equal((await sharp(gif).metadata()).pages, 2);
      const [alone, other, animated] = await Promise.all([
        sendFile(await encodePng(first.pixels), 'image/png', 'first.png'),
        sendFile(await encodePng(second.pixels), 'image/png', 'second.png'),
        sendFile(gif, 'image/gif', 'animated.gif'),
      ]);
      assert.equal(animated.status, 200, animated.message);
      assert.notEqual(alone.labelIndex, other.labelIndex);
      assert.equal(animated.labelIndex, alone.labelIndex);
    });
  });
});
