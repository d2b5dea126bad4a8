// Which notification emails residents get until they choose themselves (configuration/notifications),
// one switch per kind the API lists, with its label in the staff member's language; and the
// payment reminder's days and the usage alert's threshold. Every refusal shows beside its field.
import { useEffect, useState } from 'react';
import {
    BooleanInput,
    Loading,
    NumberInput,
    SaveButton,
    SelectInput,
    SimpleForm,
    Toolbar,
    useDataProvider,
    useLocaleState,
    useNotify,
    useTranslate,
} from 'react-admin';
import { Box, Typography } from '@mui/material';
import { CONFIGURATION } from './api.js';
import { USAGE_COMPARISONS, kindLabel, notificationChanges, notificationRecord } from './notifications.js';

const URL = `${CONFIGURATION}notifications/`;
const N = (name) => `preferences.notifications.${name}`;

function fieldErrors(error) {
    return error?.body?.errors && Object.keys(error.body.errors).length ? error.body.errors : null;
}

function Section({ title, intro, children }) {
    const translate = useTranslate();
    return (
        <Box component="section" sx={{ width: '100%', mb: 2 }}>
            <Typography variant="h6" component="h2" sx={{ mt: 1, mb: 1 }}>
                {translate(title)}
            </Typography>
            {intro ? (
                <Typography variant="body2" sx={{ mb: 1 }}>
                    {translate(intro)}
                </Typography>
            ) : null}
            {children}
        </Box>
    );
}

// The ranges are in the help texts, not min/max attributes: the browser's own check would stop the
// form in its language; the API's refusal shows beside the field in the console's.
export default function NotificationForm() {
    const translate = useTranslate();
    const notify = useNotify();
    const dataProvider = useDataProvider();
    // The labels come in the request's language: read again when the staff member switches.
    const [locale] = useLocaleState();
    const [answer, setAnswer] = useState(null);
    useEffect(() => {
        dataProvider
            .fetchJson(URL)
            .then(({ json }) => setAnswer(json))
            .catch((error) => setAnswer({ error }));
    }, [dataProvider, locale]);
    if (!answer) return <Loading />;
    if (answer.error) return <Typography role="alert">{answer.error.message}</Typography>;
    const record = notificationRecord(answer);

    const save = async (values) => {
        const body = notificationChanges(values, record);
        if (!Object.keys(body).length) {
            notify(N('unchanged'), { type: 'info' });
            return undefined;
        }
        try {
            const { json } = await dataProvider.fetchJson(URL, { method: 'PATCH', body });
            setAnswer(json);
            notify(N('saved'), { type: 'success' });
            return undefined;
        } catch (error) {
            if (fieldErrors(error)) {
                notify('ra.message.invalid_form', { type: 'error' });
                return fieldErrors(error);
            }
            notify(error?.message || 'ra.notification.http_error', { type: 'error' });
            return undefined;
        }
    };
    return (
        <SimpleForm
            record={record}
            onSubmit={save}
            toolbar={
                <Toolbar>
                    <SaveButton alwaysEnable />
                </Toolbar>
            }
            sx={{ maxWidth: 720 }}
        >
            <Section title={N('kinds_title')} intro={N('kinds_intro')}>
                {(answer.kinds || []).map((row) => (
                    <BooleanInput
                        key={row.kind}
                        source={`enabled.${row.kind}`}
                        label={kindLabel(row, translate)}
                        helperText={false}
                    />
                ))}
            </Section>
            <Section title={N('timing_title')}>
                {'reminder_days' in record ? (
                    <NumberInput
                        source="reminder_days"
                        label={N('reminder_days')}
                        helperText={N('reminder_days_help')}
                        step={1}
                    />
                ) : null}
                {'usage_threshold' in record ? (
                    <NumberInput
                        source="usage_threshold"
                        label={N('usage_threshold')}
                        helperText={N('usage_threshold_help')}
                        step={1}
                    />
                ) : null}
                {'usage_comparison' in record ? (
                    <SelectInput
                        source="usage_comparison"
                        label={N('usage_comparison')}
                        helperText={N('usage_comparison_help')}
                        choices={USAGE_COMPARISONS.map((id) => ({ id, name: N(`comparisons.${id}`) }))}
                    />
                ) : null}
            </Section>
        </SimpleForm>
    );
}
