/** A destination for finished (already masked) JSON log lines. */
export interface LineSink {
  /**
   * Receives one newline-terminated JSON line and its numeric level. Must not
   * throw and must not block on I/O for long: it runs inside the log call.
   */
  write(line: string, level: number): void;
  /** Pushes out anything buffered. */
  flush?(): void | Promise<void>;
  /** Releases files, sockets and timers. */
  close?(): void | Promise<void>;
}
