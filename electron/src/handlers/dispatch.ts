/**
 * Validate-then-call for one invoke: the single path every request takes, whether it came
 * through Electron's ipcMain (`main/ipc.ts`) or the browser dev server (`renderer/dev`).
 */
import { InvalidArgumentError, errorToJSON } from '@nwave/runtime';
import type { InvokeChannel, InvokeHandlers, InvokeResult } from '../shared/ipc-contract.js';
import { INVOKE_ARG_SCHEMAS } from '../shared/ipc-schemas.js';

/** True when `name` is one of the contract's invoke channels. */
export function isInvokeChannel(name: string): name is InvokeChannel {
  return Object.prototype.hasOwnProperty.call(INVOKE_ARG_SCHEMAS, name);
}

/**
 * Validates `args` against the channel's schema and runs the handler.
 * @returns `{ok: true, value}` or `{ok: false, error}`; never throws.
 */
export async function dispatchInvoke(handlers: InvokeHandlers, channel: string, args: unknown): Promise<InvokeResult<unknown>> {
  try {
    if (!isInvokeChannel(channel)) throw new InvalidArgumentError(`unknown channel "${channel}"`, { field: 'channel', value: channel });
    const parsed = INVOKE_ARG_SCHEMAS[channel].safeParse(args);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue.path.length ? `argument ${issue.path.join('.')}` : 'arguments';
      throw new InvalidArgumentError(`${channel}: ${where}: ${issue.message}`, { field: issue.path.join('.'), expected: issue.code });
    }
    const handler = handlers[channel] as (...a: unknown[]) => Promise<unknown>;
    return { ok: true, value: await handler(...parsed.data) };
  } catch (err) {
    return { ok: false, error: errorToJSON(err) };
  }
}
