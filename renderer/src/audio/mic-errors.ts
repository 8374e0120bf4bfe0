/**
 * Turns getUserMedia failures into DeviceErrors with a message a user can act on (as
 * web-voice-processor's WvpError), naming what happened and what to do.
 */
import { DeviceError } from '@nwave/runtime';

const HINTS: Record<string, string> = {
  NotAllowedError:
    'Microphone permission was denied. Allow microphone access for this app (browser: the lock icon in the address bar; macOS: System Settings → Privacy & Security → Microphone; Windows: Settings → Privacy → Microphone), then press Start again.',
  SecurityError: 'The microphone is only available on a secure origin (https://, localhost, or the desktop app).',
  NotFoundError: 'No microphone was found. Plug one in (or enable it in the system sound settings) and press Start again.',
  NotReadableError:
    'The microphone is busy or failed to start (another app may be using it). Close other apps using it, or pick another device.',
  AbortError: 'The microphone failed to start. Try again, or pick another device.',
  OverconstrainedError: 'The selected microphone is no longer available. Pick another device from the list.',
};

/** A DeviceError for a failed `getUserMedia` (or a missing `mediaDevices`). */
export function micError(err: unknown, deviceLabel?: string): DeviceError {
  const name = (err as { name?: string })?.name ?? 'Error';
  const hint =
    (Object.hasOwn(HINTS, name) ? HINTS[name] : undefined) ??
    `The microphone could not be opened (${name}: ${(err as Error)?.message ?? String(err)}).`;
  return new DeviceError(hint, { field: 'microphone', value: deviceLabel ?? 'default', cause: name });
}

/** True when the page can ask for a microphone at all. */
export function micSupported(): boolean {
  return typeof navigator !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;
}
