// Email templates per language: the list of the portal's emails, and one email's wording in one
// language with a live preview rendered by the API exactly as it will be sent (sample values).
import { useEffect, useRef, useState } from 'react';
import { useParams, Link as RouterLink } from 'react-router-dom';
import {
    Loading,
    SaveButton,
    SimpleForm,
    TextInput,
    Toolbar,
    useDataProvider,
    useNotify,
    useTranslate,
} from 'react-admin';
import { useFormContext, useWatch } from 'react-hook-form';
import {
    Alert,
    Box,
    Button as MuiButton,
    Chip,
    Paper,
    Table,
    TableBody,
    TableCell,
    TableHead,
    TableRow,
    Typography,
} from '@mui/material';
import { CONFIGURATION } from './api.js';
import ConfirmButton from '../../components/ConfirmButton.jsx';

const LANGUAGES = ['en', 'nl', 'fr'];
const LANGUAGE_NAMES = { en: 'English', nl: 'Nederlands', fr: 'Français' };

/** The link names the email and language, and says (visibly) whether the wording is its own. */
function EditLink({ email, language }) {
    const translate = useTranslate();
    const state = translate(
        email.templates[language]?.customised ? 'preferences.emails.customised' : 'preferences.emails.default',
    );
    return (
        <MuiButton
            component={RouterLink}
            to={`/preferences/emails/${email.key}/${language}`}
            size="small"
            aria-label={`${email.label}, ${LANGUAGE_NAMES[language]}: ${state}`}
        >
            {state}
        </MuiButton>
    );
}

export function EmailList() {
    const translate = useTranslate();
    const dataProvider = useDataProvider();
    const [emails, setEmails] = useState(null);
    useEffect(() => {
        dataProvider.fetchJson(`${CONFIGURATION}emails/`).then(({ json }) => setEmails(json));
    }, [dataProvider]);
    if (!emails) return <Loading />;
    return (
        <Box sx={{ overflowX: 'auto' }}>
            <Table size="small" aria-label={translate('preferences.emails.title')}>
                <TableHead>
                    <TableRow>
                        <TableCell>{translate('preferences.emails.email')}</TableCell>
                        {LANGUAGES.map((language) => (
                            <TableCell key={language}>{LANGUAGE_NAMES[language]}</TableCell>
                        ))}
                    </TableRow>
                </TableHead>
                <TableBody>
                    {emails.map((email) => (
                        <TableRow key={email.key}>
                            <TableCell>{email.label}</TableCell>
                            {LANGUAGES.map((language) => (
                                <TableCell key={language}>
                                    <EditLink email={email} language={language} />
                                </TableCell>
                            ))}
                        </TableRow>
                    ))}
                </TableBody>
            </Table>
        </Box>
    );
}

function Preview({ emailKey, language }) {
    const translate = useTranslate();
    const dataProvider = useDataProvider();
    const [subject, body_text, body_html] = useWatch({ name: ['subject', 'body_text', 'body_html'] });
    const { setError, clearErrors } = useFormContext();
    const [preview, setPreview] = useState(null);
    const sequence = useRef(0);
    useEffect(() => {
        const number = ++sequence.current;
        const timer = setTimeout(async () => {
            try {
                const { json } = await dataProvider.fetchJson(
                    `${CONFIGURATION}emails/${emailKey}/${language}/preview/`,
                    { method: 'POST', body: { subject: subject || '', body_text: body_text || '', body_html: body_html || '' } },
                );
                if (number !== sequence.current) return;
                clearErrors(['subject', 'body_text', 'body_html']);
                setPreview(json);
            } catch (error) {
                if (number !== sequence.current) return;
                for (const [field, message] of Object.entries(error?.body?.errors || {})) {
                    setError(field, { type: 'server', message });
                }
            }
        }, 400);
        return () => clearTimeout(timer);
    }, [subject, body_text, body_html, emailKey, language, dataProvider, setError, clearErrors]);
    return (
        <Paper variant="outlined" sx={{ p: 1, width: '100%' }} aria-live="polite">
            <Typography variant="subtitle1" component="h2">
                {translate('preferences.emails.preview')}
            </Typography>
            <Typography variant="body2" color="text.secondary">
                {translate('preferences.emails.preview_help')}
            </Typography>
            {preview ? (
                <>
                    <Typography variant="body2" sx={{ my: 1 }} data-testid="preview-subject">
                        {translate('preferences.emails.preview_subject', { subject: preview.subject })}
                    </Typography>
                    <Box
                        component="iframe"
                        title={translate('preferences.emails.preview_frame')}
                        sandbox=""
                        srcDoc={preview.body_html}
                        sx={{ width: '100%', height: 420, border: 1, borderColor: 'divider', bgcolor: 'white' }}
                    />
                </>
            ) : null}
        </Paper>
    );
}

