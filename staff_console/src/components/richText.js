// Tiptap under the strict CSP: its injected stylesheet carries the page's nonce (style-src).
import { DefaultEditorOptions } from 'ra-input-rich-text';
import { cspNonce } from '../bootstrap.js';

export function richTextEditorOptions(extra = {}) {
    const nonce = cspNonce();
    return { ...DefaultEditorOptions, ...(nonce ? { injectNonce: nonce } : { injectCSS: false }), ...extra };
}
