// One organisation: its details, status (suspend/reactivate with a reason, history), features and
// domains. Every change goes through the platform API; the page shows what it answers.
import {
    DateField,
    SelectField,
    Show,
    SimpleShowLayout,
    TextField,
    TopToolbar,
    useRecordContext,
    useTranslate,
} from 'react-admin';
import { Link as RouterLink } from 'react-router-dom';
import { Box, Button, Divider } from '@mui/material';
import Domains from './Domains.jsx';
import Features from './Features.jsx';
import Settings from './Settings.jsx';
import Status from './Status.jsx';
import { LANGUAGES, PORTAL_STATUSES, STATUSES } from './choices.js';

function Actions() {
    const record = useRecordContext();
    const translate = useTranslate();
    if (!record) return null;
    return (
        <TopToolbar>
            <Button component={RouterLink} to={`/organisations/${encodeURIComponent(record.id)}/progress`}>
                {translate('operators.progress.link')}
            </Button>
        </TopToolbar>
    );
}

export default function OrganisationShow() {
    return (
        <Show actions={<Actions />}>
            <SimpleShowLayout>
                <TextField source="name" />
                <TextField source="slug" />
                <TextField source="schema_name" />
                <SelectField source="status" choices={STATUSES} />
                <SelectField source="portal_status" choices={PORTAL_STATUSES} />
                <TextField source="primary_domain" />
                <SelectField source="default_language" choices={LANGUAGES} />
                <TextField source="time_zone" />
                <DateField source="created_at" showTime />
            </SimpleShowLayout>
            <Divider />
            <Box sx={{ p: 2 }}>
                <Status />
                <Features />
                <Domains />
                <Settings />
            </Box>
        </Show>
    );
}
