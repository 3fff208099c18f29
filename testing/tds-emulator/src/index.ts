/**
 * @scimgw/testing-tds-emulator — a TDS 7.4 server for tests: the real `mssql`/tedious driver logs
 * in, runs batches and `sp_executesql` with typed parameters, and gets SQL Server's tokens and
 * error numbers back; statements in the T-SQL subset scimgw emits run on PostgreSQL. Not SQL Server.
 *
 * @packageDocumentation
 */
export { startTdsEmulator } from './server.js';
export type { Fault, TdsEmulator, TdsEmulatorOptions } from './server.js';
export { translateBatch } from './translate.js';
export type { Param, Statement, TranslateContext } from './translate.js';
export { tokenize } from './lexer.js';
export { TsqlError } from './errors.js';
export { parseDeclarations } from './session.js';
export { deobfuscatePassword, obfuscatePassword, parseLogin7, parsePreLogin, preLoginResponse } from './login.js';
export { MessageReader, packets, Reader, Writer } from './wire.js';
export type { PostgresTarget } from './backend.js';
