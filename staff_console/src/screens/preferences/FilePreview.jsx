// The chosen image before it is uploaded, as a data: URL: the console's CSP allows images from
// 'self' and data: only, not the blob: URLs react-admin's FileInput makes.
import { useEffect, useState } from 'react';
import { useRecordContext } from 'react-admin';
import { Box, Typography } from '@mui/material';

export default function FilePreview() {
    const file = useRecordContext();
    const [source, setSource] = useState(null);
    const raw = file?.rawFile;
    useEffect(() => {
        if (!raw || !raw.type?.startsWith('image/')) return undefined;
        const reader = new FileReader();
        reader.onload = () => setSource(String(reader.result));
        reader.readAsDataURL(raw);
        return () => reader.abort();
    }, [raw]);
    if (!file) return null;
    return (
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, p: 1 }}>
            {source ? <Box component="img" src={source} alt={file.title || ''} sx={{ height: 40, maxWidth: 200, objectFit: 'contain' }} /> : null}
            <Typography variant="body2">{file.title}</Typography>
        </Box>
    );
}
