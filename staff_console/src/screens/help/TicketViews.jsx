// Help requests: the inbox (search, status and type filters, ordering), one request with its
// conversation, the reply form (a file goes with it as multipart, checked by the server), and close
// or reopen. Every action is the REST admin's (tickets/{id}/reply|close|reopen/).
import { useState } from 'react';
import {
    Datagrid,
    DateField,
    EmailField,
    FunctionField,
    List,
    SearchInput,
    SelectField,
    SelectInput,
    Show,
    SimpleList,
    TextField,
    TopToolbar,
    useDataProvider,
    useNotify,
    useRecordContext,
    useRefresh,
    useTranslate,
} from 'react-admin';
import {
    Box,
    Button,
    Card,
    CardContent,
    Checkbox,
    FormControlLabel,
    FormHelperText,
    Stack,
    TextField as MuiTextField,
    Typography,
    useMediaQuery,
} from '@mui/material';
import ActionButton from '../../components/ActionButton.jsx';

export const STATUSES = [
    { id: 'open', name: 'help.status.open' },
    { id: 'answered', name: 'help.status.answered' },
    { id: 'closed', name: 'help.status.closed' },
];
export const KINDS = ['question', 'complaint', 'feedback', 'payment_notice', 'meter_problem', 'other'].map((id) => ({
    id,
    name: `help.kind.${id}`,
}));

const filters = [
    <SearchInput key="q" source="q" alwaysOn />,
    <SelectInput key="status" source="status" choices={STATUSES} alwaysOn />,
    <SelectInput key="kind" source="kind" choices={KINDS} />,
];

export function TicketList() {
    const small = useMediaQuery((theme) => theme.breakpoints.down('sm'));
    const translate = useTranslate();
    return (
        <List filters={filters} sort={{ field: 'created_at', order: 'DESC' }} perPage={25} exporter={false}>
            {small ? (
                <SimpleList
                    primaryText={(record) => record.subject}
                    secondaryText={(record) => `${record.reference} · ${record.name}`}
                    tertiaryText={(record) => translate(`help.status.${record.status}`)}
                    linkType="show"
                />
            ) : (
                <Datagrid rowClick="show" bulkActionButtons={false}>
                    <TextField source="reference" sortable={false} />
                    <TextField source="subject" sortable={false} />
                    <TextField source="name" sortable={false} />
                    <SelectField source="kind" choices={KINDS} />
                    <SelectField source="status" choices={STATUSES} />
                    <DateField source="created_at" showTime />
                    <DateField source="updated_at" showTime />
                </Datagrid>
            )}
        </List>
    );
}

function Conversation() {
    const record = useRecordContext();
    const translate = useTranslate();
    if (!record) return null;
    return (
        <Box component="section" aria-labelledby="conversation-heading" sx={{ my: 2 }}>
            <Typography id="conversation-heading" variant="h6" component="h2" gutterBottom>
                {translate('help.conversation')}
            </Typography>
            <Stack component="ol" spacing={1} sx={{ listStyle: 'none', p: 0, m: 0 }}>
                {(record.messages || []).map((message) => (
                    <Card
                        component="li"
                        key={message.id}
                        variant="outlined"
                        data-testid="ticket-message"
                        sx={{ ml: message.author === 'staff' ? { sm: 6 } : 0, mr: message.author === 'staff' ? 0 : { sm: 6 } }}
                    >
                        <CardContent>
                            <Typography variant="caption" color="text.secondary" component="p">
                                {translate(`help.author.${message.author}`)} ·{' '}
                                {new Date(message.created_at).toLocaleString()}
                            </Typography>
                            <Typography sx={{ whiteSpace: 'pre-line' }}>{message.body}</Typography>
                            {message.attachment_url ? (
                                <Typography variant="body2" sx={{ mt: 1 }}>
                                    {translate('help.attachment')}:{' '}
                                    <a href={message.attachment_url} download>
                                        {message.attachment_name || translate('help.attachment')}
                                    </a>
                                </Typography>
                            ) : null}
                        </CardContent>
                    </Card>
                ))}
            </Stack>
        </Box>
    );
}

