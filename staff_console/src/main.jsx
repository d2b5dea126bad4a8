// Entry point: emotion's style tags carry the page's CSP nonce (style-src 'nonce-…'), and the
// shell page's bootstrap JSON (never executed) tells the app which organisation it serves.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import createCache from '@emotion/cache';
import { CacheProvider } from '@emotion/react';
import App from './App.jsx';
import { cspNonce, readBootstrap } from './bootstrap.js';

const cache = createCache({ key: 'css', nonce: cspNonce(), prepend: true });

createRoot(document.getElementById('root')).render(
    <StrictMode>
        <CacheProvider value={cache}>
            <App bootstrap={readBootstrap()} />
        </CacheProvider>
    </StrictMode>,
);
