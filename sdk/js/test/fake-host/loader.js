// Module resolution hook: maps the WIT interfaces the SDK imports to in-process fakes.
const FAKES = {
  'hookline:plugin/log@0.1.0': new URL('./log.js', import.meta.url).href,
  'hookline:plugin/helpers@0.1.0': new URL('./helpers.js', import.meta.url).href,
  'hookline:plugin/cache@0.1.0': new URL('./cache.js', import.meta.url).href,
  'hookline:plugin/rate-limit@0.1.0': new URL('./rate-limit.js', import.meta.url).href,
  'hookline:plugin/repos@0.1.0': new URL('./repos.js', import.meta.url).href,
};

export async function resolve(specifier, context, nextResolve) {
  if (Object.hasOwn(FAKES, specifier)) {
    return { url: FAKES[specifier], shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
