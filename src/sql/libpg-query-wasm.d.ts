/** libpg-query's emscripten factory (no types shipped for it): resolves to the WASM module. */
declare module 'libpg-query/wasm/libpg-query.js' {
  const createModule: () => Promise<unknown>;
  export default createModule;
}
