/**
 * `nwave devices [--json]`: the audio input devices PortAudio sees, with the default marked,
 * so that `nwave listen --device ID|NAME` can pick one. Exit 3 when there is none.
 */
import { DeviceError } from '@nwave/runtime';
import { table } from '../format.js';
import { listDevicesIsolated } from '../listen/mic-process.js';

export interface DevicesOptions {
  json?: boolean;
  verbose?: boolean;
}

/** Prints the input devices; returns the exit code. */
export async function runDevices(opts: DevicesOptions): Promise<number> {
  try {
    const devices = await listDevicesIsolated({ verbose: opts.verbose });
    if (opts.json) {
      for (const d of devices) console.log(JSON.stringify(d));
      return 0;
    }
    const rows = devices.map((d) => [
      d.isDefault ? `*${d.id}` : ` ${d.id}`,
      d.name,
      d.hostApi,
      d.maxInputChannels,
      `${d.defaultSampleRateHz} Hz`,
    ]);
    console.log(table(rows, ['id', 'name', 'host API', 'inputs', 'default rate']));
    console.log('(* default input; `nwave listen --device ID|NAME` picks another)');
    return 0;
  } catch (e) {
    if (!(e instanceof DeviceError)) throw e;
    if (opts.json) console.log(JSON.stringify({ error: e.message, code: e.code }));
    console.error(`nwave devices: ${e.message}`);
    return 3;
  }
}
