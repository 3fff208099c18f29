/** placeholder */
export async function initCommand(_argv: string[], io: { err: (s: string) => void; cwd: string }): Promise<number> {
  io.err('not yet');
  return 1;
}
