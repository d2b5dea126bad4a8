// The staff console's build: hashed files under dist/assets/, served by Django (WhiteNoise) at
// /staff/assets/; Django's shell page links them through dist/.vite/manifest.json.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
    base: '/staff/',
    plugins: [react()],
    build: {
        outDir: 'dist',
        // Never empty dist/ first: servers (and other test runs) keep reading it while a build runs;
        // hashed names do not collide, and staff_console/build.py builds into a fresh folder anyway.
        emptyOutDir: false,
        manifest: true,
        sourcemap: false,
        chunkSizeWarningLimit: 2500,
        rollupOptions: {
            input: 'src/main.jsx',
            output: {
                // Vendor code changes rarely: its own chunk stays cached across console releases.
                manualChunks(id) {
                    if (id.includes('node_modules')) {
                        if (id.includes('@tiptap') || id.includes('prosemirror') || id.includes('ra-input-rich-text')) {
                            return 'rich-text';
                        }
                        return 'vendor';
                    }
                    return undefined;
                },
            },
        },
    },
});
