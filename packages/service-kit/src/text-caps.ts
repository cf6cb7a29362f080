/**
 * Cuts `text` to at most `maxBytes` of UTF-8 (never inside a character) and says so at the end, so
 * a reader sees that something was left out. Text that fits is returned unchanged.
 */
export function truncateText(text: string, maxBytes: number): string {
  const totalBytes = Buffer.byteLength(text);
  if (totalBytes <= maxBytes) return text;
  const encoded = Buffer.from(text);
  let end = maxBytes;
  // A UTF-8 continuation byte (10xxxxxx) starts no character: back up to the start of the one it belongs to.
  while (end > 0 && ((encoded[end] as number) & 0xc0) === 0x80) end -= 1;
  return `${encoded.subarray(0, end).toString()}… [truncated: ${totalBytes} bytes in all]`;
}
