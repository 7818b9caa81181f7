/**
 * Rolldown options for `jco componentize --bundle --bundle-config`: the `hookline:plugin/*`
 * interfaces are the component's imports, supplied by the host at instantiation, so the bundler
 * must leave them as imports for componentize-js to bind (jco externalises only `wasi:*`).
 */
export default {
  external: [/^hookline:/],
};