function ReplyForm() {
    const record = useRecordContext();
    const translate = useTranslate();
    const dataProvider = useDataProvider();
    const notify = useNotify();
    const refresh = useRefresh();
    const [message, setMessage] = useState('');
    const [file, setFile] = useState(null);
    const [close, setClose] = useState(false);
    const [errors, setErrors] = useState({});
    const [busy, setBusy] = useState(false);
    const [inputKey, setInputKey] = useState(0);
    if (!record) return null;
    if (record.status === 'closed') {
        return <Typography sx={{ my: 2 }}>{translate('help.closed_hint')}</Typography>;
    }
    const submit = async (event) => {
        event.preventDefault();
        setBusy(true);
        setErrors({});
        const form = new FormData();
        form.append('message', message);
        form.append('close', close ? 'true' : 'false');
        if (file) form.append('attachment', file);
        try {
            await dataProvider.upload('tickets', record.id, 'reply', form);
            notify('help.replied', { type: 'success' });
            setMessage('');
            setFile(null);
            setClose(false);
            setInputKey((n) => n + 1);
            refresh();
        } catch (error) {
            setErrors(error?.body?.errors || {});
            notify(error?.message || 'ra.notification.http_error', { type: 'error' });
        } finally {
            setBusy(false);
        }
    };
    return (
        <Box component="form" onSubmit={submit} aria-labelledby="reply-heading" noValidate sx={{ my: 2, maxWidth: 720 }}>
            <Typography id="reply-heading" variant="h6" component="h2" gutterBottom>
                {translate('help.reply')}
            </Typography>
            <MuiTextField
                id="reply-message"
                label={translate('help.your_answer')}
                value={message}
                onChange={(event) => setMessage(event.target.value)}
                multiline
                minRows={4}
                fullWidth
                required
                error={Boolean(errors.message)}
                helperText={errors.message || ' '}
            />
            <Box sx={{ mt: 1 }}>
                <label htmlFor="reply-attachment">
                    <Typography component="span" variant="body2" sx={{ display: 'block', mb: 0.5 }}>
                        {translate('help.attach')}
                    </Typography>
                </label>
                <input
                    key={inputKey}
                    id="reply-attachment"
                    name="attachment"
                    type="file"
                    accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"
                    aria-describedby="reply-attachment-help"
                    aria-invalid={Boolean(errors.attachment)}
                    onChange={(event) => setFile(event.target.files?.[0] || null)}
                />
                <FormHelperText id="reply-attachment-help" error={Boolean(errors.attachment)}>
                    {errors.attachment || translate('help.attach_help')}
                </FormHelperText>
            </Box>
            <FormControlLabel
                control={<Checkbox checked={close} onChange={(event) => setClose(event.target.checked)} />}
                label={translate('help.close_with_answer')}
            />
            <Box>
                <Button type="submit" variant="contained" disabled={busy}>
                    {translate('help.send')}
                </Button>
            </Box>
        </Box>
    );
}

function TicketActions() {
    const record = useRecordContext();
    if (!record) return <TopToolbar />;
    return (
        <TopToolbar>
            {record.status === 'closed' ? (
                <ActionButton action="reopen" label="help.reopen" success="help.reopened" />
            ) : (
                <ActionButton
                    action="close"
                    label="help.close"
                    success="help.closed"
                    confirm={{ title: 'help.close', content: 'help.close_content' }}
                />
            )}
        </TopToolbar>
    );
}

function Title() {
    const record = useRecordContext();
    return <span>{record ? `${record.reference} · ${record.subject}` : ''}</span>;
}

export function TicketShow() {
    return (
        <Show actions={<TicketActions />} title={<Title />}>
            <Box sx={{ p: 2 }}>
                <Typography variant="h5" component="h1">
                    <FunctionField render={(record) => record.subject} />
                </Typography>
                <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mt: 1, flexWrap: 'wrap' }}>
                    <TextField source="reference" />
                    <SelectField source="kind" choices={KINDS} />
                    <SelectField source="status" choices={STATUSES} />
                    <TextField source="name" />
                    <EmailField source="email" />
                </Stack>
                <Conversation />
                <ReplyForm />
            </Box>
        </Show>
    );
}
