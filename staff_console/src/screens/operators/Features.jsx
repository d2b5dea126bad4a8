// Feature switches of one organisation: each toggle PATCHes only that flag (the API merges it).
import { useState } from 'react';
import { useDataProvider, useNotify, useRecordContext, useRefresh, useTranslate } from 'react-admin';
import { Box, FormControlLabel, FormGroup, Switch, Typography } from '@mui/material';
import { FEATURES } from './choices.js';

export default function Features() {
    const record = useRecordContext();
    const translate = useTranslate();
    const notify = useNotify();
    const refresh = useRefresh();
    const dataProvider = useDataProvider();
    const [busy, setBusy] = useState(null);
    if (!record) return null;

    const toggle = (key) => async (event) => {
        const value = event.target.checked;
        setBusy(key);
        try {
            await dataProvider.update('organisations', {
                id: record.id,
                data: { features: { [key]: value } },
                previousData: record,
            });
            notify('operators.features.saved', {
                type: 'success',
                messageArgs: { feature: translate(`operators.features.${key}`) },
            });
            refresh();
        } catch (error) {
            notify(error?.message || 'ra.notification.http_error', { type: 'error' });
        } finally {
            setBusy(null);
        }
    };

    return (
        <Box component="section" aria-labelledby="features-title" sx={{ mb: 3 }}>
            <Typography id="features-title" variant="h6" component="h2">
                {translate('operators.features.title')}
            </Typography>
            <FormGroup>
                {FEATURES.map(({ key }) => (
                    <FormControlLabel
                        key={key}
                        control={
                            <Switch
                                checked={Boolean(record.features?.[key])}
                                onChange={toggle(key)}
                                disabled={busy !== null}
                                inputProps={{ 'data-feature': key }}
                            />
                        }
                        label={translate(`operators.features.${key}`)}
                    />
                ))}
            </FormGroup>
        </Box>
    );
}
