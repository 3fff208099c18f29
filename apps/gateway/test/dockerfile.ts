/** The runtime stage of a Dockerfile, read as the container tests and the Kubernetes tests need it. */
import { expect } from 'vitest';

/** One instruction of a stage: `CMD`, and the rest of its line. */
export interface Instruction {
  op: string;
  args: string;
}

/** The instructions of a Dockerfile's last stage, continuation lines joined, comments dropped. */
export function runtimeStage(dockerfile: string): Instruction[] {
  const lines = dockerfile
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
  const stages: string[][] = [];
  for (const l of lines) {
    if (/^FROM\s/i.test(l)) stages.push([]);
    stages.at(-1)?.push(l.trim());
  }
  return (stages.at(-1) ?? []).map((l) => {
    const m = /^(\w+)\s+(.*)$/.exec(l) as RegExpExecArray;
    return { op: (m[1] as string).toUpperCase(), args: (m[2] as string).replace(/\s+/g, ' ') };
  });
}

/** The arguments of the stage's one `op` instruction (there must be exactly one). */
export const one = (stage: Instruction[], op: string): string => {
  const found = stage.filter((i) => i.op === op);
  expect(found, op).toHaveLength(1);
  return (found[0] as Instruction).args;
};

/** `ENV A=1 B=2` → { A: '1', B: '2' } (the images use the key=value form, no quotes). */
export const envOf = (stage: Instruction[]): Record<string, string> =>
  Object.fromEntries(
    stage
      .filter((i) => i.op === 'ENV')
      .flatMap((i) => i.args.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
  );

/** The image's user: `node` is uid/gid 1000 in the official Node.js images. */
export const IMAGE_UIDS: Record<string, number> = { node: 1000 };
