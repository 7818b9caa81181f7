// Fake of `hookline:plugin/log@0.1.0`: records what a hook logs.
export const written = [];

export function write(level, message) {
  written.push({ level, message });
}