export function EmailEditor() {
    const { key, language } = useParams();
    const translate = useTranslate();
    const notify = useNotify();
    const dataProvider = useDataProvider();
    const [template, setTemplate] = useState(null);
    const url = `${CONFIGURATION}emails/${key}/${language}/`;
    useEffect(() => {
        setTemplate(null);
        dataProvider
            .fetchJson(url)
            .then(({ json }) => setTemplate(json))
            .catch((error) => setTemplate({ error }));
    }, [dataProvider, url]);
    if (!template) return <Loading />;
    if (template.error) return <Typography role="alert">{template.error.message}</Typography>;

    const save = async (values) => {
        try {
            const { json } = await dataProvider.fetchJson(url, {
                method: 'PUT',
                body: { subject: values.subject || '', body_text: values.body_text || '', body_html: values.body_html || '' },
            });
            setTemplate(json);
            notify('preferences.emails.saved', { type: 'success' });
            return undefined;
        } catch (error) {
            if (error?.body?.errors && Object.keys(error.body.errors).length) return error.body.errors;
            notify(error?.message || 'ra.notification.http_error', { type: 'error' });
            return undefined;
        }
    };
    const reset = async () => {
        const { json } = await dataProvider.fetchJson(url, { method: 'DELETE' });
        setTemplate(json);
        notify('preferences.emails.reset_done', { type: 'success' });
    };
    return (
        <Box>
            <MuiButton component={RouterLink} to="/preferences/emails" size="small">
                {translate('preferences.emails.back')}
            </MuiButton>
            <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, my: 1, flexWrap: 'wrap' }}>
                <Typography variant="h6" component="h2">
                    {key} · {LANGUAGE_NAMES[language] || language}
                </Typography>
                <Chip
                    size="small"
                    label={translate(template.customised ? 'preferences.emails.customised' : 'preferences.emails.default')}
                />
            </Box>
            {(template.warnings || []).map((warning) => (
                <Alert key={warning.detail} severity="warning" role="status" sx={{ mb: 1 }}>
                    {warning.detail}
                </Alert>
            ))}
            <SimpleForm
                key={`${key}-${language}-${template.customised}`}
                record={{ ...template, id: `${key}-${language}` }}
                onSubmit={save}
                toolbar={
                    <Toolbar sx={{ gap: 1, flexWrap: 'wrap' }}>
                        <SaveButton alwaysEnable />
                        {template.customised ? (
                            <ConfirmButton
                                label="preferences.emails.reset"
                                title="preferences.emails.reset_title"
                                content="preferences.emails.reset_content"
                                onConfirm={reset}
                                color="error"
                            />
                        ) : null}
                    </Toolbar>
                }
            >
                <Box sx={{ display: 'flex', gap: 2, width: '100%', flexDirection: { xs: 'column', md: 'row' } }}>
                    <Box sx={{ flex: 1, minWidth: 0 }}>
                        <TextInput source="subject" label="preferences.emails.subject" fullWidth />
                        <TextInput source="body_text" label="preferences.emails.body_text" multiline minRows={6} fullWidth />
                        <TextInput
                            source="body_html"
                            label="preferences.emails.body_html"
                            helperText="preferences.emails.body_html_help"
                            multiline
                            minRows={6}
                            fullWidth
                        />
                        <Typography variant="body2" color="text.secondary">
                            {translate('preferences.emails.variables', {
                                names: (template.variables || []).map((name) => `{{ ${name} }}`).join(', '),
                            })}
                        </Typography>
                    </Box>
                    <Box sx={{ flex: 1, minWidth: 0 }}>
                        <Preview emailKey={key} language={language} />
                    </Box>
                </Box>
            </SimpleForm>
        </Box>
    );
}
