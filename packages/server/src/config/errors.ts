/** Configuration problems, each naming the file and the JSON path it concerns. */

/** One configuration problem. `path` is `''` for the file as a whole. */
export class ConfigError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly file?: string,
  ) {
    super([file, path, problem].filter((part) => part !== undefined && part !== '').join(': '));
    this.name = 'ConfigError';
  }
}

/** Several configuration problems at once. */
export class ConfigErrors extends Error {
  constructor(readonly errors: ConfigError[]) {
    super(`Invalid configuration:\n${errors.map((e) => `  - ${e.message.replace(/\n/g, '\n    ')}`).join('\n')}`);
    this.name = 'ConfigErrors';
  }
}
