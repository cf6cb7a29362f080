/** Collects guest output up to a byte budget; the engines stop the guest once it is exceeded. */
export class StdoutCapture {
  private readonly limitBytes: number;
  private usedBytes = 0;
  private pending: string[] = [];
  private readonly decoder = new TextDecoder('utf-8');
  exceeded = false;

  constructor(limitBytes: number) {
    this.limitBytes = limitBytes;
  }

  /** Returns how many bytes the guest may still write. */
  write(text: string): number {
    if (this.exceeded) return 0;
    const bytes = Buffer.byteLength(text);
    const remaining = this.limitBytes - this.usedBytes;
    if (bytes <= remaining) {
      this.pending.push(text);
      this.usedBytes += bytes;
      return this.limitBytes - this.usedBytes;
    }
    this.pending.push(Buffer.from(text).subarray(0, remaining).toString());
    this.usedBytes = this.limitBytes;
    this.exceeded = true;
    return 0;
  }

  writeBytes(bytes: Uint8Array): void {
    if (this.exceeded) return;
    this.write(this.decoder.decode(bytes, { stream: true }));
  }

  /** Output written since the previous call, for streaming to the parent test by test. */
  takeChunk(): string {
    const chunk = this.pending.join('');
    this.pending = [];
    return chunk;
  }
}
