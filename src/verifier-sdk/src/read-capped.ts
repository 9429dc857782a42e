/**
 * Reads a byte stream whole, but never more than a cap: the JWKS response and a request body
 * both stop being read (and buffered) the moment they pass it, whatever length they declared.
 */

/** The bytes, or `undefined` once the stream passed `cap` (the reader is left where it stopped). */
export async function readCapped(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  cap: number,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) return undefined;
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
