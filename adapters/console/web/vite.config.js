import { defineConfig } from 'vite';

// The bundle is committed (adapters/console/dist) and embedded in the Go
// binary; .ci/run rebuilds it from a locked install and fails when the
// committed files differ, so the build must be reproducible: no timestamps,
// content-hashed names, one output folder emptied first.
export default defineConfig({
  base: '/',
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2020',
    modulePreload: { polyfill: false },
  },
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
});
