// The live preview of a page message, as residents will see it: the SERVER renders it (POST
// configuration/messages/preview/, the sanitiser and colour adjustment of the resident page), the
// console only frames it like the portal does and lists the warnings (long text, hard-to-read colours).
import { useEffect, useState } from 'react';
import { useDataProvider, useTranslate } from 'react-admin';
import { Alert, Box, Typography } from '@mui/material';
import { ADMIN_ROOT } from './usePages.js';

const BORDERS = { neutral: '#0b5394', warning: '#c98a00', important: '#b3261e' };

export function useMessagePreview(kind, html, delay = 350) {
    const dataProvider = useDataProvider();
    const [preview, setPreview] = useState(null);
    useEffect(() => {
        let current = true;
        const timer = setTimeout(() => {
            dataProvider
                .fetchJson(`${ADMIN_ROOT}configuration/messages/preview/`, {
                    method: 'POST',
                    body: { kind: kind || 'neutral', html: html || '' },
                })
                .then(({ json }) => current && setPreview(json))
                .catch(() => current && setPreview(null));
        }, delay);
        return () => {
            current = false;
            clearTimeout(timer);
        };
    }, [dataProvider, kind, html, delay]);
    return preview;
}

export default function MessagePreview({ kind, html, language }) {
    const translate = useTranslate();
    const preview = useMessagePreview(kind, html);
    const headingId = `preview-heading-${language}`;
    return (
        <Box component="section" aria-labelledby={headingId} sx={{ mt: 1, mb: 2 }}>
            <Typography id={headingId} variant="subtitle2" component="h3" gutterBottom>
                {translate('page_messages.preview.heading', { language: language.toUpperCase() })}
            </Typography>
            {preview && preview.length > 0 ? (
                <Box
                    className={`page-message ${preview.kind}`}
                    data-testid="message-preview"
                    sx={{
                        borderLeft: `6px solid ${BORDERS[preview.kind] || BORDERS.neutral}`,
                        bgcolor: preview.background,
                        color: preview.text_colour,
                        fontWeight: preview.kind === 'important' ? 600 : 400,
                        p: '0.75rem 1rem',
                        borderRadius: 1,
                        '& p, & h2, & h3, & h4': { my: 0.5 },
                        '& a': { color: 'inherit' },
                    }}
                    // The server's allow-list output (configuration/rich_text.py), exactly what residents get.
                    dangerouslySetInnerHTML={{ __html: preview.html }}
                />
            ) : (
                <Typography variant="body2" color="text.secondary">
                    {translate('page_messages.preview.empty')}
                </Typography>
            )}
            {preview ? (
                <Typography variant="caption" color="text.secondary" component="p" sx={{ mt: 0.5 }}>
                    {translate('page_messages.preview.length', {
                        length: preview.length,
                        limit: preview.recommended_length,
                    })}
                </Typography>
            ) : null}
            {(preview?.warnings || []).map((warning, index) => (
                <Alert
                    key={`${warning.code}-${index}`}
                    severity="warning"
                    sx={{ mt: 1 }}
                    data-testid={`preview-warning-${warning.code}`}
                >
                    {warning.detail}
                </Alert>
            ))}
        </Box>
    );
}
