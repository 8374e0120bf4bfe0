/**
 * Error classes of the runtime. Every error carries a stable `code` and a `context`
 * (file, field, value, expected) so that workers, child processes and IPC send
 * {@link errorToJSON}'s `{code, message, context}` and the receiver rebuilds the class with
 * {@link errorFromJSON}.
 */

export interface NwaveErrorContext {
  file?: string;
  field?: string;
  value?: unknown;
  expected?: unknown;
  [key: string]: unknown;
}

export type NwaveErrorCode = 'NWAVE_ERROR' | 'CHECKPOINT_FORMAT' | 'CONSTRAINT' | 'AUDIO_FORMAT' | 'DEVICE' | 'INVALID_ARGUMENT' | 'STATE';

export class NwaveError extends Error {
  readonly code: NwaveErrorCode = 'NWAVE_ERROR';
  readonly context: NwaveErrorContext;
  constructor(message: string, context: NwaveErrorContext = {}) {
    super(message);
    this.name = new.target.name;
    this.context = context;
  }
  toJSON(): ErrorRecord & { name: string } {
    return { ...errorToJSON(this), name: this.name };
  }
}

/** A checkpoint file that cannot be read: bad JSON, wrong version, wrong shapes, NaN... */
export class CheckpointFormatError extends NwaveError {
  override readonly code = 'CHECKPOINT_FORMAT' as const;
}

/** One hardware rule broken; `violations` lists every one, rule name first. */
export class ConstraintError extends NwaveError {
  override readonly code = 'CONSTRAINT' as const;
  readonly violations: readonly { rule: string; message: string }[];
  constructor(message: string, violations: readonly { rule: string; message: string }[], context: NwaveErrorContext = {}) {
    super(`${message}\n${violations.map((v) => `  - [${v.rule}] ${v.message}`).join('\n')}`, context);
    this.violations = violations;
  }
}

/** Audio that cannot be decoded or used: corrupt WAV, unsupported encoding, wrong rate. */
export class AudioFormatError extends NwaveError {
  override readonly code = 'AUDIO_FORMAT' as const;
}

/** Microphone missing, permission denied, device unplugged. */
export class DeviceError extends NwaveError {
  override readonly code = 'DEVICE' as const;
}

export class InvalidArgumentError extends NwaveError {
  override readonly code = 'INVALID_ARGUMENT' as const;
}

/** Use after `release()`, or calls in the wrong order. */
export class StateError extends NwaveError {
  override readonly code = 'STATE' as const;
}

const byCode = {
  NWAVE_ERROR: NwaveError,
  CHECKPOINT_FORMAT: CheckpointFormatError,
  AUDIO_FORMAT: AudioFormatError,
  DEVICE: DeviceError,
  INVALID_ARGUMENT: InvalidArgumentError,
  STATE: StateError,
} as const;

/** An error as it crosses a boundary (worker, child process, IPC, HTTP): never the stack. */
export interface ErrorRecord {
  code: string;
  message: string;
  context?: NwaveErrorContext;
  /** Constraint violations of a `CONSTRAINT` error. */
  violations?: { rule: string; message: string }[];
}

/**
 * The one error serialiser: anything thrown -> {@link ErrorRecord}. Keeps `code` (upper-case
 * codes only, else `NWAVE_ERROR`), `message`, a JSON-safe copy of `context` and constraint
 * `violations`; drops the stack.
 */
export function errorToJSON(err: unknown): ErrorRecord {
  if (!err || typeof err !== 'object') return { code: 'NWAVE_ERROR', message: String(err) };
  const e = err as { code?: unknown; message?: unknown; context?: unknown; violations?: unknown };
  const out: ErrorRecord = {
    code: typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code) ? e.code : 'NWAVE_ERROR',
    message: typeof e.message === 'string' ? e.message : String(err),
  };
  if (e.context && typeof e.context === 'object') out.context = JSON.parse(JSON.stringify(e.context)) as NwaveErrorContext;
  if (Array.isArray(e.violations))
    out.violations = e.violations.map((v: { rule: string; message: string }) => ({ rule: v.rule, message: v.message }));
  return out;
}

/** Rebuilds an error sent across a boundary as {@link errorToJSON}'s record. */
export function errorFromJSON(data: {
  code?: string;
  message: string;
  context?: NwaveErrorContext;
  violations?: { rule: string; message: string }[];
}): NwaveError {
  if (data.code === 'CONSTRAINT') {
    const err = new ConstraintError('constraint violations', data.violations ?? [], data.context ?? {});
    Object.defineProperty(err, 'message', { value: data.message });
    return err;
  }
  const Ctor = byCode[(data.code ?? 'NWAVE_ERROR') as keyof typeof byCode] ?? NwaveError;
  return new Ctor(data.message, data.context ?? {});
}
