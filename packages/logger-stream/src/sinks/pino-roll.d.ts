// pino-roll 4 ships no types; this is the part the file sink uses.
declare module 'pino-roll' {
  /** pino-roll's SonicBoom stream. */
  export interface RollStream {
    write(data: string): boolean;
    end(): void;
    destroy(): void;
    on(event: 'error', fn: (err: Error) => void): unknown;
    once(event: 'write' | 'close' | 'error', fn: () => void): unknown;
    readonly destroyed: boolean;
    /** The open file's descriptor; -1 while none is open. */
    readonly fd: number;
  }
  const pinoRoll: (options: Record<string, unknown>) => Promise<RollStream>;
  export default pinoRoll;
}
