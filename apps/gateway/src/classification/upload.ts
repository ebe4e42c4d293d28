/** One image as received over HTTP, before any decoding. */
export interface Upload {
  /** The original file name, or "body" for a raw upload. */
  readonly source: string;
  readonly bytes: Buffer;
  /** The Content-Type the client declared for it. */
  readonly declaredType: string;
}
