import { IsInt, IsNotEmpty, IsUrl, Max, Min } from 'class-validator';
import { availableParallelism } from 'node:os';
import { MAX_IMAGES_PER_REQUEST, MAX_INPUT_PIXELS } from '#fmnist';
import { HttpEnvironment, IsPort } from '#platform';

export class GatewayEnvironment extends HttpEnvironment {
  @IsPort('GATEWAY_PORT')
  GATEWAY_PORT: number = 3000;

  /** How long a request waits for a classifier's reply before it is answered 504. */
  @IsInt({ message: 'CLASSIFY_TIMEOUT_MS must be an integer' })
  @Min(100)
  CLASSIFY_TIMEOUT_MS: number = 10_000;

  /**
   * Image requests (classifications, previews) served at once, from arrival to answer; one more
   * is answered 503 with Retry-After at once. Enough to keep both apps busy, few enough that
   * the queue stays far under CLASSIFY_TIMEOUT_MS.
   */
  @IsInt({ message: 'MAX_REQUESTS_IN_FLIGHT must be an integer' })
  @Min(1, { message: 'MAX_REQUESTS_IN_FLIGHT must be at least 1' })
  MAX_REQUESTS_IN_FLIGHT: number = 64 * availableParallelism();

  /**
   * Upload bytes held at once by the requests in flight (by their Content-Length); a request
   * that would go over it waits for none: 503 with Retry-After, or 413 when it is larger alone.
   */
  @IsInt({ message: 'MAX_BYTES_IN_FLIGHT must be an integer' })
  @Min(1024, { message: 'MAX_BYTES_IN_FLIGHT must be at least 1024' })
  MAX_BYTES_IN_FLIGHT: number = 64 * 1024 * 1024 * availableParallelism();

  /**
   * Classification requests waiting for the Kafka produce request in flight; beyond it (a broker
   * slower than the requests arrive) a request is answered 503 with Retry-After at once.
   */
  @IsInt({ message: 'MAX_QUEUED_KAFKA_SENDS must be an integer' })
  @Min(1, { message: 'MAX_QUEUED_KAFKA_SENDS must be at least 1' })
  MAX_QUEUED_KAFKA_SENDS: number = 256;

  /**
   * While other uploads are being decoded, the longest a classification request waits for theirs
   * to share its Kafka produce request; 0 sends each at once. A lone request never waits, and one
   * that waits leaves once nothing is left decoding, so only a saturated gateway waits this long:
   * there each produce request saved is CPU given back to the decodes (README, Overload).
   */
  @IsInt({ message: 'KAFKA_LINGER_MS must be an integer' })
  @Min(0, { message: 'KAFKA_LINGER_MS must be at least 0' })
  @Max(1000, { message: 'KAFKA_LINGER_MS must be at most 1000' })
  KAFKA_LINGER_MS: number = 40;

  /** Largest accepted upload, per image. */
  @IsInt({ message: 'MAX_UPLOAD_BYTES must be an integer' })
  @Min(1024)
  MAX_UPLOAD_BYTES: number = 10 * 1024 * 1024;

  /**
   * Largest image accepted, in pixels, checked from its header before any decoding (413): a
   * phone camera's 12 megapixels fit; a 28x28 model has no use for more.
   */
  @IsInt({ message: 'MAX_IMAGE_PIXELS must be an integer' })
  @Min(784, { message: 'MAX_IMAGE_PIXELS must be at least 784 (28x28)' })
  MAX_IMAGE_PIXELS: number = MAX_INPUT_PIXELS;

  /** Pixels of all images of one request together (413 beyond). */
  @IsInt({ message: 'MAX_REQUEST_PIXELS must be an integer' })
  @Min(784, { message: 'MAX_REQUEST_PIXELS must be at least 784 (28x28)' })
  MAX_REQUEST_PIXELS: number = 40_000_000;

  /** Images decoded at once; one libvips thread each, so by default one per core. */
  @IsInt({ message: 'DECODE_CONCURRENCY must be an integer' })
  @Min(1, { message: 'DECODE_CONCURRENCY must be at least 1' })
  DECODE_CONCURRENCY: number = availableParallelism();

  /** Most images in one request (multipart field `files`). */
  @IsInt({ message: 'MAX_IMAGES_PER_UPLOAD must be an integer' })
  @Min(1)
  @Max(MAX_IMAGES_PER_REQUEST, {
    message: `MAX_IMAGES_PER_UPLOAD must be at most ${MAX_IMAGES_PER_REQUEST}`,
  })
  MAX_IMAGES_PER_UPLOAD: number = 32;

  /**
   * Classification (and preview) requests one client, by IP address, may make in any
   * CLASSIFY_RATE_WINDOW_MS; 0, the default, turns the limit off: on a developer's machine
   * overload is handled by MAX_REQUESTS_IN_FLIGHT, and an exposed deployment sets a limit
   * (docker-compose.yml does).
   */
  @IsInt({ message: 'CLASSIFY_RATE_LIMIT must be an integer' })
  @Min(0, { message: 'CLASSIFY_RATE_LIMIT must be at least 0 (0: no limit)' })
  CLASSIFY_RATE_LIMIT: number = 0;

  @IsInt({ message: 'CLASSIFY_RATE_WINDOW_MS must be an integer' })
  @Min(1000, { message: 'CLASSIFY_RATE_WINDOW_MS must be at least 1000' })
  CLASSIFY_RATE_WINDOW_MS: number = 60_000;

  /**
   * Least wait for a reply before a request is sent again to another partition (the wait is a
   * few times the p99 of recent round trips, at least this); 0: never sent again.
   */
  @IsInt({ message: 'CLASSIFY_RESEND_MIN_MS must be an integer' })
  @Min(0, { message: 'CLASSIFY_RESEND_MIN_MS must be at least 0 (0: never)' })
  CLASSIFY_RESEND_MIN_MS: number = 200;

  /** The trainer whose API the gateway forwards, so the web page has one origin. */
  @IsUrl(
    {
      require_tld: false,
      require_protocol: true,
      protocols: ['http', 'https'],
    },
    { message: 'TRAINER_URL must be an http(s) URL' },
  )
  TRAINER_URL: string = 'http://localhost:3002';

  /** Folder with the official Fashion-MNIST files: the web page's sample images come from it. */
  @IsNotEmpty({ message: 'FMNIST_DIR must not be empty' })
  FMNIST_DIR: string = '/usr/share/datasets/fashion-mnist';
}
