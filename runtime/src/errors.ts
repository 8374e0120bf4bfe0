/**
 * Error classes of the runtime. Every error carries a stable `code` and a `context`
 * (file, field, value, expected) so that workers and IPC can send `{code, message, context}`
 * and the receiver can rebuild the class with `errorFromJSON`.
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
  toJSON(): { code: NwaveErrorCode; name: string; message: string; context: NwaveErrorContext } {
    return { code: this.code, name: this.name, message: this.message, context: this.context };
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

/** Rebuilds an error sent across a worker or IPC boundary as `{code, message, context}`. */
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
